import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
var e=class extends Error{constructor(s,n,o){super(n,o);this.code=s}code;name="NotarySignError"};function d(r){return r instanceof e?r.message:r instanceof Error?`unexpected error: ${r.message}`:`unexpected error: ${String(r)}`}export{e as a,d as b};
//# sourceMappingURL=chunk-67I4JB7R.js.map
