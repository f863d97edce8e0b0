import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
var o=class{constructor(e={}){this.options=e}options;checker;get(){return this.checker??=import("./revocation-C2N6XXLN.js").then(e=>new e.RevocationChecker(this.options))}};export{o as a};
//# sourceMappingURL=chunk-KOULGKGM.js.map
