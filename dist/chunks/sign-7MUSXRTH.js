import { createRequire as __cr } from 'node:module'; let __rq; const require = (id) => (__rq ??= __cr(import.meta.url))(id);
import{a,b,c}from"./chunk-4A4F2YO7.js";import"./chunk-4LWC473W.js";import"./chunk-YQTDLMHU.js";import"./chunk-LIEQQ3SK.js";import"./chunk-AZRNEXMO.js";import"./chunk-D447ENI5.js";export{a as parseOptions,c as run,b as signingContext};
//# sourceMappingURL=sign-7MUSXRTH.js.map
