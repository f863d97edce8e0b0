import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b,c,d,e,f}from"./chunk-J44DSJQX.js";import"./chunk-67I4JB7R.js";import"./chunk-SYJLW4B5.js";export{a as DEFAULT_REGISTRY,e as formatReference,b as isDigest,c as parseReference,d as repositoryName,f as withDigest};
//# sourceMappingURL=reference-CFDGTOFU.js.map
