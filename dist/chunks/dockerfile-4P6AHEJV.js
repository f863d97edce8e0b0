import { createRequire as __cr } from 'node:module'; let __rq; const require = (id) => (__rq ??= __cr(import.meta.url))(id);
import{a,b,c,d,e}from"./chunk-NHLL4AYK.js";import"./chunk-IDCFNBOE.js";import"./chunk-AZRNEXMO.js";import"./chunk-D447ENI5.js";export{b as baseImages,c as expand,d as pinDockerfile,a as runnerPlatform,e as undeclaredBuildArgs};
//# sourceMappingURL=dockerfile-4P6AHEJV.js.map
