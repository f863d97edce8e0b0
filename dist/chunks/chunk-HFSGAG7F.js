import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
var _="0.1.0",N=`notary-sign/${_}`;export{_ as a,N as b};
