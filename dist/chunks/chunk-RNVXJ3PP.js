import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
var r={info(){},warn(){},debug(){}},g=(o=!1)=>({info:e=>console.error(e),warn:e=>console.error(`warning: ${e}`),debug:e=>{o&&console.error(`debug: ${e}`)}});export{r as a,g as b};
