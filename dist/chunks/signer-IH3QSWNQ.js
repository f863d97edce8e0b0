import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b}from"./chunk-G2RFWYLQ.js";import"./chunk-P3QUZTA4.js";import"./chunk-XLOXX6MV.js";import"./chunk-MA5UOKQQ.js";import"./chunk-Q3C3TP5A.js";import"./chunk-SYJLW4B5.js";export{b as LocalKeySigner,a as checkSigningMaterial};
//# sourceMappingURL=signer-IH3QSWNQ.js.map
