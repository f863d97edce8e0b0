import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{c as a,d as b,e as c,f as d,g as e,h as f}from"./chunk-VCNELBZV.js";import"./chunk-67I4JB7R.js";import"./chunk-SYJLW4B5.js";export{b as LEVELS,a as VALIDATION_TYPES,e as applicablePolicy,d as parseTrustPolicy,f as readTrustPolicy,c as validateRegistryScope};
//# sourceMappingURL=trust-policy-3BOLZ2OF.js.map
