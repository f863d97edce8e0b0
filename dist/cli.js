import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a as m}from"./chunks/chunk-HFSGAG7F.js";import{c as p,e as y}from"./chunks/chunk-SQ5KHTRS.js";import{b as l}from"./chunks/chunk-RNVXJ3PP.js";import{a,b as k}from"./chunks/chunk-SNWFGT2E.js";import"./chunks/chunk-V5TYSJDF.js";import{parseArgs as P}from"node:util";var v=`notary-sign ${m} \u2014 Notary Project signatures for container images

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
`,C={"insecure-registry":{type:"string",multiple:!0},"acr-host":{type:"string",multiple:!0},"client-id":{type:"string"},"tenant-id":{type:"string"},"authority-host":{type:"string"},"azure-devops-service-connection":{type:"string"},"registry-username":{type:"string"},"registry-password-stdin":{type:"boolean"},output:{type:"string"},verbose:{type:"boolean"},help:{type:"boolean",short:"h"}};async function O(){let e=[];for await(let s of process.stdin)e.push(s);return Buffer.concat(e).toString("utf8").replace(/\r?\n$/,"")}function $(e,s){try{return P({args:e,options:{...C,...s},allowPositionals:!0,strict:!0})}catch(c){throw new a("INPUT",`${c.message}; run notary-sign --help`)}}async function R(e,s){let{Session:c}=await import("./chunks/setup-4UIQXLOX.js"),o;if(e["registry-username"]){if(!e["registry-password-stdin"])throw new a("INPUT","--registry-username needs --registry-password-stdin (the password is read from standard input)");o={username:e["registry-username"],password:await O()}}let i=process.env,t=i.ACTIONS_ID_TOKEN_REQUEST_URL&&i.ACTIONS_ID_TOKEN_REQUEST_TOKEN?{requestUrl:i.ACTIONS_ID_TOKEN_REQUEST_URL,requestToken:i.ACTIONS_ID_TOKEN_REQUEST_TOKEN}:void 0,u=e["azure-devops-service-connection"];return new c({...e["key-id"]?{keyId:e["key-id"]}:{},...e.key?{key:e.key}:{},...e["certificate-chain"]?{certificateChain:e["certificate-chain"]}:{},azure:{...e["client-id"]?{clientId:e["client-id"]}:{},...e["tenant-id"]?{tenantId:e["tenant-id"]}:{},...e["authority-host"]?{authorityHost:e["authority-host"]}:{},...u?{azurePipelines:{serviceConnectionId:u,systemAccessToken:i.SYSTEM_ACCESSTOKEN??""}}:t&&e["client-id"]?{github:t}:{}},...o?{registryCredentials:o,registries:s}:{},insecureRegistries:y(e["insecure-registry"]??[],"--insecure-registry"),acrHosts:y(e["acr-host"]??[],"--acr-host"),logger:l(e.verbose)})}function _(e){if(e===void 0||e==="text"||e==="json")return e??"text";throw new a("INPUT",`--output: "${e}" is not text or json`)}var U={"key-id":{type:"string"},key:{type:"string"},"certificate-chain":{type:"string"},expiry:{type:"string"},annotation:{type:"string",multiple:!0},referrers:{type:"string"},"signature-format":{type:"string"},recursive:{type:"boolean"},"timestamp-url":{type:"string"},"timestamp-root-cert":{type:"string"}},x={"trust-policy":{type:"string"},"trust-store":{type:"string"},"required-annotation":{type:"string",multiple:!0},referrers:{type:"string"},dockerfile:{type:"string"},"build-arg":{type:"string",multiple:!0},platform:{type:"string"},"pin-output":{type:"string"}},b=e=>e?"PASS":"FAIL";async function K(e,s){let{values:c,positionals:o}=$(s,e==="sign"?U:x),i=c,t=r=>typeof i[r]=="string"?i[r]:void 0,u=r=>Array.isArray(i[r])?i[r]:[];if(i.help)return process.stdout.write(v),0;let f=_(t("output"));if(e==="sign"){if(!t("key")&&!t("key-id"))throw new a("INPUT","--key-id (Azure Key Vault key URL) or --key (local PEM private key) is required");if(t("key")&&!t("certificate-chain"))throw new a("INPUT","--certificate-chain is required with --key: PEM certificates, signing certificate first")}if(e==="verify-base"&&!t("dockerfile"))throw new a("INPUT","--dockerfile is required");if(e!=="verify-base"&&o.length===0)throw new a("INPUT",`${e}: give at least one image reference`);let{parseReference:N}=await import("./chunks/reference-YAOB4RPJ.js"),h=o.map(r=>N(r).registry),w=p(u("build-arg"),"--build-arg");if(e==="verify-base"&&i["registry-username"]){let{readFile:r}=await import("node:fs/promises"),{baseImages:d}=await import("./chunks/dockerfile-B7HUZZOX.js"),g=await r(t("dockerfile"),"utf8").catch(()=>"");h=d(g,w,t("dockerfile")).map(I=>I.ref.registry)}let S=await R(c,[...new Set(h)]),E=l(i.verbose===!0),{run:A}=await import("./chunks/run-3OWNAJQA.js"),n=await A({command:e,images:o,session:S.inputs,logger:E,inputName:r=>`--${r}`,...t("signature-format")?{signatureFormat:t("signature-format")}:{},...t("expiry")?{expiry:t("expiry")}:{},annotations:p(u("annotation"),"--annotation"),...t("referrers")?{referrers:t("referrers")}:{},recursive:i.recursive===!0,...t("timestamp-url")?{timestampUrl:t("timestamp-url")}:{},...t("timestamp-root-cert")?{timestampRootCert:t("timestamp-root-cert")}:{},requiredAnnotations:p(u("required-annotation"),"--required-annotation"),...t("dockerfile")?{dockerfile:t("dockerfile")}:{},buildArgs:w,...t("platform")?{platform:t("platform")}:{},...t("trust-policy")?{trustPolicy:t("trust-policy")}:{},...t("trust-store")?{trustStore:t("trust-store")}:{},...t("pin-output")?{pinOutput:t("pin-output")}:{}});if(n.signed)if(f==="json")process.stdout.write(`${JSON.stringify(n.signed,null,2)}
`);else for(let r of n.signed)process.stdout.write(`${r.signedReference}	signature ${r.signatureDigest}	${r.storage}
`);else if(n.verified)if(f==="json")process.stdout.write(`${JSON.stringify(n.verified,null,2)}
`);else for(let r of n.verified)process.stdout.write(`${b(r.verified)}	${r.reference}	${r.reason}
`);else if(n.base){let{pinnedDockerfile:r,...d}=n.base;if(f==="json")process.stdout.write(`${JSON.stringify(d,null,2)}
`);else for(let g of n.base.images)process.stdout.write(`${b(g.verified)}	${g.image}	${g.reference}	${g.reason}
`);n.ok||process.stderr.write(`error: ${n.failure?.replace(/ \(.*?\)(?=;|$)/g,"")??"verification failed"}
`)}return n.ok?0:1}async function T(e){let[s,...c]=e;try{switch(s){case"sign":case"verify":case"verify-base":return await K(s,c);case"version":case"--version":return process.stdout.write(`${m}
`),0;case void 0:case"help":case"--help":case"-h":return process.stdout.write(v),s===void 0?2:0;default:throw new a("INPUT",`unknown command "${s}"; run notary-sign --help`)}}catch(o){return process.stderr.write(`error: ${k(o)}
`),process.env.NOTARY_SIGN_DEBUG&&o instanceof Error&&process.stderr.write(`${o.stack}
`),1}}process.exitCode=await T(process.argv.slice(2));
