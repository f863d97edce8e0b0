import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b,c}from"./chunk-PAQ65HH2.js";import"./chunk-6WF6TZBO.js";import"./chunk-5PNZHUK2.js";import"./chunk-MA5UOKQQ.js";import"./chunk-67I4JB7R.js";import"./chunk-SYJLW4B5.js";export{a as MemoryTrustStore,b as TrustStore,c as storeCertificateProblem};
//# sourceMappingURL=trust-store-M2S5BSWZ.js.map
