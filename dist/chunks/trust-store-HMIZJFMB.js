import { createRequire as __cr } from 'node:module'; let __rq; const require = (id) => (__rq ??= __cr(import.meta.url))(id);
import{a,b,c}from"./chunk-7CGSGFF6.js";import"./chunk-5D5KOKWN.js";import"./chunk-2USUJNEN.js";import"./chunk-AZRNEXMO.js";import"./chunk-D447ENI5.js";export{a as MemoryTrustStore,b as TrustStore,c as storeCertificateProblem};
//# sourceMappingURL=trust-store-HMIZJFMB.js.map
