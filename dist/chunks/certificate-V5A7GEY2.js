import { createRequire as __cr } from 'node:module'; let __rq; const require = (id) => (__rq ??= __cr(import.meta.url))(id);
import{i as a,j as b,k as c,l as d,m as e,n as f,o as g,p as h}from"./chunk-2USUJNEN.js";import"./chunk-AZRNEXMO.js";import"./chunk-D447ENI5.js";export{b as Certificate,a as KeyUsage,d as OID,g as codeSigningChainProblem,e as parseCertificates,c as serialHex,h as timestampingChainProblem,f as weakSignatureAlgorithm};
//# sourceMappingURL=certificate-V5A7GEY2.js.map
