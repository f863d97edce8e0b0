import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b,c,d,e,f}from"./chunk-GOD63ADF.js";import"./chunk-Q3C3TP5A.js";import"./chunk-SYJLW4B5.js";export{a as DEFAULT_REGISTRY,e as formatReference,b as isDigest,c as parseReference,d as repositoryName,f as withDigest};
//# sourceMappingURL=reference-WXDDMIBK.js.map
