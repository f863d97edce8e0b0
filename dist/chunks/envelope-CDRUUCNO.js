import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{d as b,e as c,f as d}from"./chunk-MULT3F5I.js";import{g as a}from"./chunk-QJ72EUKG.js";import"./chunk-VJLRS3QQ.js";import"./chunk-FRJFISVS.js";import"./chunk-SNWFGT2E.js";import"./chunk-V5TYSJDF.js";export{a as SUPPORTED_ENVELOPES,b as parseEnvelope,d as parsePayload,c as verifyIntegrity};
