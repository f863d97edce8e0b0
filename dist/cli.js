import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a as m}from"./chunks/chunk-6Z6JXTZF.js";import{b as v,c as b}from"./chunks/chunk-4ZZCATZU.js";import{e as f}from"./chunks/chunk-3W7EVFHF.js";import{b as y}from"./chunks/chunk-3V2NTJ7C.js";import{a,b as l}from"./chunks/chunk-Q3C3TP5A.js";import"./chunks/chunk-SYJLW4B5.js";import{realpathSync as C}from"node:fs";import{fileURLToPath as _}from"node:url";import{parseArgs as O}from"node:util";var T=`notary-sign ${m} \u2014 Notary Project signatures for container images

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
  --ocsp-timeout <duration>    per OCSP request when checking revocation (default 2s)
  --crl-timeout <duration>     per CRL download (default 5s)
  --revocation-cache <dir>     keep CRLs and OCSP responses here between runs (default ~/.cache/notary-sign/revocation)

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
`,$={"insecure-registry":{type:"string",multiple:!0},"acr-host":{type:"string",multiple:!0},"network-timeout":{type:"string"},"client-id":{type:"string"},"tenant-id":{type:"string"},"authority-host":{type:"string"},"azure-devops-service-connection":{type:"string"},"registry-username":{type:"string"},"registry-password-stdin":{type:"boolean"},output:{type:"string"},verbose:{type:"boolean"},help:{type:"boolean",short:"h"}};async function U(){let t=[];for await(let r of process.stdin)t.push(r);return Buffer.concat(t).toString("utf8").replace(/\r?\n$/,"")}function E(t,r,s){let e;try{e=O({args:t,options:{...$,...r},allowPositionals:!0,strict:!0})}catch(i){throw new a("INPUT",`${x(i)}; run notary-sign ${s} --help`)}for(let[i,n]of Object.entries(e.values))if(n===""||Array.isArray(n)&&n.includes(""))throw new a("INPUT",`--${i} is empty; give it a value or leave it out`);return e}function x(t){let r=/'(-[^' ]+)/.exec(t.message)?.[1]??"";return t.code==="ERR_PARSE_ARGS_UNKNOWN_OPTION"?`unknown option ${r}`:/argument missing/.test(t.message)?`${r} needs a value`:/ambiguous/.test(t.message)?`${r} needs a value but is followed by another option; write ${r}=<value> for a value starting with -`:/does not take an argument/.test(t.message)?`${r} takes no value`:t.message.split(`
`)[0]}async function N(t){let r;if(t["registry-password-stdin"]&&!t["registry-username"])throw new a("INPUT","--registry-password-stdin needs --registry-username (the user the password is for)");if(t["registry-username"]){if(!t["registry-password-stdin"])throw new a("INPUT","--registry-username needs --registry-password-stdin (the password is read from standard input)");r={username:t["registry-username"],password:await U()}}let s=process.env,e=s.ACTIONS_ID_TOKEN_REQUEST_URL&&s.ACTIONS_ID_TOKEN_REQUEST_TOKEN?{requestUrl:s.ACTIONS_ID_TOKEN_REQUEST_URL,requestToken:s.ACTIONS_ID_TOKEN_REQUEST_TOKEN}:void 0,i=t["azure-devops-service-connection"],n=e&&!t["client-id"]&&!t["tenant-id"]&&s.AZURE_CLIENT_ID&&s.AZURE_TENANT_ID;if((e||i)&&!!t["client-id"]!=!!t["tenant-id"])throw new a("INPUT",`${t["client-id"]?"--client-id needs --tenant-id":"--tenant-id needs --client-id"} for a federated sign-in (${i?"the Azure DevOps service connection":"GitHub OIDC"}): the app registration and its Entra tenant`);let d=t["client-id"]??(n?s.AZURE_CLIENT_ID:void 0),c=t["tenant-id"]??(n?s.AZURE_TENANT_ID:void 0);return{...t["key-id"]?{keyId:t["key-id"]}:{},...t.key?{key:t.key}:{},...t["certificate-chain"]?{certificateChain:t["certificate-chain"]}:{},azure:{...d?{clientId:d}:{},...c?{tenantId:c}:{},...t["authority-host"]?{authorityHost:t["authority-host"]}:{},...i?{azurePipelines:{serviceConnectionId:i,systemAccessToken:s.SYSTEM_ACCESSTOKEN??""}}:e&&d?{github:e}:{}},...r?{registryCredentials:r}:{},insecureRegistries:f(t["insecure-registry"]??[],"--insecure-registry"),acrHosts:f(t["acr-host"]??[],"--acr-host"),...t["network-timeout"]?{networkTimeout:t["network-timeout"]}:{}}}function j(t){if(t===void 0||t==="text"||t==="json")return t??"text";throw new a("INPUT",`--output: "${t}" is not text or json`)}var D={"key-id":{type:"string"},key:{type:"string"},"certificate-chain":{type:"string"},expiry:{type:"string"},annotation:{type:"string",multiple:!0},referrers:{type:"string"},"signature-format":{type:"string"},recursive:{type:"boolean"},"timestamp-url":{type:"string"},"timestamp-root-cert":{type:"string"}},S={"trust-policy":{type:"string"},"trust-store":{type:"string"},"trusted-certificate":{type:"string",multiple:!0},"trusted-tsa-certificate":{type:"string",multiple:!0},"trusted-key-vault-certificate":{type:"string",multiple:!0},"trusted-identity":{type:"string",multiple:!0},"registry-scope":{type:"string",multiple:!0},"verification-level":{type:"string"},"required-annotation":{type:"string",multiple:!0},referrers:{type:"string"},dockerfile:{type:"string"},"build-arg":{type:"string",multiple:!0},platform:{type:"string"},"pin-output":{type:"string"},"ocsp-timeout":{type:"string"},"crl-timeout":{type:"string"},"revocation-cache":{type:"string"}};async function A(t,r){let{readFile:s}=await import("node:fs/promises"),e=async i=>(await Promise.all(t(i).map(n=>s(n,"utf8").catch(()=>{throw new a("INPUT",`--${i}: cannot read ${n}`)})))).join(`
`);return{...t("trusted-certificate").length>0?{trustedCertificates:await e("trusted-certificate")}:{},...t("trusted-tsa-certificate").length>0?{trustedTsaCertificates:await e("trusted-tsa-certificate")}:{},...t("trusted-key-vault-certificate").length>0?{trustedKeyVaultCertificates:t("trusted-key-vault-certificate")}:{},...t("trusted-identity").length>0?{trustedIdentities:t("trusted-identity")}:{},...t("registry-scope").length>0?{registryScopes:t("registry-scope")}:{},...r("verification-level")?{verificationLevel:r("verification-level")}:{}}}var K={image:"<image>",annotations:"--annotation","required-annotations":"--required-annotation","build-args":"--build-arg","insecure-registries":"--insecure-registry","acr-hosts":"--acr-host","network-timeout":"--network-timeout","registry-password":"--registry-password-stdin","trusted-certificates":"--trusted-certificate","trusted-tsa-certificates":"--trusted-tsa-certificate","trusted-key-vault-certificates":"--trusted-key-vault-certificate","trusted-identities":"--trusted-identity","registry-scopes":"--registry-scope"},I=t=>K[t]??`--${t}`;async function L(t,r){let{values:s,positionals:e}=E(r,t==="sign"?D:S,t),i=s,n=o=>typeof i[o]=="string"?i[o]:void 0,d=o=>Array.isArray(i[o])?i[o]:[];if(i.help)return process.stdout.write(T),0;let c=j(n("output")),g=performance.now();try{let o=await F(t,{values:i,positionals:e,str:n,list:d});if(c==="json")process.stdout.write(`${JSON.stringify(z(o),null,2)}
`);else for(let p of v(o))process.stdout.write(`${p}
`);return o.base?.pinFailure?process.stderr.write(`error: ${o.base.pinFailure}
`):o.notSigned?.length?process.stderr.write(`error: ${o.failure}
`):o.headline&&process.stderr.write(`error: ${o.headline}: ${o.failures.map(p=>p.subject).join(", ")}
`),process.stderr.write(`${b(o,performance.now()-g)}
`),o.ok?0:1}catch(o){throw c==="json"&&process.stdout.write(`${JSON.stringify({command:t,ok:!1,error:l(o)},null,2)}
`),o}}function z(t){let r={command:t.command,ok:t.ok,...t.failure?{error:t.failure}:{}};if(t.signed){let s=[...t.signed.map(e=>({outcome:e.storage==="existing"?"reused":"signed",...e})),...(t.notSigned??[]).map(e=>({outcome:"failed",...e}))];return{...r,images:s}}if(t.base){let{pinnedDockerfile:s,...e}=t.base;return{...r,...e}}return{...r,images:t.verified??[]}}async function F(t,{values:r,positionals:s,str:e,list:i}){let n=r,d=await N(r),{run:c}=await import("./chunks/run-56ZRFAVH.js");return c({command:t,images:s,session:d,logger:y(n.verbose===!0),inputName:I,...e("signature-format")?{signatureFormat:e("signature-format")}:{},...e("expiry")!==void 0?{expiry:e("expiry")}:{},annotations:i("annotation"),...e("referrers")?{referrers:e("referrers")}:{},recursive:n.recursive===!0,...e("timestamp-url")?{timestampUrl:e("timestamp-url")}:{},...e("timestamp-root-cert")?{timestampRootCert:e("timestamp-root-cert")}:{},requiredAnnotations:i("required-annotation"),...e("dockerfile")?{dockerfile:e("dockerfile")}:{},buildArgs:i("build-arg"),...e("platform")!==void 0?{platform:e("platform")}:{},...e("trust-policy")?{trustPolicy:e("trust-policy")}:{},...e("trust-store")?{trustStore:e("trust-store")}:{},...await A(i,e),...e("pin-output")?{pinOutput:e("pin-output")}:{},...e("ocsp-timeout")?{ocspTimeout:e("ocsp-timeout")}:{},...e("crl-timeout")?{crlTimeout:e("crl-timeout")}:{},...e("revocation-cache")?{revocationCache:e("revocation-cache")}:{}})}async function q(t){let[r,...s]=t;if(r!=="show"&&r!=="init")throw new a("INPUT",`policy: "${r??""}" is not show or init; run notary-sign --help`);let{values:e}=E(s,{...S,"output-dir":{type:"string"},from:{type:"string"}},`policy ${r}`),i=e,n=u=>typeof i[u]=="string"?i[u]:void 0,d=u=>Array.isArray(i[u])?i[u]:[],c={session:await N(e),logger:y(i.verbose===!0),inputName:I,...n("trust-policy")?{trustPolicy:n("trust-policy")}:{},...n("trust-store")?{trustStore:n("trust-store")}:{},...await A(d,n)},{policyInit:g,policyShow:o}=await import("./chunks/policy-PPTUUWAD.js");if(r==="show"){let u=await o(c);return process.stderr.write(`trust: ${u.description}
`),process.stdout.write(u.policyJson),0}let p=n("output-dir");if(!p)throw new a("INPUT","policy init: --output-dir is required (where trustpolicy.json and truststore/ go)");let h=n("from"),w=await g(c,{outputDir:p,...h?{from:h}:{}});for(let u of w.written)process.stdout.write(`${u}
`);return process.stderr.write(`trust: ${w.description}
`),0}var P=t=>t.includes("--debug")||process.env.RUNNER_DEBUG==="1"||/^true$/i.test(process.env.SYSTEM_DEBUG??"")||!!process.env.NOTARY_SIGN_DEBUG;function R(t,r){process.stderr.write(`error: ${l(t)}
`),r&&t instanceof Error&&t.stack&&process.stderr.write(`${t.stack}
`)}async function G(t){let r=P(t),[s,...e]=t.filter(i=>i!=="--debug");try{switch(s){case"sign":case"verify":case"verify-base":return await L(s,e);case"policy":return await q(e);case"version":case"--version":return process.stdout.write(`${m}
`),0;case void 0:case"help":case"--help":case"-h":return process.stdout.write(T),s===void 0?2:0;default:throw new a("INPUT",`unknown command "${s}"; run notary-sign --help`)}}catch(i){return R(i,r),1}}async function M(t){let r=P(t),s=e=>{R(e,r),process.exit(1)};process.on("uncaughtException",s),process.on("unhandledRejection",s),process.exitCode=await G(t)}var k=process.argv[1];k&&C(k)===_(import.meta.url)&&await M(process.argv.slice(2));export{I as cliInputName,G as main,M as runAsProgram};
//# sourceMappingURL=cli.js.map
