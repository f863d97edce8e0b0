import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{b,c,d,e}from"./chunk-W5HHUP5N.js";import"./chunk-YAYTD6SK.js";import{g as a}from"./chunk-5CGJT5BD.js";import"./chunk-EVLO6EPO.js";import"./chunk-J44DSJQX.js";import"./chunk-JEDNA6VO.js";import"./chunk-MA5UOKQQ.js";import"./chunk-67I4JB7R.js";import"./chunk-SYJLW4B5.js";export{a as SUPPORTED_ENVELOPES,b as loadEnvelopeFormat,c as parseEnvelope,e as parsePayload,d as verifyIntegrity};
//# sourceMappingURL=envelope-O75DFWRF.js.map
