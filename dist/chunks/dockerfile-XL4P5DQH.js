import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b,c}from"./chunk-JP5YMFH6.js";import"./chunk-VJLRS3QQ.js";import"./chunk-SNWFGT2E.js";import"./chunk-V5TYSJDF.js";export{a as baseImages,b as expand,c as pinDockerfile};
