import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b,c,d}from"./chunk-BFIXWBTO.js";import"./chunk-L57PSU4X.js";import"./chunk-4JRHWLCH.js";import"./chunk-6WF6TZBO.js";import"./chunk-NQRK6HYW.js";import"./chunk-4ZZCATZU.js";import"./chunk-3W7EVFHF.js";import"./chunk-3V2NTJ7C.js";import"./chunk-Q3C3TP5A.js";import"./chunk-SYJLW4B5.js";export{b as loadTrust,c as parseOptions,a as parseTrustOptions,d as run};
//# sourceMappingURL=verify-NPMCUBRG.js.map
