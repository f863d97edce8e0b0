import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b,c,d,e}from"./chunk-3TTRS67K.js";import"./chunk-J44DSJQX.js";import"./chunk-67I4JB7R.js";import"./chunk-SYJLW4B5.js";export{b as baseImages,c as expand,d as pinDockerfile,a as runnerPlatform,e as undeclaredBuildArgs};
//# sourceMappingURL=dockerfile-Y5QSO3BK.js.map
