import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a}from"./chunk-SX5WR7TF.js";import"./chunk-YKDIQNSL.js";import"./chunk-QJ72EUKG.js";import"./chunk-OK5VZ5PL.js";import"./chunk-AZANNNMX.js";import"./chunk-RNVXJ3PP.js";import"./chunk-SNWFGT2E.js";import"./chunk-V5TYSJDF.js";export{a as RegistryRepository};
