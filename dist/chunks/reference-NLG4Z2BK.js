import { createRequire as __cr } from 'node:module'; let __rq; const require = (id) => (__rq ??= __cr(import.meta.url))(id);
import{a,b,c,d,e,f,g}from"./chunk-2AJ56HVK.js";import"./chunk-AZRNEXMO.js";import"./chunk-D447ENI5.js";export{a as DEFAULT_REGISTRY,b as TAG,f as formatReference,c as isDigest,d as parseReference,e as repositoryName,g as withDigest};
//# sourceMappingURL=reference-NLG4Z2BK.js.map
