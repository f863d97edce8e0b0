import { createRequire as __cr } from 'node:module'; let __rq; const require = (id) => (__rq ??= __cr(import.meta.url))(id);
import{a,b,c,d,e}from"./chunk-K6TZOTYS.js";import"./chunk-4GFF673Y.js";import"./chunk-BLIY4VNJ.js";import"./chunk-5D5KOKWN.js";import"./chunk-N6QSB4GY.js";import"./chunk-YQTDLMHU.js";import"./chunk-Y7BAQIC2.js";import"./chunk-IDCFNBOE.js";import"./chunk-5UU6GPYA.js";import"./chunk-AZRNEXMO.js";import"./chunk-D447ENI5.js";export{b as loadTrust,c as parseOptions,a as parseTrustOptions,e as run,d as verificationOptions};
//# sourceMappingURL=verify-5L43NPPU.js.map
