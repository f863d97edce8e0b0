import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b,c,d,e}from"./chunk-5NOT26J3.js";import"./chunk-DQ5ZLKEG.js";import"./chunk-SNWFGT2E.js";import"./chunk-V5TYSJDF.js";export{b as baseImages,c as expand,d as pinDockerfile,a as runnerPlatform,e as undeclaredBuildArgs};
