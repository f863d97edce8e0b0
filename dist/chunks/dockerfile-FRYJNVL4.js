import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b,c,d,e}from"./chunk-S6MBZNVN.js";import"./chunk-GOD63ADF.js";import"./chunk-Q3C3TP5A.js";import"./chunk-SYJLW4B5.js";export{b as baseImages,c as expand,d as pinDockerfile,a as runnerPlatform,e as undeclaredBuildArgs};
//# sourceMappingURL=dockerfile-FRYJNVL4.js.map
