import { createRequire as __cr } from 'node:module'; let __rq; const require = (id) => (__rq ??= __cr(import.meta.url))(id);
async function m(t,r,n){let e=new Array(t.length),a=0,i=async()=>{for(;a<t.length;){let o=a++;e[o]=await n(t[o],o)}};return await Promise.all(Array.from({length:Math.max(1,Math.min(r,t.length))},i)),e}function c(t){let r=new Map;return n=>{let e=r.get(n);return e||(e=t(n),r.set(n,e),e.catch(()=>r.delete(n))),e}}export{m as a,c as b};
//# sourceMappingURL=chunk-5D5KOKWN.js.map
