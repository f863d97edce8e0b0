import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b}from"./chunk-MNKQFLU2.js";import"./chunk-P3QUZTA4.js";import"./chunk-JEDNA6VO.js";import"./chunk-MA5UOKQQ.js";import"./chunk-67I4JB7R.js";import"./chunk-SYJLW4B5.js";export{b as LocalKeySigner,a as checkSigningMaterial};
//# sourceMappingURL=signer-JONP7A2B.js.map
