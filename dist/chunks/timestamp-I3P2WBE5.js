import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b,c}from"./chunk-DJ4QNWVQ.js";import"./chunk-LG5265XS.js";import"./chunk-V5FKPT7C.js";import"./chunk-P3QUZTA4.js";import"./chunk-3V2NTJ7C.js";import"./chunk-UAW2NGSJ.js";import"./chunk-MA5UOKQQ.js";import"./chunk-Q3C3TP5A.js";import"./chunk-SYJLW4B5.js";export{b as requestTimestamp,a as timestampQuery,c as verifyTimestampToken};
//# sourceMappingURL=timestamp-I3P2WBE5.js.map
