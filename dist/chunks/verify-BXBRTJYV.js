import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{b as a,c as b,d as c,e as d}from"./chunk-6VRVALFB.js";import"./chunk-6GLD36BV.js";import"./chunk-3XTEW6KA.js";import"./chunk-YPDEB5KY.js";import"./chunk-SNWFGT2E.js";import"./chunk-V5TYSJDF.js";export{b as loadTrust,c as parseOptions,a as parseTrustOptions,d as run};
