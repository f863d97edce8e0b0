import { createRequire as __cr } from 'node:module'; let __rq; const require = (id) => (__rq ??= __cr(import.meta.url))(id);
var e=class extends Error{constructor(s,n,o){super(n,o);this.code=s}code;name="NotarySignError"};function d(r){return r instanceof e?r.message:r instanceof Error?`unexpected error: ${r.message}`:`unexpected error: ${String(r)}`}export{e as a,d as b};
//# sourceMappingURL=chunk-AZRNEXMO.js.map
