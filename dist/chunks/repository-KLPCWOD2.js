import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a}from"./chunk-TIJOHQSV.js";import"./chunk-WGIVV5QE.js";import"./chunk-QJ72EUKG.js";import"./chunk-XBFQCQNQ.js";import"./chunk-AZANNNMX.js";import"./chunk-RNVXJ3PP.js";import"./chunk-SNWFGT2E.js";import"./chunk-V5TYSJDF.js";export{a as RegistryRepository};
