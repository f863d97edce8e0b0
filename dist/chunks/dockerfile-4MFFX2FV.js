import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b,c}from"./chunk-6WIGENC7.js";import"./chunk-MOS35ZHG.js";import"./chunk-YJBN5NTV.js";export{a as baseImages,b as expand,c as pinDockerfile};
