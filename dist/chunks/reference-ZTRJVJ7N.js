import { createRequire as __cr } from 'node:module'; let __rq; const require = (id) => (__rq ??= __cr(import.meta.url))(id);
import{a,b,c,d,e,f}from"./chunk-IDCFNBOE.js";import"./chunk-AZRNEXMO.js";import"./chunk-D447ENI5.js";export{a as DEFAULT_REGISTRY,e as formatReference,b as isDigest,c as parseReference,d as repositoryName,f as withDigest};
//# sourceMappingURL=reference-ZTRJVJ7N.js.map
