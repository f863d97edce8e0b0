import { createRequire as __cr } from 'node:module'; let __rq; const require = (id) => (__rq ??= __cr(import.meta.url))(id);
var n={info(){},warn(){},debug(){}},s=(o=!1)=>({info:e=>console.error(e),warn:e=>console.error(`warning: ${e}`),debug:e=>{o&&console.error(`debug: ${e}`)}});function i(o,e){let r=0;return g=>{r++,e>3&&o.info(`(${r} of ${e}) ${g}`)}}export{n as a,s as b,i as c};
//# sourceMappingURL=chunk-5UU6GPYA.js.map
