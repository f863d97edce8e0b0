import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{webcrypto as n}from"node:crypto";var o;function r(){return o??=import("./build-GNRVTUAF.js").then(e=>(e.setEngine("node",new e.CryptoEngine({name:"node",crypto:n})),e)),o}export{r as a};
//# sourceMappingURL=chunk-LG5265XS.js.map
