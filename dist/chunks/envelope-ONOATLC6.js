import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{b,c,d,e}from"./chunk-ZFJERRGA.js";import"./chunk-YAYTD6SK.js";import{g as a}from"./chunk-5CGJT5BD.js";import"./chunk-EVLO6EPO.js";import"./chunk-J44DSJQX.js";import"./chunk-NEZ3KUVG.js";import"./chunk-MA5UOKQQ.js";import"./chunk-67I4JB7R.js";import"./chunk-SYJLW4B5.js";export{a as SUPPORTED_ENVELOPES,b as loadEnvelopeFormat,c as parseEnvelope,e as parsePayload,d as verifyIntegrity};
//# sourceMappingURL=envelope-ONOATLC6.js.map
