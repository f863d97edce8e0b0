import { createRequire as __cr } from 'node:module'; let __rq; const require = (id) => (__rq ??= __cr(import.meta.url))(id);
import{c as a,d as b,e as c,f as d,g as e,h as f}from"./chunk-27ZMN4G2.js";import"./chunk-AZRNEXMO.js";import"./chunk-D447ENI5.js";export{b as LEVELS,a as VALIDATION_TYPES,e as applicablePolicy,d as parseTrustPolicy,f as readTrustPolicy,c as validateRegistryScope};
//# sourceMappingURL=trust-policy-G2OIXBBG.js.map
