import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b,c,d}from"./chunk-OOMBN4AC.js";import"./chunk-3XTEW6KA.js";import"./chunk-IUJKCSIB.js";import"./chunk-RGHOCYBB.js";import"./chunk-2NPYAISZ.js";import"./chunk-SNWFGT2E.js";import"./chunk-V5TYSJDF.js";export{b as loadTrust,c as parseOptions,a as parseTrustOptions,d as run};
