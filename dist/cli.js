import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import"./chunks/chunk-DXXXPM67.js";import{a as w}from"./chunks/chunk-HFSGAG7F.js";import"./chunks/chunk-THDKAYHL.js";import{a as I,c as f,d as l,e as m}from"./chunks/chunk-SQ5KHTRS.js";import{b as d}from"./chunks/chunk-RNVXJ3PP.js";import{a,b as T}from"./chunks/chunk-SNWFGT2E.js";import"./chunks/chunk-V5TYSJDF.js";import{parseArgs as C}from"node:util";var y=`notary-sign ${w} \u2014 Notary Project signatures for container images

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
`,A={"insecure-registry":{type:"string",multiple:!0},"acr-host":{type:"string",multiple:!0},"client-id":{type:"string"},"tenant-id":{type:"string"},"authority-host":{type:"string"},"azure-devops-service-connection":{type:"string"},"registry-username":{type:"string"},"registry-password-stdin":{type:"boolean"},output:{type:"string"},verbose:{type:"boolean"},help:{type:"boolean",short:"h"}};async function O(){let e=[];for await(let t of process.stdin)e.push(t);return Buffer.concat(e).toString("utf8").replace(/\r?\n$/,"")}function h(e,t){try{return C({args:e,options:{...A,...t},allowPositionals:!0,strict:!0})}catch(i){throw new a("INPUT",`${i.message}; run notary-sign --help`)}}async function k(e,t){let{Session:i}=await import("./chunks/setup-P27BFA56.js"),n;if(e["registry-username"]){if(!e["registry-password-stdin"])throw new a("INPUT","--registry-username needs --registry-password-stdin (the password is read from standard input)");n={username:e["registry-username"],password:await O()}}let o=process.env,c=o.ACTIONS_ID_TOKEN_REQUEST_URL&&o.ACTIONS_ID_TOKEN_REQUEST_TOKEN?{requestUrl:o.ACTIONS_ID_TOKEN_REQUEST_URL,requestToken:o.ACTIONS_ID_TOKEN_REQUEST_TOKEN}:void 0,u=e["azure-devops-service-connection"];return new i({...e["key-id"]?{keyId:e["key-id"]}:{},...e.key?{key:e.key}:{},...e["certificate-chain"]?{certificateChain:e["certificate-chain"]}:{},azure:{...e["client-id"]?{clientId:e["client-id"]}:{},...e["tenant-id"]?{tenantId:e["tenant-id"]}:{},...e["authority-host"]?{authorityHost:e["authority-host"]}:{},...u?{azurePipelines:{serviceConnectionId:u,systemAccessToken:o.SYSTEM_ACCESSTOKEN??""}}:c&&e["client-id"]?{github:c}:{}},...n?{registryCredentials:n,registries:t}:{},insecureRegistries:m(e["insecure-registry"]??[],"--insecure-registry"),acrHosts:m(e["acr-host"]??[],"--acr-host"),logger:d(e.verbose)})}function b(e){if(e===void 0||e==="text"||e==="json")return e??"text";throw new a("INPUT",`--output: "${e}" is not text or json`)}async function $(e){let{values:t,positionals:i}=h(e,{"key-id":{type:"string"},key:{type:"string"},"certificate-chain":{type:"string"},expiry:{type:"string"},annotation:{type:"string",multiple:!0},referrers:{type:"string"}});if(t.help)return process.stdout.write(y),0;let n=b(t.output);if(!t.key&&!t["key-id"])throw new a("INPUT","--key-id (Azure Key Vault key URL) or --key (local PEM private key) is required");if(t.key&&!t["certificate-chain"])throw new a("INPUT","--certificate-chain is required with --key: PEM certificates, signing certificate first");let{parseReference:o}=await import("./chunks/reference-YAOB4RPJ.js"),c=[...new Set(i.map(g=>o(g).registry))],u=await k(t,c),p=await u.signer(),{sign:s}=await import("./chunks/sign-5DUAO4PV.js"),r=await s({images:i,signer:p,registry:await u.registry(),...t.expiry?{expiryMs:I(t.expiry,"--expiry")}:{},annotations:f(t.annotation??[],"--annotation"),referrers:l(t.referrers,"--referrers"),logger:d(t.verbose)});if(n==="json")process.stdout.write(`${JSON.stringify(r,null,2)}
`);else for(let g of r)process.stdout.write(`${g.signedReference}	signature ${g.signatureDigest}	${g.storage}
`);return 0}var N={"trust-policy":{type:"string"},"trust-store":{type:"string"},"required-annotation":{type:"string",multiple:!0},referrers:{type:"string"}};async function P(e){if(!e["trust-policy"])throw new a("INPUT","--trust-policy is required: a Notary Project trustpolicy.json");if(!e["trust-store"])throw new a("INPUT","--trust-store is required: a directory with x509/ca/<name>/ certificates");let{readTrustPolicy:t}=await import("./chunks/trust-policy-WKTFY5A2.js"),{TrustStore:i}=await import("./chunks/trust-store-MSBZKQFT.js");return{trustPolicy:await t(e["trust-policy"]),trustStore:new i(e["trust-store"]),requiredAnnotations:f(e["required-annotation"]??[],"--required-annotation"),referrers:l(e.referrers,"--referrers"),logger:d(e.verbose)}}var S=e=>e?"PASS":"FAIL";async function R(e){let{values:t,positionals:i}=h(e,N);if(t.help)return process.stdout.write(y),0;let n=b(t.output);if(i.length===0)throw new a("INPUT","verify: give at least one image reference");let o=await P(t),{parseReference:c}=await import("./chunks/reference-YAOB4RPJ.js"),u=await(await k(t,[...new Set(i.map(r=>c(r).registry))])).registry(),{verifyImage:p}=await import("./chunks/verify-JUZCH6NK.js"),s=[];for(let r of i)s.push(await p(r,{registry:u,...o}));if(n==="json")process.stdout.write(`${JSON.stringify(s,null,2)}
`);else for(let r of s)process.stdout.write(`${S(r.verified)}	${r.reference}	${r.reason}
`);return s.every(r=>r.verified)?0:1}async function U(e){let{values:t}=h(e,{...N,dockerfile:{type:"string"},"build-arg":{type:"string",multiple:!0},platform:{type:"string"},"pin-output":{type:"string"}});if(t.help)return process.stdout.write(y),0;let i=b(t.output);if(!t.dockerfile)throw new a("INPUT","--dockerfile is required");let n=await P(t),{verifyBaseImages:o}=await import("./chunks/verify-base-KBZARP76.js"),c=[];if(t["registry-username"]){let{readFile:s}=await import("node:fs/promises"),{baseImages:r}=await import("./chunks/dockerfile-ZA4G7QRP.js"),g=await s(t.dockerfile,"utf8").catch(()=>"");c=[...new Set(r(g,f(t["build-arg"]??[],"--build-arg"),t.dockerfile).map(E=>E.ref.registry))]}let u=await(await k(t,c)).registry(),p=await o({registry:u,...n,dockerfile:t.dockerfile,buildArgs:f(t["build-arg"]??[],"--build-arg"),...t.platform?{platform:t.platform}:{},...t["pin-output"]?{pinOutput:t["pin-output"]}:{}});if(i==="json"){let{pinnedDockerfile:s,...r}=p;process.stdout.write(`${JSON.stringify(r,null,2)}
`)}else for(let s of p.images)process.stdout.write(`${S(s.verified)}	${s.image}	${s.reference}	${s.reason}
`);if(!p.verified){let s=p.images.filter(r=>!r.verified).map(r=>r.image);process.stderr.write(`error: ${s.length} base image${s.length===1?"":"s"} of ${t.dockerfile} failed verification: ${s.join(", ")}
`)}return p.verified?0:1}async function v(e){let[t,...i]=e;try{switch(t){case"sign":return await $(i);case"verify":return await R(i);case"verify-base":return await U(i);case"version":case"--version":return process.stdout.write(`${w}
`),0;case void 0:case"help":case"--help":case"-h":return process.stdout.write(y),t===void 0?2:0;default:throw new a("INPUT",`unknown command "${t}"; run notary-sign --help`)}}catch(n){return process.stderr.write(`error: ${T(n)}
`),process.env.NOTARY_SIGN_DEBUG&&n instanceof Error&&process.stderr.write(`${n.stack}
`),1}}process.exitCode=await v(process.argv.slice(2));
