import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a as f}from"./chunks/chunk-VLWDJKXH.js";import{e as d}from"./chunks/chunk-YPDEB5KY.js";import{b as y}from"./chunks/chunk-RNVXJ3PP.js";import{a as g,b as l}from"./chunks/chunk-SNWFGT2E.js";import"./chunks/chunk-V5TYSJDF.js";import{realpathSync as S}from"node:fs";import{fileURLToPath as T}from"node:url";import{parseArgs as v}from"node:util";var w=`notary-sign ${f} \u2014 Notary Project signatures for container images

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
  --signature-format <jws|cose>  envelope format (default: jws)
  --recursive                  for an image index, also sign every platform manifest
  --timestamp-url <url>        RFC 3161 TSA to countersign each signature
  --timestamp-root-cert <file> PEM root the TSA's tokens must chain to

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
  --debug                          also print the stack trace of an error
`,I={"insecure-registry":{type:"string",multiple:!0},"acr-host":{type:"string",multiple:!0},"client-id":{type:"string"},"tenant-id":{type:"string"},"authority-host":{type:"string"},"azure-devops-service-connection":{type:"string"},"registry-username":{type:"string"},"registry-password-stdin":{type:"boolean"},output:{type:"string"},verbose:{type:"boolean"},help:{type:"boolean",short:"h"}};async function C(){let t=[];for await(let i of process.stdin)t.push(i);return Buffer.concat(t).toString("utf8").replace(/\r?\n$/,"")}function _(t,i){try{return v({args:t,options:{...I,...i},allowPositionals:!0,strict:!0})}catch(r){throw new g("INPUT",`${r.message}; run notary-sign --help`)}}async function R(t){let i;if(t["registry-username"]){if(!t["registry-password-stdin"])throw new g("INPUT","--registry-username needs --registry-password-stdin (the password is read from standard input)");i={username:t["registry-username"],password:await C()}}let r=process.env,a=r.ACTIONS_ID_TOKEN_REQUEST_URL&&r.ACTIONS_ID_TOKEN_REQUEST_TOKEN?{requestUrl:r.ACTIONS_ID_TOKEN_REQUEST_URL,requestToken:r.ACTIONS_ID_TOKEN_REQUEST_TOKEN}:void 0,s=t["azure-devops-service-connection"],e=a&&!t["client-id"]&&!t["tenant-id"]&&r.AZURE_CLIENT_ID&&r.AZURE_TENANT_ID,c=t["client-id"]??(e?r.AZURE_CLIENT_ID:void 0),u=t["tenant-id"]??(e?r.AZURE_TENANT_ID:void 0);return{...t["key-id"]?{keyId:t["key-id"]}:{},...t.key?{key:t.key}:{},...t["certificate-chain"]?{certificateChain:t["certificate-chain"]}:{},azure:{...c?{clientId:c}:{},...u?{tenantId:u}:{},...t["authority-host"]?{authorityHost:t["authority-host"]}:{},...s?{azurePipelines:{serviceConnectionId:s,systemAccessToken:r.SYSTEM_ACCESSTOKEN??""}}:a&&c?{github:a}:{}},...i?{registryCredentials:i}:{},insecureRegistries:d(t["insecure-registry"]??[],"--insecure-registry"),acrHosts:d(t["acr-host"]??[],"--acr-host")}}function P(t){if(t===void 0||t==="text"||t==="json")return t??"text";throw new g("INPUT",`--output: "${t}" is not text or json`)}var O={"key-id":{type:"string"},key:{type:"string"},"certificate-chain":{type:"string"},expiry:{type:"string"},annotation:{type:"string",multiple:!0},referrers:{type:"string"},"signature-format":{type:"string"},recursive:{type:"boolean"},"timestamp-url":{type:"string"},"timestamp-root-cert":{type:"string"}},$={"trust-policy":{type:"string"},"trust-store":{type:"string"},"required-annotation":{type:"string",multiple:!0},referrers:{type:"string"},dockerfile:{type:"string"},"build-arg":{type:"string",multiple:!0},platform:{type:"string"},"pin-output":{type:"string"}},m=t=>t?"PASS":"FAIL",U={image:"<image>",annotations:"--annotation","required-annotations":"--required-annotation","build-args":"--build-arg","insecure-registries":"--insecure-registry","acr-hosts":"--acr-host","registry-password":"--registry-password-stdin"},x=t=>U[t]??`--${t}`;async function D(t,i){let{values:r,positionals:a}=_(i,t==="sign"?O:$),s=r,e=n=>typeof s[n]=="string"?s[n]:void 0,c=n=>Array.isArray(s[n])?s[n]:[];if(s.help)return process.stdout.write(w),0;let u=P(e("output")),k=await R(r),{run:N}=await import("./chunks/run-NRMB3CZT.js"),o=await N({command:t,images:a,session:k,logger:y(s.verbose===!0),inputName:x,...e("signature-format")?{signatureFormat:e("signature-format")}:{},...e("expiry")?{expiry:e("expiry")}:{},annotations:c("annotation"),...e("referrers")?{referrers:e("referrers")}:{},recursive:s.recursive===!0,...e("timestamp-url")?{timestampUrl:e("timestamp-url")}:{},...e("timestamp-root-cert")?{timestampRootCert:e("timestamp-root-cert")}:{},requiredAnnotations:c("required-annotation"),...e("dockerfile")?{dockerfile:e("dockerfile")}:{},buildArgs:c("build-arg"),...e("platform")?{platform:e("platform")}:{},...e("trust-policy")?{trustPolicy:e("trust-policy")}:{},...e("trust-store")?{trustStore:e("trust-store")}:{},...e("pin-output")?{pinOutput:e("pin-output")}:{}});if(o.signed)if(u==="json")process.stdout.write(`${JSON.stringify(o.signed,null,2)}
`);else for(let n of o.signed)process.stdout.write(`${n.signedReference}	signature ${n.signatureDigest}	${n.storage}
`);else if(o.verified)if(u==="json")process.stdout.write(`${JSON.stringify(o.verified,null,2)}
`);else for(let n of o.verified)process.stdout.write(`${m(n.verified)}	${n.reference}	${n.reason}
`);else if(o.base){let{pinnedDockerfile:n,...A}=o.base;if(u==="json")process.stdout.write(`${JSON.stringify(A,null,2)}
`);else for(let p of o.base.images)process.stdout.write(`${m(p.verified)}	${p.image}	${p.reference}	${p.reason}
`);o.headline&&process.stderr.write(`error: ${o.headline}: ${o.failures.map(p=>p.subject).join(", ")}
`)}return o.ok?0:1}var b=t=>t.includes("--debug")||process.env.RUNNER_DEBUG==="1"||/^true$/i.test(process.env.SYSTEM_DEBUG??"")||!!process.env.NOTARY_SIGN_DEBUG;function E(t,i){process.stderr.write(`error: ${l(t)}
`),i&&t instanceof Error&&t.stack&&process.stderr.write(`${t.stack}
`)}async function j(t){let i=b(t),[r,...a]=t.filter(s=>s!=="--debug");try{switch(r){case"sign":case"verify":case"verify-base":return await D(r,a);case"version":case"--version":return process.stdout.write(`${f}
`),0;case void 0:case"help":case"--help":case"-h":return process.stdout.write(w),r===void 0?2:0;default:throw new g("INPUT",`unknown command "${r}"; run notary-sign --help`)}}catch(s){return E(s,i),1}}async function K(t){let i=b(t),r=a=>{E(a,i),process.exit(1)};process.on("uncaughtException",r),process.on("unhandledRejection",r),process.exitCode=await j(t)}var h=process.argv[1];h&&S(h)===T(import.meta.url)&&await K(process.argv.slice(2));export{x as cliInputName,j as main,K as runAsProgram};
