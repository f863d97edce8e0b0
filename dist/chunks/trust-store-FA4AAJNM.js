import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b,c}from"./chunk-EJKBDEK7.js";import"./chunk-3XTEW6KA.js";import"./chunk-U6C5B2XM.js";import"./chunk-WY4KSZYQ.js";import"./chunk-SNWFGT2E.js";import"./chunk-V5TYSJDF.js";export{a as MemoryTrustStore,b as TrustStore,c as storeCertificateProblem};
