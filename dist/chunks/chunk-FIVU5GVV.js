import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
var o=class{constructor(e={}){this.options=e}options;checker;get(){return this.checker??=import("./revocation-XRDP54EM.js").then(e=>new e.RevocationChecker(this.options))}};export{o as a};
//# sourceMappingURL=chunk-FIVU5GVV.js.map
