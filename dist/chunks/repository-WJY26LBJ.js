import { createRequire as __cr } from 'node:module'; let __rq; const require = (id) => (__rq ??= __cr(import.meta.url))(id);
import{a}from"./chunk-UCUBBXDD.js";import"./chunk-EE5IE64U.js";import"./chunk-VY5KALQU.js";import"./chunk-TZRRLBX4.js";import"./chunk-N2WPAWQ3.js";import"./chunk-2AJ56HVK.js";import"./chunk-JHIXDOX4.js";import"./chunk-62WU5ZNV.js";import"./chunk-5UU6GPYA.js";import"./chunk-AZRNEXMO.js";import"./chunk-D447ENI5.js";export{a as RegistryRepository};
//# sourceMappingURL=repository-WJY26LBJ.js.map
