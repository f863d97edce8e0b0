import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b,c}from"./chunk-RDMLDUR4.js";import"./chunk-LKRUA4GW.js";import"./chunk-6P4RRKEO.js";import"./chunk-APGESYU5.js";import"./chunk-67I4JB7R.js";import"./chunk-SYJLW4B5.js";export{a as parseOptions,c as run,b as signingContext};
//# sourceMappingURL=sign-6WU2GQWO.js.map
