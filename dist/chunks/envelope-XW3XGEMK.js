import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{b,c,d,e}from"./chunk-KNINNMLF.js";import"./chunk-YAYTD6SK.js";import{g as a}from"./chunk-5CGJT5BD.js";import"./chunk-EVLO6EPO.js";import"./chunk-GOD63ADF.js";import"./chunk-XLOXX6MV.js";import"./chunk-MA5UOKQQ.js";import"./chunk-Q3C3TP5A.js";import"./chunk-SYJLW4B5.js";export{a as SUPPORTED_ENVELOPES,b as loadEnvelopeFormat,c as parseEnvelope,e as parsePayload,d as verifyIntegrity};
//# sourceMappingURL=envelope-XW3XGEMK.js.map
