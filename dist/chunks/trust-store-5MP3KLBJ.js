import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b,c}from"./chunk-DVBAGFZL.js";import"./chunk-3XTEW6KA.js";import"./chunk-DGVWWW4H.js";import"./chunk-WY4KSZYQ.js";import"./chunk-SNWFGT2E.js";import"./chunk-V5TYSJDF.js";export{a as MemoryTrustStore,b as TrustStore,c as storeCertificateProblem};
