import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b,c,d,e,f}from"./chunk-MOS35ZHG.js";import"./chunk-YJBN5NTV.js";export{a as DEFAULT_REGISTRY,e as formatReference,b as isDigest,c as parseReference,d as repositoryName,f as withDigest};
