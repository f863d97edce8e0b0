import { createRequire as __cr } from 'node:module'; let __rq; const require = (id) => (__rq ??= __cr(import.meta.url))(id);
import{b,c,d,e}from"./chunk-4YGILNJK.js";import"./chunk-Y7JPCE5Z.js";import{g as a}from"./chunk-TZRRLBX4.js";import"./chunk-N2WPAWQ3.js";import"./chunk-2AJ56HVK.js";import"./chunk-2USUJNEN.js";import"./chunk-AZRNEXMO.js";import"./chunk-D447ENI5.js";export{a as SUPPORTED_ENVELOPES,b as loadEnvelopeFormat,c as parseEnvelope,e as parsePayload,d as verifyIntegrity};
//# sourceMappingURL=envelope-3MLPJAWA.js.map
