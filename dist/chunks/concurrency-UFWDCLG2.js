import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a}from"./chunk-LSINNPYK.js";import"./chunk-V5TYSJDF.js";export{a as mapLimit};
