import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{i as a,j as b,k as c,l as d,m as e,n as f}from"./chunk-U6C5B2XM.js";import"./chunk-WY4KSZYQ.js";import"./chunk-SNWFGT2E.js";import"./chunk-V5TYSJDF.js";export{a as Certificate,b as OID,e as codeSigningChainProblem,c as parseCertificates,f as timestampingChainProblem,d as weakSignatureAlgorithm};
