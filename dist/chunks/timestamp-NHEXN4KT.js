import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b}from"./chunk-32LQ7UZ7.js";import"./chunk-GABB3XDP.js";import"./chunk-QNI6BXOE.js";import"./chunk-RNVXJ3PP.js";import"./chunk-QQRUEOPV.js";import"./chunk-SNWFGT2E.js";import"./chunk-WY4KSZYQ.js";import"./chunk-V5TYSJDF.js";export{a as requestTimestamp,b as verifyTimestampToken};
