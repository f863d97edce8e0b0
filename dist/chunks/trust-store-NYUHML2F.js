import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b,c}from"./chunk-TWMJVWX2.js";import"./chunk-6WF6TZBO.js";import"./chunk-JEDNA6VO.js";import"./chunk-MA5UOKQQ.js";import"./chunk-67I4JB7R.js";import"./chunk-SYJLW4B5.js";export{a as MemoryTrustStore,b as TrustStore,c as storeCertificateProblem};
//# sourceMappingURL=trust-store-NYUHML2F.js.map
