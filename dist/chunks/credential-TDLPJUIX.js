import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b,c,d}from"./chunk-W3LTHVHG.js";import"./chunk-SJBZRXQH.js";import"./chunk-AZANNNMX.js";import"./chunk-RNVXJ3PP.js";import"./chunk-SNWFGT2E.js";import"./chunk-V5TYSJDF.js";export{a as TOKEN_EXCHANGE_AUDIENCE,c as azureErrorMessage,b as selectCredential,d as signInError};
