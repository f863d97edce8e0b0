import { createRequire as __cr } from 'node:module'; let __rq; const require = (id) => (__rq ??= __cr(import.meta.url))(id);
import{a,b,c}from"./chunk-XCVJTAS2.js";import"./chunk-Q4GRA5RH.js";import"./chunk-XIZ6WBWX.js";import"./chunk-Y7BAQIC2.js";import"./chunk-AZRNEXMO.js";import"./chunk-D447ENI5.js";export{a as parseOptions,c as run,b as signingContext};
//# sourceMappingURL=sign-EDPIXIQR.js.map
