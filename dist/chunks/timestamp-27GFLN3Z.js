import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b,c}from"./chunk-3TMKJ7ZE.js";import"./chunk-MBFS6U5Z.js";import"./chunk-P3QUZTA4.js";import"./chunk-3V2NTJ7C.js";import"./chunk-I6JCOG5V.js";import"./chunk-MA5UOKQQ.js";import"./chunk-Q3C3TP5A.js";import"./chunk-SYJLW4B5.js";export{b as requestTimestamp,a as timestampQuery,c as verifyTimestampToken};
//# sourceMappingURL=timestamp-27GFLN3Z.js.map
