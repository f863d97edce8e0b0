import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{j as a,k as b,l as c,m as d,n as e,o as f,p as g}from"./chunk-NEZ3KUVG.js";import"./chunk-MA5UOKQQ.js";import"./chunk-67I4JB7R.js";import"./chunk-SYJLW4B5.js";export{a as Certificate,c as OID,f as codeSigningChainProblem,d as parseCertificates,b as serialHex,g as timestampingChainProblem,e as weakSignatureAlgorithm};
//# sourceMappingURL=certificate-PYSU5TWR.js.map
