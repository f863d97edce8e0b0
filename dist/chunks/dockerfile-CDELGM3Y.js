import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b,c}from"./chunk-QEHRYXTR.js";import"./chunk-3NFG2A2W.js";import"./chunk-SNWFGT2E.js";import"./chunk-V5TYSJDF.js";export{a as baseImages,b as expand,c as pinDockerfile};
