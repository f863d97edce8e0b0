import { createRequire as __cr } from 'node:module'; let __rq; const require = (id) => (__rq ??= __cr(import.meta.url))(id);
import{a,b,c,d,e}from"./chunk-ZBQSD5BR.js";import"./chunk-3RS5PNNA.js";import"./chunk-BLIY4VNJ.js";import"./chunk-5D5KOKWN.js";import"./chunk-4LWC473W.js";import"./chunk-YQTDLMHU.js";import"./chunk-LIEQQ3SK.js";import"./chunk-2AJ56HVK.js";import"./chunk-5UU6GPYA.js";import"./chunk-AZRNEXMO.js";import"./chunk-D447ENI5.js";export{b as loadTrust,c as parseOptions,a as parseTrustOptions,e as run,d as verificationOptions};
//# sourceMappingURL=verify-2LGVK3FR.js.map
