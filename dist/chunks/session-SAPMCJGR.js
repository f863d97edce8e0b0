import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a}from"./chunk-BVAOJ22S.js";import"./chunk-LLHOY5O5.js";import"./chunk-VLWDJKXH.js";import"./chunk-TONWDZVD.js";import"./chunk-RNVXJ3PP.js";import"./chunk-SNWFGT2E.js";import"./chunk-V5TYSJDF.js";export{a as Session};
