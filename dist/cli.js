import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import"./chunks/chunk-DXXXPM67.js";import{a as l}from"./chunks/chunk-HFSGAG7F.js";import"./chunks/chunk-OHOXM7JN.js";import{b as d}from"./chunks/chunk-RNVXJ3PP.js";import{a as c,b as N}from"./chunks/chunk-SNWFGT2E.js";import"./chunks/chunk-V5TYSJDF.js";import{parseArgs as R}from"node:util";var C={s:1e3,m:6e4,h:36e5,d:864e5,w:6048e5};function T(e,t){let r=e.trim(),i=/(\d+)([smhdw])/gy,s=0,a,u=0;for(;a=i.exec(r);)s+=Number(a[1])*C[a[2]],u=i.lastIndex;if(r===""||u!==r.length||s<=0||!Number.isSafeInteger(s))throw new c("INPUT",`${t}: "${e}" is not a duration; use a number with s, m, h, d or w, e.g. 30d or 12h`);return s}function m(e){return e?e.split(/[\n,]/).map(t=>t.trim()).filter(t=>t!==""&&!t.startsWith("#")):[]}function p(e,t){let r=Array.isArray(e)?e.flatMap(s=>m(s)):m(e),i={};for(let s of r){let a=s.indexOf("=");if(a<=0)throw new c("INPUT",`${t}: "${s}" is not key=value`);let u=s.slice(0,a).trim();if(u in i)throw new c("INPUT",`${t}: key "${u}" is given twice`);i[u]=s.slice(a+1)}return i}function h(e,t="referrers"){let r=(e??"").trim()||"auto";if(r==="auto"||r==="api"||r==="tag")return r;throw new c("INPUT",`${t}: "${e}" is not one of auto, api, tag`)}var v=/^(?:[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*|\[[0-9a-fA-F:.]+\])(?::\d{1,5})?$/;function w(e,t="insecure-registries"){let r=e.flatMap(i=>m(i));for(let i of r)if(!v.test(i))throw new c("INPUT",`${t}: "${i}" is not a host[:port] (no scheme, no path)`);return r}var y=`notary-sign ${l} \u2014 Notary Project signatures for container images

Usage:
  notary-sign sign <image>... --key <key.pem> --certificate-chain <chain.pem> [options]
  notary-sign verify <image>... --trust-policy <trustpolicy.json> --trust-store <dir> [options]
  notary-sign verify-base --dockerfile <Dockerfile> --trust-policy <file> --trust-store <dir> [options]

sign options:
  --key-id <url>               Azure Key Vault key or certificate URL (the private key stays in the vault)
  --key <file>                 or a local PEM private key (RSA 2048/3072/4096 or EC P-256/384/521)
  --certificate-chain <file>   PEM certificates, signing certificate first, ending with the root
                               (optional with --key-id: read from Key Vault otherwise)
  --expiry <duration>          signature validity, e.g. 30d, 12h (default: none)
  --annotation <k=v>           signed user metadata (repeatable)
  --referrers <auto|api|tag>   how to attach the signature (default: auto)

verify and verify-base options:
  --trust-policy <file>        Notary Project trust policy (trustpolicy.json, version 1.0)
  --trust-store <dir>          trust store directory: x509/ca/<name>/*.pem, x509/signingAuthority/..., x509/tsa/...
  --required-annotation <k=v>  the signature must carry this signed annotation (repeatable)
  --referrers <auto|api|tag>   where to look for signatures (default: auto)

verify-base options:
  --dockerfile <file>          the Dockerfile whose FROM / COPY --from images are verified
  --build-arg <K=V>            value for a global ARG used in FROM lines (repeatable)
  --platform <os/arch>         platform to report for multi-platform base images
  --pin-output <file>          write the Dockerfile with every image pinned to its verified digest

Azure options (Key Vault and ACR):
  --client-id <id>, --tenant-id <id>  the app registration or managed identity to sign in as
  --authority-host <url>       Entra authority for sovereign clouds (default: public cloud)
  --azure-devops-service-connection <id>  sign in through this WIF service connection (uses SYSTEM_ACCESSTOKEN)
  --acr-host <host>            treat this login server as ACR (besides *.azurecr.io; repeatable)
  In GitHub Actions with id-token: write, --client-id/--tenant-id sign in through GitHub OIDC;
  otherwise DefaultAzureCredential (environment, workload identity, managed identity, Azure CLI).

common options:
  --insecure-registry <host:port>  allow plain HTTP for this registry (repeatable)
  --registry-username <user>       registry user (default: docker config credentials)
  --registry-password-stdin        read the registry password from standard input
  --output <text|json>             result format on stdout (default: text)
  --verbose                        debug logging on stderr
`,x={"insecure-registry":{type:"string",multiple:!0},"acr-host":{type:"string",multiple:!0},"client-id":{type:"string"},"tenant-id":{type:"string"},"authority-host":{type:"string"},"azure-devops-service-connection":{type:"string"},"registry-username":{type:"string"},"registry-password-stdin":{type:"boolean"},output:{type:"string"},verbose:{type:"boolean"},help:{type:"boolean",short:"h"}};async function _(){let e=[];for await(let t of process.stdin)e.push(t);return Buffer.concat(e).toString("utf8").replace(/\r?\n$/,"")}function k(e,t){try{return R({args:e,options:{...x,...t},allowPositionals:!0,strict:!0})}catch(r){throw new c("INPUT",`${r.message}; run notary-sign --help`)}}async function b(e,t){let{Session:r}=await import("./chunks/setup-Y5CGW77B.js"),i;if(e["registry-username"]){if(!e["registry-password-stdin"])throw new c("INPUT","--registry-username needs --registry-password-stdin (the password is read from standard input)");i={username:e["registry-username"],password:await _()}}let s=process.env,a=s.ACTIONS_ID_TOKEN_REQUEST_URL&&s.ACTIONS_ID_TOKEN_REQUEST_TOKEN?{requestUrl:s.ACTIONS_ID_TOKEN_REQUEST_URL,requestToken:s.ACTIONS_ID_TOKEN_REQUEST_TOKEN}:void 0,u=e["azure-devops-service-connection"];return new r({...e["key-id"]?{keyId:e["key-id"]}:{},...e.key?{key:e.key}:{},...e["certificate-chain"]?{certificateChain:e["certificate-chain"]}:{},azure:{...e["client-id"]?{clientId:e["client-id"]}:{},...e["tenant-id"]?{tenantId:e["tenant-id"]}:{},...e["authority-host"]?{authorityHost:e["authority-host"]}:{},...u?{azurePipelines:{serviceConnectionId:u,systemAccessToken:s.SYSTEM_ACCESSTOKEN??""}}:a&&e["client-id"]?{github:a}:{}},...i?{registryCredentials:i,registries:t}:{},insecureRegistries:w(e["insecure-registry"]??[],"--insecure-registry"),acrHosts:w(e["acr-host"]??[],"--acr-host"),logger:d(e.verbose)})}function I(e){if(e===void 0||e==="text"||e==="json")return e??"text";throw new c("INPUT",`--output: "${e}" is not text or json`)}async function O(e){let{values:t,positionals:r}=k(e,{"key-id":{type:"string"},key:{type:"string"},"certificate-chain":{type:"string"},expiry:{type:"string"},annotation:{type:"string",multiple:!0},referrers:{type:"string"}});if(t.help)return process.stdout.write(y),0;let i=I(t.output);if(!t.key&&!t["key-id"])throw new c("INPUT","--key-id (Azure Key Vault key URL) or --key (local PEM private key) is required");if(t.key&&!t["certificate-chain"])throw new c("INPUT","--certificate-chain is required with --key: PEM certificates, signing certificate first");let{parseReference:s}=await import("./chunks/reference-YAOB4RPJ.js"),a=[...new Set(r.map(f=>s(f).registry))],u=await b(t,a),g=await u.signer(),{sign:o}=await import("./chunks/sign-OIW7PHK2.js"),n=await o({images:r,signer:g,registry:await u.registry(),...t.expiry?{expiryMs:T(t.expiry,"--expiry")}:{},annotations:p(t.annotation??[],"--annotation"),referrers:h(t.referrers,"--referrers"),logger:d(t.verbose)});if(i==="json")process.stdout.write(`${JSON.stringify(n,null,2)}
`);else for(let f of n)process.stdout.write(`${f.signedReference}	signature ${f.signatureDigest}	${f.storage}
`);return 0}var P={"trust-policy":{type:"string"},"trust-store":{type:"string"},"required-annotation":{type:"string",multiple:!0},referrers:{type:"string"}};async function S(e){if(!e["trust-policy"])throw new c("INPUT","--trust-policy is required: a Notary Project trustpolicy.json");if(!e["trust-store"])throw new c("INPUT","--trust-store is required: a directory with x509/ca/<name>/ certificates");let{readTrustPolicy:t}=await import("./chunks/trust-policy-WKTFY5A2.js"),{TrustStore:r}=await import("./chunks/trust-store-MSBZKQFT.js");return{trustPolicy:await t(e["trust-policy"]),trustStore:new r(e["trust-store"]),requiredAnnotations:p(e["required-annotation"]??[],"--required-annotation"),referrers:h(e.referrers,"--referrers"),logger:d(e.verbose)}}var E=e=>e?"PASS":"FAIL";async function U(e){let{values:t,positionals:r}=k(e,P);if(t.help)return process.stdout.write(y),0;let i=I(t.output);if(r.length===0)throw new c("INPUT","verify: give at least one image reference");let s=await S(t),{parseReference:a}=await import("./chunks/reference-YAOB4RPJ.js"),u=await(await b(t,[...new Set(r.map(n=>a(n).registry))])).registry(),{verifyImage:g}=await import("./chunks/verify-V3PVGBDW.js"),o=[];for(let n of r)o.push(await g(n,{registry:u,...s}));if(i==="json")process.stdout.write(`${JSON.stringify(o,null,2)}
`);else for(let n of o)process.stdout.write(`${E(n.verified)}	${n.reference}	${n.reason}
`);return o.every(n=>n.verified)?0:1}async function M(e){let{values:t}=k(e,{...P,dockerfile:{type:"string"},"build-arg":{type:"string",multiple:!0},platform:{type:"string"},"pin-output":{type:"string"}});if(t.help)return process.stdout.write(y),0;let r=I(t.output);if(!t.dockerfile)throw new c("INPUT","--dockerfile is required");let i=await S(t),{verifyBaseImages:s}=await import("./chunks/verify-base-P2TT3BXL.js"),a=[];if(t["registry-username"]){let{readFile:o}=await import("node:fs/promises"),{baseImages:n}=await import("./chunks/dockerfile-ZA4G7QRP.js"),f=await o(t.dockerfile,"utf8").catch(()=>"");a=[...new Set(n(f,p(t["build-arg"]??[],"--build-arg"),t.dockerfile).map(A=>A.ref.registry))]}let u=await(await b(t,a)).registry(),g=await s({registry:u,...i,dockerfile:t.dockerfile,buildArgs:p(t["build-arg"]??[],"--build-arg"),...t.platform?{platform:t.platform}:{},...t["pin-output"]?{pinOutput:t["pin-output"]}:{}});if(r==="json"){let{pinnedDockerfile:o,...n}=g;process.stdout.write(`${JSON.stringify(n,null,2)}
`)}else for(let o of g.images)process.stdout.write(`${E(o.verified)}	${o.image}	${o.reference}	${o.reason}
`);if(!g.verified){let o=g.images.filter(n=>!n.verified).map(n=>n.image);process.stderr.write(`error: ${o.length} base image${o.length===1?"":"s"} of ${t.dockerfile} failed verification: ${o.join(", ")}
`)}return g.verified?0:1}async function $(e){let[t,...r]=e;try{switch(t){case"sign":return await O(r);case"verify":return await U(r);case"verify-base":return await M(r);case"version":case"--version":return process.stdout.write(`${l}
`),0;case void 0:case"help":case"--help":case"-h":return process.stdout.write(y),t===void 0?2:0;default:throw new c("INPUT",`unknown command "${t}"; run notary-sign --help`)}}catch(i){return process.stderr.write(`error: ${N(i)}
`),process.env.NOTARY_SIGN_DEBUG&&i instanceof Error&&process.stderr.write(`${i.stack}
`),1}}process.exitCode=await $(process.argv.slice(2));
