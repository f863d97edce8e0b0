import { createRequire as __cr } from 'node:module'; let __rq; const require = (id) => (__rq ??= __cr(import.meta.url))(id);
function t(r){return Object.assign(e=>r?r(e)??e:e,{has:e=>!r||r(e)!==void 0})}function i(r){return r.has("registry-username")?`${r("registry-username")}/${r("registry-password")} or your docker login`:r.has("container-registry")?`the ${r("container-registry")} service connection`:"your docker login"}export{t as a,i as b};
//# sourceMappingURL=chunk-62WU5ZNV.js.map
