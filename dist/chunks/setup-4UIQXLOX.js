import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a}from"./chunk-GCUSXPP5.js";import"./chunk-THDKAYHL.js";import"./chunk-HFSGAG7F.js";import"./chunk-5D5XHNRU.js";import"./chunk-RNVXJ3PP.js";import"./chunk-SNWFGT2E.js";import"./chunk-V5TYSJDF.js";export{a as Session};
