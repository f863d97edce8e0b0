import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b,c}from"./chunk-5RTER7XV.js";import"./chunk-EOI54F4K.js";import"./chunk-43MCY3MF.js";import"./chunk-BL6WX4U3.js";import"./chunk-4DCVITNK.js";import"./chunk-MOS35ZHG.js";import"./chunk-YJBN5NTV.js";export{c as verifyDescriptor,a as verifyEnvelope,b as verifyImage};
