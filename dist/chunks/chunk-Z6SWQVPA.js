import { createRequire as __cr } from 'node:module'; let __rq; const require = (id) => (__rq ??= __cr(import.meta.url))(id);
var _="1.0.0",e=`notary-sign/${_}`;export{_ as a,e as b};
//# sourceMappingURL=chunk-Z6SWQVPA.js.map
