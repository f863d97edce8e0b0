import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a}from"./chunk-EZ3Z75LF.js";import"./chunk-EVIJ6XFM.js";import"./chunk-OCKP4NT4.js";import"./chunk-GOD63ADF.js";import"./chunk-MBFS6U5Z.js";import"./chunk-P3QUZTA4.js";import"./chunk-3V2NTJ7C.js";import"./chunk-Q3C3TP5A.js";import"./chunk-SYJLW4B5.js";export{a as RegistryRepository};
//# sourceMappingURL=repository-VKOEMQ32.js.map
