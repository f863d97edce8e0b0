import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
var o=class{constructor(e={}){this.options=e}options;checker;get(){return this.checker??=import("./revocation-Z5H3BFHW.js").then(e=>new e.RevocationChecker(this.options))}};export{o as a};
//# sourceMappingURL=chunk-L57PSU4X.js.map
