import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b}from"./chunk-BFBXZ2PM.js";import"./chunk-AZANNNMX.js";import"./chunk-U6C5B2XM.js";import"./chunk-WY4KSZYQ.js";import"./chunk-SNWFGT2E.js";import"./chunk-V5TYSJDF.js";export{b as LocalKeySigner,a as checkSigningMaterial};
