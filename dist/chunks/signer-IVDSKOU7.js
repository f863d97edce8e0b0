import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b}from"./chunk-XLK2244M.js";import"./chunk-QQRUEOPV.js";import"./chunk-SNWFGT2E.js";import"./chunk-V5TYSJDF.js";export{b as LocalKeySigner,a as checkSigningMaterial};
