import { createRequire as __cr } from 'node:module'; let __rq; const require = (id) => (__rq ??= __cr(import.meta.url))(id);
import{webcrypto as n}from"node:crypto";var o;function r(){return o??=import("./build-AH4P5KND.js").then(e=>(e.setEngine("node",new e.CryptoEngine({name:"node",crypto:n})),e)),o}export{r as a};
//# sourceMappingURL=chunk-BEJ2BMNJ.js.map
