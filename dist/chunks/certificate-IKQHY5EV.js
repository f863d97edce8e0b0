import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{i as a,j as b,k as c,l as d,m as e,n as f,o as g,p as h}from"./chunk-JEDNA6VO.js";import"./chunk-MA5UOKQQ.js";import"./chunk-67I4JB7R.js";import"./chunk-SYJLW4B5.js";export{b as Certificate,a as KeyUsage,d as OID,g as codeSigningChainProblem,e as parseCertificates,c as serialHex,h as timestampingChainProblem,f as weakSignatureAlgorithm};
//# sourceMappingURL=certificate-IKQHY5EV.js.map
