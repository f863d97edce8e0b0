import { createRequire as __cr } from 'node:module'; let __rq; const require = (id) => (__rq ??= __cr(import.meta.url))(id);
import{a as w}from"./chunks/chunk-Z6SWQVPA.js";import{b,c as k}from"./chunks/chunk-YQTDLMHU.js";import{e as m}from"./chunks/chunk-LIEQQ3SK.js";import{b as h}from"./chunks/chunk-5UU6GPYA.js";import{a,b as f}from"./chunks/chunk-AZRNEXMO.js";import"./chunks/chunk-D447ENI5.js";import{realpathSync as O}from"node:fs";import{fileURLToPath as _}from"node:url";import{parseArgs as $}from"node:util";var T=`notary-sign ${w} \u2014 Notary Project signatures for container images

Usage:
  notary-sign sign <image>... --key <key.pem> --certificate-chain <chain.pem> [options]
  notary-sign verify <image>... --trust-policy <trustpolicy.json> --trust-store <dir> [options]
  notary-sign verify-base --dockerfile <Dockerfile> --trust-policy <file> --trust-store <dir> [options]
  notary-sign copy <source-image> <destination-repository[:tag]> [--all-referrers] [trust options: copy only if it verifies]
  notary-sign migrate-dct <registry/repository>... [--dct-root-key <id>] [--dry-run] [sign options]
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
  --signature-source <m = s>   look up a mirrored image's signatures at its source, e.g.
                               "mirror.example.com/hub/* = docker.io/*" (repeatable)
  --revocation-cache <dir>     keep CRLs and OCSP responses here between runs (default ~/.cache/notary-sign/revocation)

copy options:
  --all-referrers              carry every referrer (SBOMs, attestations), not only Notary Project signatures
  (with --trust-policy/--trust-store or inline trust options, the source must verify before anything is copied)

migrate-dct options (Docker Content Trust signed tags become Notary Project signatures; sign options apply):
  --notary-server <url>        the Notary v1 server (default: the registry itself, as on ACR; notary.docker.io for Hub)
  --dct-root-key <id>          pin the root: a root key ID (as in root.json or \`notary key list\`) or
                               sha256:<certificate fingerprint> (repeatable; unpinned roots are trusted on first use)
  --sign-moved                 also sign the digest DCT recorded for a tag that has moved since
  --dry-run                    verify and compare only; sign nothing

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
`,U={"insecure-registry":{type:"string",multiple:!0},"acr-host":{type:"string",multiple:!0},"network-timeout":{type:"string"},"client-id":{type:"string"},"tenant-id":{type:"string"},"authority-host":{type:"string"},"azure-devops-service-connection":{type:"string"},"registry-username":{type:"string"},"registry-password-stdin":{type:"boolean"},output:{type:"string"},verbose:{type:"boolean"},help:{type:"boolean",short:"h"}};async function x(){let t=[];for await(let r of process.stdin)t.push(r);return Buffer.concat(t).toString("utf8").replace(/\r?\n$/,"")}function P(t,r,i){let e;try{e=$({args:t,options:{...U,...r},allowPositionals:!0,strict:!0})}catch(s){throw new a("INPUT",`${j(s)}; run notary-sign ${i} --help`)}for(let[s,n]of Object.entries(e.values))if(n===""||Array.isArray(n)&&n.includes(""))throw new a("INPUT",`--${s} is empty; give it a value or leave it out`);return e}function j(t){let r=/'(-[^' ]+)/.exec(t.message)?.[1]??"";return t.code==="ERR_PARSE_ARGS_UNKNOWN_OPTION"?`unknown option ${r}`:/argument missing/.test(t.message)?`${r} needs a value`:/ambiguous/.test(t.message)?`${r} needs a value but is followed by another option; write ${r}=<value> for a value starting with -`:/does not take an argument/.test(t.message)?`${r} takes no value`:t.message.split(`
`)[0]}async function S(t){let r;if(t["registry-password-stdin"]&&!t["registry-username"])throw new a("INPUT","--registry-password-stdin needs --registry-username (the user the password is for)");if(t["registry-username"]){if(!t["registry-password-stdin"])throw new a("INPUT","--registry-username needs --registry-password-stdin (the password is read from standard input)");r={username:t["registry-username"],password:await x()}}let i=process.env,e=i.ACTIONS_ID_TOKEN_REQUEST_URL&&i.ACTIONS_ID_TOKEN_REQUEST_TOKEN?{requestUrl:i.ACTIONS_ID_TOKEN_REQUEST_URL,requestToken:i.ACTIONS_ID_TOKEN_REQUEST_TOKEN}:void 0,s=t["azure-devops-service-connection"],n=e&&!t["client-id"]&&!t["tenant-id"]&&i.AZURE_CLIENT_ID&&i.AZURE_TENANT_ID;if((e||s)&&!!t["client-id"]!=!!t["tenant-id"])throw new a("INPUT",`${t["client-id"]?"--client-id needs --tenant-id":"--tenant-id needs --client-id"} for a federated sign-in (${s?"the Azure DevOps service connection":"GitHub OIDC"}): the app registration and its Entra tenant`);let c=t["client-id"]??(n?i.AZURE_CLIENT_ID:void 0),d=t["tenant-id"]??(n?i.AZURE_TENANT_ID:void 0);return{...t["key-id"]?{keyId:t["key-id"]}:{},...t.key?{key:t.key}:{},...t["certificate-chain"]?{certificateChain:t["certificate-chain"]}:{},azure:{...c?{clientId:c}:{},...d?{tenantId:d}:{},...t["authority-host"]?{authorityHost:t["authority-host"]}:{},...s?{azurePipelines:{serviceConnectionId:s,systemAccessToken:i.SYSTEM_ACCESSTOKEN??""}}:e&&c?{github:e}:{}},...r?{registryCredentials:r}:{},insecureRegistries:m(t["insecure-registry"]??[],"--insecure-registry"),acrHosts:m(t["acr-host"]??[],"--acr-host"),...t["network-timeout"]?{networkTimeout:t["network-timeout"]}:{}}}function D(t){if(t===void 0||t==="text"||t==="json")return t??"text";throw new a("INPUT",`--output: "${t}" is not text or json`)}var C={"key-id":{type:"string"},key:{type:"string"},"certificate-chain":{type:"string"},expiry:{type:"string"},annotation:{type:"string",multiple:!0},referrers:{type:"string"},"signature-format":{type:"string"},recursive:{type:"boolean"},"timestamp-url":{type:"string"},"timestamp-root-cert":{type:"string"}},y={"trust-policy":{type:"string"},"trust-store":{type:"string"},"trusted-certificate":{type:"string",multiple:!0},"trusted-tsa-certificate":{type:"string",multiple:!0},"trusted-key-vault-certificate":{type:"string",multiple:!0},"trusted-identity":{type:"string",multiple:!0},"registry-scope":{type:"string",multiple:!0},"verification-level":{type:"string"},"required-annotation":{type:"string",multiple:!0},referrers:{type:"string"},dockerfile:{type:"string"},"build-arg":{type:"string",multiple:!0},platform:{type:"string"},"pin-output":{type:"string"},"ocsp-timeout":{type:"string"},"crl-timeout":{type:"string"},"revocation-cache":{type:"string"},"signature-source":{type:"string",multiple:!0}};async function E(t,r){let{readFile:i}=await import("node:fs/promises"),e=async s=>(await Promise.all(t(s).map(n=>i(n,"utf8").catch(()=>{throw new a("INPUT",`--${s}: cannot read ${n}`)})))).join(`
`);return{...t("trusted-certificate").length>0?{trustedCertificates:await e("trusted-certificate")}:{},...t("trusted-tsa-certificate").length>0?{trustedTsaCertificates:await e("trusted-tsa-certificate")}:{},...t("trusted-key-vault-certificate").length>0?{trustedKeyVaultCertificates:t("trusted-key-vault-certificate")}:{},...t("trusted-identity").length>0?{trustedIdentities:t("trusted-identity")}:{},...t("registry-scope").length>0?{registryScopes:t("registry-scope")}:{},...r("verification-level")?{verificationLevel:r("verification-level")}:{}}}var K={image:"<image>",destination:"<destination>",annotations:"--annotation","required-annotations":"--required-annotation","build-args":"--build-arg","insecure-registries":"--insecure-registry","acr-hosts":"--acr-host","network-timeout":"--network-timeout","registry-password":"--registry-password-stdin","trusted-certificates":"--trusted-certificate","trusted-tsa-certificates":"--trusted-tsa-certificate","trusted-key-vault-certificates":"--trusted-key-vault-certificate","trusted-identities":"--trusted-identity","registry-scopes":"--registry-scope","signature-source":"--signature-source"},I=t=>K[t]??`--${t}`,M={...C,"notary-server":{type:"string"},"dct-root-key":{type:"string",multiple:!0},"sign-moved":{type:"boolean"},"dry-run":{type:"boolean"}},L={sign:C,verify:y,"verify-base":y,copy:{...y,"all-referrers":{type:"boolean"}},"migrate-dct":M};async function F(t,r){let i=L[t],{values:e,positionals:s}=P(r,i,t),n=e,c=o=>typeof n[o]=="string"?n[o]:void 0,d=o=>Array.isArray(n[o])?n[o]:[];if(n.help)return process.stdout.write(T),0;let g=D(c("output")),l=performance.now();try{let o=await G(t,{values:n,positionals:s,str:c,list:d});if(g==="json")process.stdout.write(`${JSON.stringify(z(o),null,2)}
`);else for(let p of b(o))process.stdout.write(`${p}
`);return o.base?.pinFailure?process.stderr.write(`error: ${o.base.pinFailure}
`):o.notSigned?.length?process.stderr.write(`error: ${o.failure}
`):o.headline&&process.stderr.write(`error: ${o.headline}: ${o.failures.map(p=>p.subject).join(", ")}
`),process.stderr.write(`${k(o,performance.now()-l)}
`),o.ok?0:1}catch(o){throw g==="json"&&process.stdout.write(`${JSON.stringify({command:t,ok:!1,error:f(o)},null,2)}
`),o}}function z(t){let r={command:t.command,ok:t.ok,...t.failure?{error:t.failure}:{}};if(t.signed){let i=[...t.signed.map(e=>({outcome:e.storage==="existing"?"reused":"signed",...e})),...(t.notSigned??[]).map(e=>({outcome:"failed",...e}))];return{...r,images:i}}if(t.base){let{pinnedDockerfile:i,...e}=t.base;return{...r,...e}}return t.copied?{...r,...t.copied}:t.migrated?{...r,...t.migrated}:{...r,images:t.verified??[]}}async function G(t,{values:r,positionals:i,str:e,list:s}){let n=r,c=await S(r),{run:d}=await import("./chunks/run-5AJVQW3E.js");if(t==="copy"&&i.length!==2)throw new a("INPUT","copy takes a source image and a destination, e.g. notary-sign copy reg.a/app@sha256:\u2026 reg.b/app");return d({command:t,images:t==="copy"?i.slice(0,1):i,...t==="copy"?{destination:i[1],allReferrers:n["all-referrers"]===!0}:{},session:c,logger:h(n.verbose===!0),inputName:I,...e("signature-format")?{signatureFormat:e("signature-format")}:{},...e("expiry")!==void 0?{expiry:e("expiry")}:{},annotations:s("annotation"),...e("referrers")?{referrers:e("referrers")}:{},recursive:n.recursive===!0,...e("timestamp-url")?{timestampUrl:e("timestamp-url")}:{},...e("timestamp-root-cert")?{timestampRootCert:e("timestamp-root-cert")}:{},requiredAnnotations:s("required-annotation"),...e("dockerfile")?{dockerfile:e("dockerfile")}:{},buildArgs:s("build-arg"),...e("platform")!==void 0?{platform:e("platform")}:{},...e("trust-policy")?{trustPolicy:e("trust-policy")}:{},...e("trust-store")?{trustStore:e("trust-store")}:{},...await E(s,e),...e("pin-output")?{pinOutput:e("pin-output")}:{},...e("ocsp-timeout")?{ocspTimeout:e("ocsp-timeout")}:{},...e("crl-timeout")?{crlTimeout:e("crl-timeout")}:{},...e("revocation-cache")?{revocationCache:e("revocation-cache")}:{},signatureSources:s("signature-source"),...e("notary-server")?{notaryServer:e("notary-server")}:{},dctRootKeys:s("dct-root-key"),signMoved:n["sign-moved"]===!0,dryRun:n["dry-run"]===!0})}async function q(t){let[r,...i]=t;if(r!=="show"&&r!=="init")throw new a("INPUT",`policy: "${r??""}" is not show or init; run notary-sign --help`);let{values:e}=P(i,{...y,"output-dir":{type:"string"},from:{type:"string"}},`policy ${r}`),s=e,n=u=>typeof s[u]=="string"?s[u]:void 0,c=u=>Array.isArray(s[u])?s[u]:[],d={session:await S(e),logger:h(s.verbose===!0),inputName:I,...n("trust-policy")?{trustPolicy:n("trust-policy")}:{},...n("trust-store")?{trustStore:n("trust-store")}:{},...await E(c,n)},{policyInit:g,policyShow:l}=await import("./chunks/policy-PK6TCBCQ.js");if(r==="show"){let u=await l(d);return process.stderr.write(`trust: ${u.description}
`),process.stdout.write(u.policyJson),0}let o=n("output-dir");if(!o)throw new a("INPUT","policy init: --output-dir is required (where trustpolicy.json and truststore/ go)");let p=n("from"),v=await g(d,{outputDir:o,...p?{from:p}:{}});for(let u of v.written)process.stdout.write(`${u}
`);return process.stderr.write(`trust: ${v.description}
`),0}var A=t=>t.includes("--debug")||process.env.RUNNER_DEBUG==="1"||/^true$/i.test(process.env.SYSTEM_DEBUG??"")||!!process.env.NOTARY_SIGN_DEBUG;function R(t,r){process.stderr.write(`error: ${f(t)}
`),r&&t instanceof Error&&t.stack&&process.stderr.write(`${t.stack}
`)}async function V(t){let r=A(t),[i,...e]=t.filter(s=>s!=="--debug");try{switch(i){case"sign":case"verify":case"verify-base":case"copy":case"migrate-dct":return await F(i,e);case"policy":return await q(e);case"version":case"--version":return process.stdout.write(`${w}
`),0;case void 0:case"help":case"--help":case"-h":return process.stdout.write(T),i===void 0?2:0;default:throw new a("INPUT",`unknown command "${i}"; run notary-sign --help`)}}catch(s){return R(s,r),1}}async function B(t){let r=A(t),i=e=>{R(e,r),process.exit(1)};process.on("uncaughtException",i),process.on("unhandledRejection",i),process.exitCode=await V(t)}var N=process.argv[1];N&&O(N)===_(import.meta.url)&&await B(process.argv.slice(2));export{I as cliInputName,V as main,B as runAsProgram};
//# sourceMappingURL=cli.js.map
