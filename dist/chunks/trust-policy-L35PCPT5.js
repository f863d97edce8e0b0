import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{c as a,d as b,e as c,f as d,g as e,h as f}from"./chunk-VL6QIDXG.js";import"./chunk-SNWFGT2E.js";import"./chunk-V5TYSJDF.js";export{b as LEVELS,a as VALIDATION_TYPES,e as applicablePolicy,d as parseTrustPolicy,f as readTrustPolicy,c as validateRegistryScope};
