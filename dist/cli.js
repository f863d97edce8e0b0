import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a as m}from"./chunks/chunk-VLWDJKXH.js";import{c as g,e as l}from"./chunks/chunk-NSSGAB3Y.js";import{b as y}from"./chunks/chunk-RNVXJ3PP.js";import{a as c,b as k}from"./chunks/chunk-SNWFGT2E.js";import"./chunks/chunk-V5TYSJDF.js";import{realpathSync as R}from"node:fs";import{fileURLToPath as O}from"node:url";import{parseArgs as $}from"node:util";var E=`notary-sign ${m} \u2014 Notary Project signatures for container images

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
`,U={"insecure-registry":{type:"string",multiple:!0},"acr-host":{type:"string",multiple:!0},"client-id":{type:"string"},"tenant-id":{type:"string"},"authority-host":{type:"string"},"azure-devops-service-connection":{type:"string"},"registry-username":{type:"string"},"registry-password-stdin":{type:"boolean"},output:{type:"string"},verbose:{type:"boolean"},help:{type:"boolean",short:"h"}};async function _(){let e=[];for await(let n of process.stdin)e.push(n);return Buffer.concat(e).toString("utf8").replace(/\r?\n$/,"")}function x(e,n){try{return $({args:e,options:{...U,...n},allowPositionals:!0,strict:!0})}catch(s){throw new c("INPUT",`${s.message}; run notary-sign --help`)}}async function j(e,n){let{Session:s}=await import("./chunks/session-SAPMCJGR.js"),a;if(e["registry-username"]){if(!e["registry-password-stdin"])throw new c("INPUT","--registry-username needs --registry-password-stdin (the password is read from standard input)");a={username:e["registry-username"],password:await _()}}let i=process.env,t=i.ACTIONS_ID_TOKEN_REQUEST_URL&&i.ACTIONS_ID_TOKEN_REQUEST_TOKEN?{requestUrl:i.ACTIONS_ID_TOKEN_REQUEST_URL,requestToken:i.ACTIONS_ID_TOKEN_REQUEST_TOKEN}:void 0,u=e["azure-devops-service-connection"];return new s({...e["key-id"]?{keyId:e["key-id"]}:{},...e.key?{key:e.key}:{},...e["certificate-chain"]?{certificateChain:e["certificate-chain"]}:{},azure:{...e["client-id"]?{clientId:e["client-id"]}:{},...e["tenant-id"]?{tenantId:e["tenant-id"]}:{},...e["authority-host"]?{authorityHost:e["authority-host"]}:{},...u?{azurePipelines:{serviceConnectionId:u,systemAccessToken:i.SYSTEM_ACCESSTOKEN??""}}:t&&e["client-id"]?{github:t}:{}},...a?{registryCredentials:a,registries:n}:{},insecureRegistries:l(e["insecure-registry"]??[],"--insecure-registry"),acrHosts:l(e["acr-host"]??[],"--acr-host"),logger:y(e.verbose)})}function D(e){if(e===void 0||e==="text"||e==="json")return e??"text";throw new c("INPUT",`--output: "${e}" is not text or json`)}var K={"key-id":{type:"string"},key:{type:"string"},"certificate-chain":{type:"string"},expiry:{type:"string"},annotation:{type:"string",multiple:!0},referrers:{type:"string"},"signature-format":{type:"string"},recursive:{type:"boolean"},"timestamp-url":{type:"string"},"timestamp-root-cert":{type:"string"}},z={"trust-policy":{type:"string"},"trust-store":{type:"string"},"required-annotation":{type:"string",multiple:!0},referrers:{type:"string"},dockerfile:{type:"string"},"build-arg":{type:"string",multiple:!0},platform:{type:"string"},"pin-output":{type:"string"}},b=e=>e?"PASS":"FAIL";async function M(e,n){let{values:s,positionals:a}=x(n,e==="sign"?K:z),i=s,t=r=>typeof i[r]=="string"?i[r]:void 0,u=r=>Array.isArray(i[r])?i[r]:[];if(i.help)return process.stdout.write(E),0;let f=D(t("output"));if(e==="sign"){if(!t("key")&&!t("key-id"))throw new c("INPUT","--key-id (Azure Key Vault key URL) or --key (local PEM private key) is required");if(t("key")&&!t("certificate-chain"))throw new c("INPUT","--certificate-chain is required with --key: PEM certificates, signing certificate first")}if(e==="verify-base"&&!t("dockerfile"))throw new c("INPUT","--dockerfile is required");if(e!=="verify-base"&&a.length===0)throw new c("INPUT",`${e}: give at least one image reference`);let{parseReference:N}=await import("./chunks/reference-INAHMLG7.js"),h=a.map(r=>N(r).registry),w=g(u("build-arg"),"--build-arg");if(e==="verify-base"&&i["registry-username"]){let{readFile:r}=await import("node:fs/promises"),{baseImages:d}=await import("./chunks/dockerfile-MOWSROEB.js"),p=await r(t("dockerfile"),"utf8").catch(()=>"");h=d(p,w,t("dockerfile")).map(C=>C.ref.registry)}let A=await j(s,[...new Set(h)]),P=y(i.verbose===!0),{run:I}=await import("./chunks/run-O2LVVMWE.js"),o=await I({command:e,images:a,session:A.inputs,logger:P,inputName:r=>`--${r}`,...t("signature-format")?{signatureFormat:t("signature-format")}:{},...t("expiry")?{expiry:t("expiry")}:{},annotations:g(u("annotation"),"--annotation"),...t("referrers")?{referrers:t("referrers")}:{},recursive:i.recursive===!0,...t("timestamp-url")?{timestampUrl:t("timestamp-url")}:{},...t("timestamp-root-cert")?{timestampRootCert:t("timestamp-root-cert")}:{},requiredAnnotations:g(u("required-annotation"),"--required-annotation"),...t("dockerfile")?{dockerfile:t("dockerfile")}:{},buildArgs:w,...t("platform")?{platform:t("platform")}:{},...t("trust-policy")?{trustPolicy:t("trust-policy")}:{},...t("trust-store")?{trustStore:t("trust-store")}:{},...t("pin-output")?{pinOutput:t("pin-output")}:{}});if(o.signed)if(f==="json")process.stdout.write(`${JSON.stringify(o.signed,null,2)}
`);else for(let r of o.signed)process.stdout.write(`${r.signedReference}	signature ${r.signatureDigest}	${r.storage}
`);else if(o.verified)if(f==="json")process.stdout.write(`${JSON.stringify(o.verified,null,2)}
`);else for(let r of o.verified)process.stdout.write(`${b(r.verified)}	${r.reference}	${r.reason}
`);else if(o.base){let{pinnedDockerfile:r,...d}=o.base;if(f==="json")process.stdout.write(`${JSON.stringify(d,null,2)}
`);else for(let p of o.base.images)process.stdout.write(`${b(p.verified)}	${p.image}	${p.reference}	${p.reason}
`);o.ok||process.stderr.write(`error: ${o.failure?.replace(/ \(.*?\)(?=;|$)/g,"")??"verification failed"}
`)}return o.ok?0:1}var S=e=>e.includes("--debug")||process.env.RUNNER_DEBUG==="1"||/^true$/i.test(process.env.SYSTEM_DEBUG??"")||!!process.env.NOTARY_SIGN_DEBUG;function T(e,n){process.stderr.write(`error: ${k(e)}
`),n&&e instanceof Error&&e.stack&&process.stderr.write(`${e.stack}
`)}async function V(e){let n=S(e),[s,...a]=e.filter(i=>i!=="--debug");try{switch(s){case"sign":case"verify":case"verify-base":return await M(s,a);case"version":case"--version":return process.stdout.write(`${m}
`),0;case void 0:case"help":case"--help":case"-h":return process.stdout.write(E),s===void 0?2:0;default:throw new c("INPUT",`unknown command "${s}"; run notary-sign --help`)}}catch(i){return T(i,n),1}}async function q(e){let n=S(e),s=a=>{T(a,n),process.exit(1)};process.on("uncaughtException",s),process.on("unhandledRejection",s),process.exitCode=await V(e)}var v=process.argv[1];v&&R(v)===O(import.meta.url)&&await q(process.argv.slice(2));export{V as main,q as runAsProgram};
