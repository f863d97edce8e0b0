import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a}from"./chunk-MIOR7DFZ.js";import"./chunk-VSQ4QMXC.js";import"./chunk-IIB66EVQ.js";import"./chunk-5CGJT5BD.js";import"./chunk-EVLO6EPO.js";import"./chunk-J44DSJQX.js";import"./chunk-HRLY7OEB.js";import"./chunk-P3QUZTA4.js";import"./chunk-3V2NTJ7C.js";import"./chunk-67I4JB7R.js";import"./chunk-SYJLW4B5.js";export{a as RegistryRepository};
//# sourceMappingURL=repository-WELNKBP6.js.map
