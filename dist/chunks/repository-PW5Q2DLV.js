import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a}from"./chunk-4YMB4GMN.js";import"./chunk-MZYGFJR7.js";import"./chunk-QJ72EUKG.js";import"./chunk-VPVJ4UW5.js";import"./chunk-AZANNNMX.js";import"./chunk-RNVXJ3PP.js";import"./chunk-SNWFGT2E.js";import"./chunk-V5TYSJDF.js";export{a as RegistryRepository};
