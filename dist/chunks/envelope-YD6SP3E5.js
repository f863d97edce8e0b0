import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{d as b,e as c,f as d}from"./chunk-ZJA6BJRM.js";import{g as a}from"./chunk-5CGJT5BD.js";import"./chunk-EVLO6EPO.js";import"./chunk-GOD63ADF.js";import"./chunk-UAW2NGSJ.js";import"./chunk-MA5UOKQQ.js";import"./chunk-Q3C3TP5A.js";import"./chunk-SYJLW4B5.js";export{a as SUPPORTED_ENVELOPES,b as parseEnvelope,d as parsePayload,c as verifyIntegrity};
//# sourceMappingURL=envelope-YD6SP3E5.js.map
