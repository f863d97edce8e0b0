import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b,c,d,e}from"./chunk-T7QH3MOK.js";import"./chunk-MPZAT4TM.js";import"./chunk-4JRHWLCH.js";import"./chunk-6WF6TZBO.js";import"./chunk-LKRUA4GW.js";import"./chunk-6P4RRKEO.js";import"./chunk-APGESYU5.js";import"./chunk-J44DSJQX.js";import"./chunk-3V2NTJ7C.js";import"./chunk-67I4JB7R.js";import"./chunk-SYJLW4B5.js";export{b as loadTrust,c as parseOptions,a as parseTrustOptions,e as run,d as verificationOptions};
//# sourceMappingURL=verify-SGZTMZL4.js.map
