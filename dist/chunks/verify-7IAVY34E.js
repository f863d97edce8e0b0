import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b,c,d,e}from"./chunk-6VY6RD3U.js";import"./chunk-HOWIUIPW.js";import"./chunk-4JRHWLCH.js";import"./chunk-6WF6TZBO.js";import"./chunk-KFYTPKDW.js";import"./chunk-OOQMIFRW.js";import"./chunk-3W7EVFHF.js";import"./chunk-GOD63ADF.js";import"./chunk-3V2NTJ7C.js";import"./chunk-Q3C3TP5A.js";import"./chunk-SYJLW4B5.js";export{b as loadTrust,c as parseOptions,a as parseTrustOptions,e as run,d as verificationOptions};
//# sourceMappingURL=verify-7IAVY34E.js.map
