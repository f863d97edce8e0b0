import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a}from"./chunk-EU6GWSMR.js";import"./chunk-SZJXFYIY.js";import"./chunk-CNV6USPQ.js";import"./chunk-5CGJT5BD.js";import"./chunk-EVLO6EPO.js";import"./chunk-GOD63ADF.js";import"./chunk-GMXM6MYJ.js";import"./chunk-P3QUZTA4.js";import"./chunk-3V2NTJ7C.js";import"./chunk-Q3C3TP5A.js";import"./chunk-SYJLW4B5.js";export{a as RegistryRepository};
//# sourceMappingURL=repository-72TXMNVA.js.map
