import { createRequire as __cr } from 'node:module'; let __rq; const require = (id) => (__rq ??= __cr(import.meta.url))(id);
import{a,b,c,d}from"./chunk-WNAGTR52.js";import"./chunk-JHIXDOX4.js";import"./chunk-62WU5ZNV.js";import"./chunk-5UU6GPYA.js";import"./chunk-AZRNEXMO.js";import"./chunk-D447ENI5.js";export{a as TOKEN_EXCHANGE_AUDIENCE,c as azureErrorMessage,b as selectCredential,d as signInError};
//# sourceMappingURL=credential-BLJSTHF7.js.map
