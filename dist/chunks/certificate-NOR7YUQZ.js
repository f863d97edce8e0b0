import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{i as a,j as b,k as c,l as d,m as e,n as f}from"./chunk-UAW2NGSJ.js";import"./chunk-MA5UOKQQ.js";import"./chunk-Q3C3TP5A.js";import"./chunk-SYJLW4B5.js";export{a as Certificate,b as OID,e as codeSigningChainProblem,c as parseCertificates,f as timestampingChainProblem,d as weakSignatureAlgorithm};
//# sourceMappingURL=certificate-NOR7YUQZ.js.map
