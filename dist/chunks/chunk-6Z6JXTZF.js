import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
var _="1.0.0",e=`notary-sign/${_}`;export{_ as a,e as b};
//# sourceMappingURL=chunk-6Z6JXTZF.js.map
