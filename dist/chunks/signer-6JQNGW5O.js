import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b}from"./chunk-PFGGQRVE.js";import"./chunk-P3QUZTA4.js";import"./chunk-UAW2NGSJ.js";import"./chunk-MA5UOKQQ.js";import"./chunk-Q3C3TP5A.js";import"./chunk-SYJLW4B5.js";export{b as LocalKeySigner,a as checkSigningMaterial};
//# sourceMappingURL=signer-6JQNGW5O.js.map
