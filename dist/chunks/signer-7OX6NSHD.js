import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b}from"./chunk-ZJ5NGXEG.js";import"./chunk-AZANNNMX.js";import"./chunk-ZVCWT6CN.js";import"./chunk-SNWFGT2E.js";import"./chunk-V5TYSJDF.js";export{b as LocalKeySigner,a as checkSigningMaterial};
