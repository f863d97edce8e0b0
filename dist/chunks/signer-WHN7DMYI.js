import { createRequire as __cr } from 'node:module'; let __rq; const require = (id) => (__rq ??= __cr(import.meta.url))(id);
import{a,b}from"./chunk-ZP3H2YTP.js";import"./chunk-62WU5ZNV.js";import"./chunk-2USUJNEN.js";import"./chunk-AZRNEXMO.js";import"./chunk-D447ENI5.js";export{b as LocalKeySigner,a as checkSigningMaterial};
//# sourceMappingURL=signer-WHN7DMYI.js.map
