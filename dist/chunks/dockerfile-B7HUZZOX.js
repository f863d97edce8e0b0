import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b,c}from"./chunk-4NL7C4OI.js";import"./chunk-3UEZLUUI.js";import"./chunk-SNWFGT2E.js";import"./chunk-V5TYSJDF.js";export{a as baseImages,b as expand,c as pinDockerfile};
