import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a}from"./chunk-KOULGKGM.js";import"./chunk-SYJLW4B5.js";export{a as Revocation};
//# sourceMappingURL=revocation-WX44BBBQ.js.map
