import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { describeError, NotarySignError } from '../src/errors.js';
import { consoleLogger } from '../src/log.js';
import { parseInsecureRegistries } from '../src/run/inputs.js';
import type { SessionInputs } from '../src/run/session.js';
import { countsLine, resultLines, type RunReport } from '../src/run/report.js';
import { VERSION } from '../src/version.js';

const USAGE = `notary-sign ${VERSION} — Notary Project signatures for container images

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
`;

const COMMON = {
  'insecure-registry': { type: 'string', multiple: true },
  'acr-host': { type: 'string', multiple: true },
  'network-timeout': { type: 'string' },
  'client-id': { type: 'string' },
  'tenant-id': { type: 'string' },
  'authority-host': { type: 'string' },
  'azure-devops-service-connection': { type: 'string' },
  'registry-username': { type: 'string' },
  'registry-password-stdin': { type: 'boolean' },
  output: { type: 'string' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, command: string) {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { ...COMMON, ...options }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new NotarySignError('INPUT', `${argumentProblem(err as Error & { code?: string })}; run notary-sign ${command} --help`);
  }
  // An option given an empty value is a mistake (an unset shell variable, say), never "use the default".
  for (const [option, value] of Object.entries(parsed.values))
    if (value === '' || (Array.isArray(value) && value.includes('')))
      throw new NotarySignError('INPUT', `--${option} is empty; give it a value or leave it out`);
  return parsed;
}

/** Node's argument-parser messages, in the CLI's words. */
function argumentProblem(err: Error & { code?: string }): string {
  const option = /'(-[^' ]+)/.exec(err.message)?.[1] ?? '';
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${option}`;
  if (/argument missing/.test(err.message)) return `${option} needs a value`;
  if (/ambiguous/.test(err.message))
    return `${option} needs a value but is followed by another option; write ${option}=<value> for a value starting with -`;
  if (/does not take an argument/.test(err.message)) return `${option} takes no value`;
  return err.message.split('\n')[0]!;
}

type CommonValues = {
  'insecure-registry'?: string[];
  'registry-username'?: string;
  'registry-password-stdin'?: boolean;
  'acr-host'?: string[];
  'network-timeout'?: string;
  'client-id'?: string;
  'tenant-id'?: string;
  'authority-host'?: string;
  'azure-devops-service-connection'?: string;
  verbose?: boolean;
};

/** Session from CLI flags; Azure identity from GitHub's OIDC env or an ADO script step when present. */
async function sessionFrom(
  values: CommonValues & { 'key-id'?: string; key?: string; 'certificate-chain'?: string },
): Promise<SessionInputs> {
  let registryCredentials;
  if (values['registry-password-stdin'] && !values['registry-username'])
    throw new NotarySignError('INPUT', '--registry-password-stdin needs --registry-username (the user the password is for)');
  if (values['registry-username']) {
    if (!values['registry-password-stdin'])
      throw new NotarySignError('INPUT', '--registry-username needs --registry-password-stdin (the password is read from standard input)');
    registryCredentials = { username: values['registry-username'], password: await readStdin() };
  }
  const env = process.env;
  const github =
    env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN
      ? { requestUrl: env.ACTIONS_ID_TOKEN_REQUEST_URL, requestToken: env.ACTIONS_ID_TOKEN_REQUEST_TOKEN }
      : undefined;
  const ado = values['azure-devops-service-connection'];
  // In a GitHub job that may request an OIDC token, AZURE_CLIENT_ID/AZURE_TENANT_ID (as azure/login users set
  // them) select the federated flow directly: the Azure CLI's session from azure/login expires within minutes.
  const federatedFromEnv = github && !values['client-id'] && !values['tenant-id'] && env.AZURE_CLIENT_ID && env.AZURE_TENANT_ID;
  // A federated sign-in needs both; elsewhere --client-id alone names a user-assigned managed identity.
  if ((github || ado) && Boolean(values['client-id']) !== Boolean(values['tenant-id']))
    throw new NotarySignError(
      'INPUT',
      `${values['client-id'] ? '--client-id needs --tenant-id' : '--tenant-id needs --client-id'} for a federated sign-in ` +
        `(${ado ? 'the Azure DevOps service connection' : 'GitHub OIDC'}): the app registration and its Entra tenant`,
    );
  const clientId = values['client-id'] ?? (federatedFromEnv ? env.AZURE_CLIENT_ID : undefined);
  const tenantId = values['tenant-id'] ?? (federatedFromEnv ? env.AZURE_TENANT_ID : undefined);
  return {
    ...(values['key-id'] ? { keyId: values['key-id'] } : {}),
    ...(values.key ? { key: values.key } : {}),
    ...(values['certificate-chain'] ? { certificateChain: values['certificate-chain'] } : {}),
    azure: {
      ...(clientId ? { clientId } : {}),
      ...(tenantId ? { tenantId } : {}),
      ...(values['authority-host'] ? { authorityHost: values['authority-host'] } : {}),
      ...(ado
        ? { azurePipelines: { serviceConnectionId: ado, systemAccessToken: env.SYSTEM_ACCESSTOKEN ?? '' } }
        : github && clientId
          ? { github }
          : {}),
    },
    ...(registryCredentials ? { registryCredentials } : {}),
    insecureRegistries: parseInsecureRegistries(values['insecure-registry'] ?? [], '--insecure-registry'),
    acrHosts: parseInsecureRegistries(values['acr-host'] ?? [], '--acr-host'),
    ...(values['network-timeout'] ? { networkTimeout: values['network-timeout'] } : {}),
  };
}

function outputFormat(value: string | undefined): 'text' | 'json' {
  if (value === undefined || value === 'text' || value === 'json') return value ?? 'text';
  throw new NotarySignError('INPUT', `--output: "${value}" is not text or json`);
}

const SIGN_OPTIONS = {
  'key-id': { type: 'string' },
  key: { type: 'string' },
  'certificate-chain': { type: 'string' },
  expiry: { type: 'string' },
  annotation: { type: 'string', multiple: true },
  referrers: { type: 'string' },
  'signature-format': { type: 'string' },
  recursive: { type: 'boolean' },
  'timestamp-url': { type: 'string' },
  'timestamp-root-cert': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

const VERIFY_OPTIONS = {
  'trust-policy': { type: 'string' },
  'trust-store': { type: 'string' },
  'trusted-certificate': { type: 'string', multiple: true },
  'trusted-tsa-certificate': { type: 'string', multiple: true },
  'trusted-key-vault-certificate': { type: 'string', multiple: true },
  'trusted-identity': { type: 'string', multiple: true },
  'registry-scope': { type: 'string', multiple: true },
  'verification-level': { type: 'string' },
  'required-annotation': { type: 'string', multiple: true },
  referrers: { type: 'string' },
  dockerfile: { type: 'string' },
  'build-arg': { type: 'string', multiple: true },
  platform: { type: 'string' },
  'pin-output': { type: 'string' },
  'ocsp-timeout': { type: 'string' },
  'crl-timeout': { type: 'string' },
  'revocation-cache': { type: 'string' },
  'signature-source': { type: 'string', multiple: true },
} as const satisfies ParseArgsConfig['options'];

/** Inline trust from CLI options: certificate files read and joined as the PEM text the CI inputs carry. */
async function inlineTrust(list: (k: string) => string[], str: (k: string) => string | undefined) {
  const { readFile } = await import('node:fs/promises');
  const pem = async (option: string) =>
    (
      await Promise.all(
        list(option).map((path) =>
          readFile(path, 'utf8').catch(() => {
            throw new NotarySignError('INPUT', `--${option}: cannot read ${path}`);
          }),
        ),
      )
    ).join('\n');
  return {
    ...(list('trusted-certificate').length > 0 ? { trustedCertificates: await pem('trusted-certificate') } : {}),
    ...(list('trusted-tsa-certificate').length > 0 ? { trustedTsaCertificates: await pem('trusted-tsa-certificate') } : {}),
    ...(list('trusted-key-vault-certificate').length > 0 ? { trustedKeyVaultCertificates: list('trusted-key-vault-certificate') } : {}),
    ...(list('trusted-identity').length > 0 ? { trustedIdentities: list('trusted-identity') } : {}),
    ...(list('registry-scope').length > 0 ? { registryScopes: list('registry-scope') } : {}),
    ...(str('verification-level') ? { verificationLevel: str('verification-level') } : {}),
  };
}

/** The CLI's spelling of the core's input names: repeated options are singular, images positional. */
const CLI_NAMES: Record<string, string> = {
  image: '<image>',
  destination: '<destination>',
  annotations: '--annotation',
  'required-annotations': '--required-annotation',
  'build-args': '--build-arg',
  'insecure-registries': '--insecure-registry',
  'acr-hosts': '--acr-host',
  'network-timeout': '--network-timeout',
  'registry-password': '--registry-password-stdin',
  'trusted-certificates': '--trusted-certificate',
  'trusted-tsa-certificates': '--trusted-tsa-certificate',
  'trusted-key-vault-certificates': '--trusted-key-vault-certificate',
  'trusted-identities': '--trusted-identity',
  'registry-scopes': '--registry-scope',
  'signature-source': '--signature-source',
};
export const cliInputName = (kebab: string): string => CLI_NAMES[kebab] ?? `--${kebab}`;

const MIGRATE_OPTIONS = {
  ...SIGN_OPTIONS,
  'notary-server': { type: 'string' },
  'dct-root-key': { type: 'string', multiple: true },
  'sign-moved': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

type CommandName = 'sign' | 'verify' | 'verify-base' | 'copy' | 'migrate-dct';

const COMMAND_OPTIONS: Record<CommandName, ParseArgsConfig['options']> = {
  sign: SIGN_OPTIONS,
  verify: VERIFY_OPTIONS,
  'verify-base': VERIFY_OPTIONS,
  copy: { ...VERIFY_OPTIONS, 'all-referrers': { type: 'boolean' } },
  'migrate-dct': MIGRATE_OPTIONS,
};

/** Every command goes through the core's run(), as the CI adapters do; only printing differs. */
async function runCommand(name: CommandName, args: string[]): Promise<number> {
  const options = COMMAND_OPTIONS[name];
  const { values, positionals } = parse(args, options as typeof VERIFY_OPTIONS, name);
  const v = values as Record<string, string | string[] | boolean | undefined>;
  const str = (k: string) => (typeof v[k] === 'string' ? v[k] : undefined);
  const list = (k: string) => (Array.isArray(v[k]) ? v[k] : []);
  if (v.help) return (process.stdout.write(USAGE), 0);
  const format = outputFormat(str('output'));
  const started = performance.now();
  try {
    const report = await runWith(name, { values: v, positionals, str, list });
    if (format === 'json') process.stdout.write(`${JSON.stringify(jsonDocument(report), null, 2)}\n`);
    else for (const line of resultLines(report)) process.stdout.write(`${line}\n`);
    // The result lines above give each reason; the closing lines name what failed and count.
    if (report.base?.pinFailure) process.stderr.write(`error: ${report.base.pinFailure}\n`);
    else if (report.notSigned?.length) process.stderr.write(`error: ${report.failure}\n`);
    else if (report.headline) process.stderr.write(`error: ${report.headline}: ${report.failures.map((f) => f.subject).join(', ')}\n`);
    process.stderr.write(`${countsLine(report, performance.now() - started)}\n`);
    return report.ok ? 0 : 1;
  } catch (err) {
    // --output json always prints a document, also when the run failed before any result.
    if (format === 'json') process.stdout.write(`${JSON.stringify({ command: name, ok: false, error: describeError(err) }, null, 2)}\n`);
    throw err;
  }
}

/** The JSON document of a run: what it did to each image, and `error` when it failed. */
function jsonDocument(report: RunReport) {
  const head = { command: report.command, ok: report.ok, ...(report.failure ? { error: report.failure } : {}) };
  if (report.signed) {
    const images = [
      ...report.signed.map((r) => ({ outcome: r.storage === 'existing' ? 'reused' : 'signed', ...r })),
      ...(report.notSigned ?? []).map((f) => ({ outcome: 'failed', ...f })),
    ];
    return { ...head, images };
  }
  if (report.base) {
    const { pinnedDockerfile: _omit, ...base } = report.base;
    return { ...head, ...base };
  }
  if (report.copied) return { ...head, ...report.copied };
  if (report.migrated) return { ...head, ...report.migrated };
  return { ...head, images: report.verified ?? [] };
}

type Parsed = {
  values: Record<string, string | string[] | boolean | undefined>;
  positionals: string[];
  str: (k: string) => string | undefined;
  list: (k: string) => string[];
};

async function runWith(name: CommandName, { values, positionals, str, list }: Parsed): Promise<RunReport> {
  const v = values;
  const session = await sessionFrom(values);
  const { run } = await import('../src/run/index.js');
  if (name === 'copy' && positionals.length !== 2)
    throw new NotarySignError('INPUT', `copy takes a source image and a destination, e.g. notary-sign copy reg.a/app@sha256:… reg.b/app`);
  return run({
    command: name,
    images: name === 'copy' ? positionals.slice(0, 1) : positionals,
    ...(name === 'copy' ? { destination: positionals[1]!, allReferrers: v['all-referrers'] === true } : {}),
    session,
    logger: consoleLogger(v.verbose === true),
    inputName: cliInputName,
    ...(str('signature-format') ? { signatureFormat: str('signature-format') } : {}),
    ...(str('expiry') !== undefined ? { expiry: str('expiry') } : {}),
    annotations: list('annotation'),
    ...(str('referrers') ? { referrers: str('referrers') } : {}),
    recursive: v.recursive === true,
    ...(str('timestamp-url') ? { timestampUrl: str('timestamp-url') } : {}),
    ...(str('timestamp-root-cert') ? { timestampRootCert: str('timestamp-root-cert') } : {}),
    requiredAnnotations: list('required-annotation'),
    ...(str('dockerfile') ? { dockerfile: str('dockerfile') } : {}),
    buildArgs: list('build-arg'),
    ...(str('platform') !== undefined ? { platform: str('platform') } : {}),
    ...(str('trust-policy') ? { trustPolicy: str('trust-policy') } : {}),
    ...(str('trust-store') ? { trustStore: str('trust-store') } : {}),
    ...(await inlineTrust(list, str)),
    ...(str('pin-output') ? { pinOutput: str('pin-output') } : {}),
    ...(str('ocsp-timeout') ? { ocspTimeout: str('ocsp-timeout') } : {}),
    ...(str('crl-timeout') ? { crlTimeout: str('crl-timeout') } : {}),
    ...(str('revocation-cache') ? { revocationCache: str('revocation-cache') } : {}),
    signatureSources: list('signature-source'),
    ...(str('notary-server') ? { notaryServer: str('notary-server') } : {}),
    dctRootKeys: list('dct-root-key'),
    signMoved: v['sign-moved'] === true,
    dryRun: v['dry-run'] === true,
  });
}

/** `policy show` prints the effective trust policy; `policy init` writes trustpolicy.json and truststore/. */
async function runPolicy(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'show' && sub !== 'init')
    throw new NotarySignError('INPUT', `policy: "${sub ?? ''}" is not show or init; run notary-sign --help`);
  const { values } = parse(rest, { ...VERIFY_OPTIONS, 'output-dir': { type: 'string' }, from: { type: 'string' } }, `policy ${sub}`);
  const v = values as Record<string, string | string[] | boolean | undefined>;
  const str = (k: string) => (typeof v[k] === 'string' ? v[k] : undefined);
  const list = (k: string) => (Array.isArray(v[k]) ? v[k] : []);
  const inputs = {
    session: await sessionFrom(values),
    logger: consoleLogger(v.verbose === true),
    inputName: cliInputName,
    ...(str('trust-policy') ? { trustPolicy: str('trust-policy') } : {}),
    ...(str('trust-store') ? { trustStore: str('trust-store') } : {}),
    ...(await inlineTrust(list, str)),
  };
  const { policyInit, policyShow } = await import('../src/run/policy.js');
  if (sub === 'show') {
    const shown = await policyShow(inputs);
    process.stderr.write(`trust: ${shown.description}\n`);
    process.stdout.write(shown.policyJson);
    return 0;
  }
  const outputDir = str('output-dir');
  if (!outputDir) throw new NotarySignError('INPUT', 'policy init: --output-dir is required (where trustpolicy.json and truststore/ go)');
  const from = str('from');
  const done = await policyInit(inputs, { outputDir, ...(from ? { from } : {}) });
  for (const path of done.written) process.stdout.write(`${path}\n`);
  process.stderr.write(`trust: ${done.description}\n`);
  return 0;
}

/** Stack traces only when asked for: --debug, or the CI's debug switch (RUNNER_DEBUG, SYSTEM_DEBUG). */
const wantsStack = (argv: readonly string[]) =>
  argv.includes('--debug') ||
  process.env.RUNNER_DEBUG === '1' ||
  /^true$/i.test(process.env.SYSTEM_DEBUG ?? '') ||
  Boolean(process.env.NOTARY_SIGN_DEBUG);

/** The last word on any failure: one line, and the stack only when asked for. */
function report(err: unknown, debug: boolean): void {
  process.stderr.write(`error: ${describeError(err)}\n`);
  if (debug && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
}

export async function main(argv: string[]): Promise<number> {
  const debug = wantsStack(argv);
  const [command, ...rest] = argv.filter((a) => a !== '--debug');
  try {
    switch (command) {
      case 'sign':
      case 'verify':
      case 'verify-base':
      case 'copy':
      case 'migrate-dct':
        return await runCommand(command, rest);
      case 'policy':
        return await runPolicy(rest);
      case 'version':
      case '--version':
        process.stdout.write(`${VERSION}\n`);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new NotarySignError('INPUT', `unknown command "${command}"; run notary-sign --help`);
    }
  } catch (err) {
    report(err, debug);
    return 1;
  }
}

/** Runs as a program: `node dist/cli.js`, `tsx cli/main.ts`, or through bin/notary-sign.js. */
export async function runAsProgram(argv: string[]): Promise<void> {
  const debug = wantsStack(argv);
  // Whatever escapes (a stray rejection in a library callback) still ends as one line.
  const lastResort = (err: unknown) => {
    report(err, debug);
    process.exit(1);
  };
  process.on('uncaughtException', lastResort);
  process.on('unhandledRejection', lastResort);
  process.exitCode = await main(argv);
}

// The file a user runs, runs: from source (`npx tsx cli/main.ts …`) exactly as from the bundle.
const entry = process.argv[1];
if (entry && realpathSync(entry) === fileURLToPath(import.meta.url)) await runAsProgram(process.argv.slice(2));
