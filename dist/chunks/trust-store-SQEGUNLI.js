import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b,c}from"./chunk-GMPDE742.js";import"./chunk-6WF6TZBO.js";import"./chunk-XLOXX6MV.js";import"./chunk-MA5UOKQQ.js";import"./chunk-Q3C3TP5A.js";import"./chunk-SYJLW4B5.js";export{a as MemoryTrustStore,b as TrustStore,c as storeCertificateProblem};
//# sourceMappingURL=trust-store-SQEGUNLI.js.map
