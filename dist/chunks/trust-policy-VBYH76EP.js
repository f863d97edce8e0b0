import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{b as a,c as b,d as c,e as d,f as e,g as f}from"./chunk-E4IDBXOG.js";import"./chunk-SNWFGT2E.js";import"./chunk-V5TYSJDF.js";export{b as LEVELS,a as VALIDATION_TYPES,e as applicablePolicy,d as parseTrustPolicy,f as readTrustPolicy,c as validateRegistryScope};
