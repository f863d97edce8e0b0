import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b,c}from"./chunk-GXZXLTOL.js";import"./chunk-NX7FHJSC.js";import"./chunk-XQT7JKRV.js";import"./chunk-BL6WX4U3.js";import"./chunk-I27ZSG2D.js";import"./chunk-MOS35ZHG.js";import"./chunk-YJBN5NTV.js";export{c as verifyDescriptor,a as verifyEnvelope,b as verifyImage};
