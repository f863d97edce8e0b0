import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a as h}from"./chunks/chunk-VLWDJKXH.js";import{e as y}from"./chunks/chunk-YPDEB5KY.js";import{b as m}from"./chunks/chunk-RNVXJ3PP.js";import{a as d,b as w}from"./chunks/chunk-SNWFGT2E.js";import"./chunks/chunk-V5TYSJDF.js";import{realpathSync as P}from"node:fs";import{fileURLToPath as _}from"node:url";import{parseArgs as R}from"node:util";var v=`notary-sign ${h} \u2014 Notary Project signatures for container images

Usage:
  notary-sign sign <image>... --key <key.pem> --certificate-chain <chain.pem> [options]
  notary-sign verify <image>... --trust-policy <trustpolicy.json> --trust-store <dir> [options]
  notary-sign verify-base --dockerfile <Dockerfile> --trust-policy <file> --trust-store <dir> [options]
  notary-sign policy init --output-dir <dir> [--from <image>] [inline trust options]
  notary-sign policy show [--trust-policy <file> --trust-store <dir> | inline trust options]

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
  or, instead of the files (the same policy, made in memory):
  --trusted-certificate <pem>  a CA root (or self-signed signing certificate) to trust (repeatable)
  --trusted-tsa-certificate <pem>  a TSA root to trust (repeatable)
  --trusted-key-vault-certificate <url>  trust this Key Vault certificate's root, and its subject (repeatable)
  --trusted-identity <id>      x509.subject: C=.., ST=.., O=.. or * (repeatable)
  --registry-scope <repo>      registry/repository the trust applies to (repeatable; default *)
  --verification-level <lvl>   strict (default), permissive, audit or skip
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
  --network-timeout <duration>     total time for one registry request attempt (default 60s)
  --registry-username <user>       registry user (default: docker config credentials)
  --registry-password-stdin        read the registry password from standard input
  --output <text|json>             result format on stdout (default: text)
  --verbose                        debug logging on stderr
  --debug                          also print the stack trace of an error
`,$={"insecure-registry":{type:"string",multiple:!0},"acr-host":{type:"string",multiple:!0},"network-timeout":{type:"string"},"client-id":{type:"string"},"tenant-id":{type:"string"},"authority-host":{type:"string"},"azure-devops-service-connection":{type:"string"},"registry-username":{type:"string"},"registry-password-stdin":{type:"boolean"},output:{type:"string"},verbose:{type:"boolean"},help:{type:"boolean",short:"h"}};async function O(){let t=[];for await(let i of process.stdin)t.push(i);return Buffer.concat(t).toString("utf8").replace(/\r?\n$/,"")}function T(t,i){try{return R({args:t,options:{...$,...i},allowPositionals:!0,strict:!0})}catch(r){throw new d("INPUT",`${r.message}; run notary-sign --help`)}}async function E(t){let i;if(t["registry-username"]){if(!t["registry-password-stdin"])throw new d("INPUT","--registry-username needs --registry-password-stdin (the password is read from standard input)");i={username:t["registry-username"],password:await O()}}let r=process.env,a=r.ACTIONS_ID_TOKEN_REQUEST_URL&&r.ACTIONS_ID_TOKEN_REQUEST_TOKEN?{requestUrl:r.ACTIONS_ID_TOKEN_REQUEST_URL,requestToken:r.ACTIONS_ID_TOKEN_REQUEST_TOKEN}:void 0,s=t["azure-devops-service-connection"],e=a&&!t["client-id"]&&!t["tenant-id"]&&r.AZURE_CLIENT_ID&&r.AZURE_TENANT_ID,u=t["client-id"]??(e?r.AZURE_CLIENT_ID:void 0),p=t["tenant-id"]??(e?r.AZURE_TENANT_ID:void 0);return{...t["key-id"]?{keyId:t["key-id"]}:{},...t.key?{key:t.key}:{},...t["certificate-chain"]?{certificateChain:t["certificate-chain"]}:{},azure:{...u?{clientId:u}:{},...p?{tenantId:p}:{},...t["authority-host"]?{authorityHost:t["authority-host"]}:{},...s?{azurePipelines:{serviceConnectionId:s,systemAccessToken:r.SYSTEM_ACCESSTOKEN??""}}:a&&u?{github:a}:{}},...i?{registryCredentials:i}:{},insecureRegistries:y(t["insecure-registry"]??[],"--insecure-registry"),acrHosts:y(t["acr-host"]??[],"--acr-host"),...t["network-timeout"]?{networkTimeout:t["network-timeout"]}:{}}}function U(t){if(t===void 0||t==="text"||t==="json")return t??"text";throw new d("INPUT",`--output: "${t}" is not text or json`)}var x={"key-id":{type:"string"},key:{type:"string"},"certificate-chain":{type:"string"},expiry:{type:"string"},annotation:{type:"string",multiple:!0},referrers:{type:"string"},"signature-format":{type:"string"},recursive:{type:"boolean"},"timestamp-url":{type:"string"},"timestamp-root-cert":{type:"string"}},N={"trust-policy":{type:"string"},"trust-store":{type:"string"},"trusted-certificate":{type:"string",multiple:!0},"trusted-tsa-certificate":{type:"string",multiple:!0},"trusted-key-vault-certificate":{type:"string",multiple:!0},"trusted-identity":{type:"string",multiple:!0},"registry-scope":{type:"string",multiple:!0},"verification-level":{type:"string"},"required-annotation":{type:"string",multiple:!0},referrers:{type:"string"},dockerfile:{type:"string"},"build-arg":{type:"string",multiple:!0},platform:{type:"string"},"pin-output":{type:"string"}},k=t=>t?"PASS":"FAIL";async function S(t,i){let{readFile:r}=await import("node:fs/promises"),a=async s=>(await Promise.all(t(s).map(e=>r(e,"utf8").catch(()=>{throw new d("INPUT",`--${s}: cannot read ${e}`)})))).join(`
`);return{...t("trusted-certificate").length>0?{trustedCertificates:await a("trusted-certificate")}:{},...t("trusted-tsa-certificate").length>0?{trustedTsaCertificates:await a("trusted-tsa-certificate")}:{},...t("trusted-key-vault-certificate").length>0?{trustedKeyVaultCertificates:t("trusted-key-vault-certificate")}:{},...t("trusted-identity").length>0?{trustedIdentities:t("trusted-identity")}:{},...t("registry-scope").length>0?{registryScopes:t("registry-scope")}:{},...i("verification-level")?{verificationLevel:i("verification-level")}:{}}}var j={image:"<image>",annotations:"--annotation","required-annotations":"--required-annotation","build-args":"--build-arg","insecure-registries":"--insecure-registry","acr-hosts":"--acr-host","network-timeout":"--network-timeout","registry-password":"--registry-password-stdin","trusted-certificates":"--trusted-certificate","trusted-tsa-certificates":"--trusted-tsa-certificate","trusted-key-vault-certificates":"--trusted-key-vault-certificate","trusted-identities":"--trusted-identity","registry-scopes":"--registry-scope"},A=t=>j[t]??`--${t}`;async function D(t,i){let{values:r,positionals:a}=T(i,t==="sign"?x:N),s=r,e=n=>typeof s[n]=="string"?s[n]:void 0,u=n=>Array.isArray(s[n])?s[n]:[];if(s.help)return process.stdout.write(v),0;let p=U(e("output")),f=await E(r),{run:l}=await import("./chunks/run-57I3DIS6.js"),c=await l({command:t,images:a,session:f,logger:m(s.verbose===!0),inputName:A,...e("signature-format")?{signatureFormat:e("signature-format")}:{},...e("expiry")?{expiry:e("expiry")}:{},annotations:u("annotation"),...e("referrers")?{referrers:e("referrers")}:{},recursive:s.recursive===!0,...e("timestamp-url")?{timestampUrl:e("timestamp-url")}:{},...e("timestamp-root-cert")?{timestampRootCert:e("timestamp-root-cert")}:{},requiredAnnotations:u("required-annotation"),...e("dockerfile")?{dockerfile:e("dockerfile")}:{},buildArgs:u("build-arg"),...e("platform")?{platform:e("platform")}:{},...e("trust-policy")?{trustPolicy:e("trust-policy")}:{},...e("trust-store")?{trustStore:e("trust-store")}:{},...await S(u,e),...e("pin-output")?{pinOutput:e("pin-output")}:{}});if(c.signed)if(p==="json")process.stdout.write(`${JSON.stringify(c.signed,null,2)}
`);else for(let n of c.signed)process.stdout.write(`${n.signedReference}	signature ${n.signatureDigest}	${n.storage}
`);else if(c.verified)if(p==="json")process.stdout.write(`${JSON.stringify(c.verified,null,2)}
`);else for(let n of c.verified)process.stdout.write(`${k(n.verified)}	${n.reference}	${n.reason}
`);else if(c.base){let{pinnedDockerfile:n,...g}=c.base;if(p==="json")process.stdout.write(`${JSON.stringify(g,null,2)}
`);else for(let o of c.base.images)process.stdout.write(`${k(o.verified)}	${o.image}	${o.reference}	${o.reason}
`);c.headline&&process.stderr.write(`error: ${c.headline}: ${c.failures.map(o=>o.subject).join(", ")}
`)}return c.ok?0:1}async function K(t){let[i,...r]=t;if(i!=="show"&&i!=="init")throw new d("INPUT",`policy: "${i??""}" is not show or init; run notary-sign --help`);let{values:a}=T(r,{...N,"output-dir":{type:"string"},from:{type:"string"}}),s=a,e=o=>typeof s[o]=="string"?s[o]:void 0,u=o=>Array.isArray(s[o])?s[o]:[],p={session:await E(a),logger:m(s.verbose===!0),inputName:A,...e("trust-policy")?{trustPolicy:e("trust-policy")}:{},...e("trust-store")?{trustStore:e("trust-store")}:{},...await S(u,e)},{policyInit:f,policyShow:l}=await import("./chunks/policy-GCUY6M5B.js");if(i==="show"){let o=await l(p);return process.stderr.write(`trust: ${o.description}
`),process.stdout.write(o.policyJson),0}let c=e("output-dir");if(!c)throw new d("INPUT","policy init: --output-dir is required (where trustpolicy.json and truststore/ go)");let n=e("from"),g=await f(p,{outputDir:c,...n?{from:n}:{}});for(let o of g.written)process.stdout.write(`${o}
`);return process.stderr.write(`trust: ${g.description}
`),0}var I=t=>t.includes("--debug")||process.env.RUNNER_DEBUG==="1"||/^true$/i.test(process.env.SYSTEM_DEBUG??"")||!!process.env.NOTARY_SIGN_DEBUG;function C(t,i){process.stderr.write(`error: ${w(t)}
`),i&&t instanceof Error&&t.stack&&process.stderr.write(`${t.stack}
`)}async function z(t){let i=I(t),[r,...a]=t.filter(s=>s!=="--debug");try{switch(r){case"sign":case"verify":case"verify-base":return await D(r,a);case"policy":return await K(a);case"version":case"--version":return process.stdout.write(`${h}
`),0;case void 0:case"help":case"--help":case"-h":return process.stdout.write(v),r===void 0?2:0;default:throw new d("INPUT",`unknown command "${r}"; run notary-sign --help`)}}catch(s){return C(s,i),1}}async function F(t){let i=I(t),r=a=>{C(a,i),process.exit(1)};process.on("uncaughtException",r),process.on("unhandledRejection",r),process.exitCode=await z(t)}var b=process.argv[1];b&&P(b)===_(import.meta.url)&&await F(process.argv.slice(2));export{A as cliInputName,z as main,F as runAsProgram};
