import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b,c,d}from"./chunk-O6XCPGLO.js";import"./chunk-VJLRS3QQ.js";import"./chunk-SNWFGT2E.js";import"./chunk-V5TYSJDF.js";export{b as baseImages,c as expand,d as pinDockerfile,a as runnerPlatform};
