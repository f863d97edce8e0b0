import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b}from"./chunk-2YSSVGT2.js";import"./chunk-F3RCR4JR.js";import"./chunk-SNWFGT2E.js";import"./chunk-V5TYSJDF.js";export{b as LocalKeySigner,a as checkSigningMaterial};
