import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b,c,d}from"./chunk-NNXUDIJZ.js";import"./chunk-GMXM6MYJ.js";import"./chunk-P3QUZTA4.js";import"./chunk-3V2NTJ7C.js";import"./chunk-Q3C3TP5A.js";import"./chunk-SYJLW4B5.js";export{a as TOKEN_EXCHANGE_AUDIENCE,c as azureErrorMessage,b as selectCredential,d as signInError};
//# sourceMappingURL=credential-3CVY3QIM.js.map
