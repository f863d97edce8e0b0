import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b,c,d}from"./chunk-FONYDIOX.js";import"./chunk-HRLY7OEB.js";import"./chunk-P3QUZTA4.js";import"./chunk-3V2NTJ7C.js";import"./chunk-67I4JB7R.js";import"./chunk-SYJLW4B5.js";export{a as TOKEN_EXCHANGE_AUDIENCE,c as azureErrorMessage,b as selectCredential,d as signInError};
//# sourceMappingURL=credential-UXJGAK5U.js.map
