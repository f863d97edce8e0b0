import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b}from"./chunk-TONWDZVD.js";import"./chunk-V5TYSJDF.js";export{a as mapLimit,b as memoizeByKey};
