import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b,c,d,e,f}from"./chunk-DQ5ZLKEG.js";import"./chunk-SNWFGT2E.js";import"./chunk-V5TYSJDF.js";export{a as DEFAULT_REGISTRY,e as formatReference,b as isDigest,c as parseReference,d as repositoryName,f as withDigest};
