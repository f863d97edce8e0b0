import { createRequire as __cr } from 'node:module'; let __rq; const require = (id) => (__rq ??= __cr(import.meta.url))(id);
import{a,b,c,d,e}from"./chunk-EJI5CWGK.js";import"./chunk-2AJ56HVK.js";import"./chunk-AZRNEXMO.js";import"./chunk-D447ENI5.js";export{b as baseImages,c as expand,d as pinDockerfile,a as runnerPlatform,e as undeclaredBuildArgs};
//# sourceMappingURL=dockerfile-EXKYKZQJ.js.map
