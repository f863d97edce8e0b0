import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a}from"./chunk-QGRKUV5B.js";import"./chunk-C27QI5VA.js";import"./chunk-QJ72EUKG.js";import"./chunk-DQ5ZLKEG.js";import"./chunk-SJBZRXQH.js";import"./chunk-AZANNNMX.js";import"./chunk-RNVXJ3PP.js";import"./chunk-SNWFGT2E.js";import"./chunk-V5TYSJDF.js";export{a as RegistryRepository};
