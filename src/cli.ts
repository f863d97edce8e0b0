import { parseArgs, type ParseArgsConfig } from 'node:util';
import { describeError, NotarySignError } from './errors.js';
import { consoleLogger } from './log.js';
import { parseDuration, parseInsecureRegistries, parseKeyValues, parseReferrersMode } from './inputs.js';
import { RegistryClient } from './registry/client.js';
import { dockerConfigCredentials, staticCredentials } from './registry/credentials.js';
import { VERSION } from './version.js';

const USAGE = `notary-sign ${VERSION} — Notary Project signatures for container images

Usage:
  notary-sign sign <image>... --key <key.pem> --certificate-chain <chain.pem> [options]

sign options:
  --key <file>                 PEM private key (RSA 2048/3072/4096 or EC P-256/384/521)
  --certificate-chain <file>   PEM certificates, signing certificate first, ending with the root
  --expiry <duration>          signature validity, e.g. 30d, 12h (default: none)
  --annotation <k=v>           signed user metadata (repeatable)
  --referrers <auto|api|tag>   how to attach the signature (default: auto)

common options:
  --insecure-registry <host:port>  allow plain HTTP for this registry (repeatable)
  --registry-username <user>       registry user (default: docker config credentials)
  --registry-password-stdin        read the registry password from standard input
  --output <text|json>             result format on stdout (default: text)
  --verbose                        debug logging on stderr
`;

const COMMON = {
  'insecure-registry': { type: 'string', multiple: true },
  'registry-username': { type: 'string' },
  'registry-password-stdin': { type: 'boolean' },
  output: { type: 'string' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options: { ...COMMON, ...options }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new NotarySignError('INPUT', `${(err as Error).message}; run notary-sign --help`);
  }
}

async function registryFrom(values: { 'insecure-registry'?: string[]; 'registry-username'?: string; 'registry-password-stdin'?: boolean; verbose?: boolean }, registries: string[]) {
  const docker = dockerConfigCredentials();
  let credentials = docker;
  if (values['registry-username']) {
    if (!values['registry-password-stdin']) throw new NotarySignError('INPUT', '--registry-username needs --registry-password-stdin (the password is read from standard input)');
    const password = await readStdin();
    const cred = { username: values['registry-username'], password };
    credentials = staticCredentials(Object.fromEntries(registries.map((r) => [r, cred])), docker);
  }
  return new RegistryClient({
    insecureRegistries: parseInsecureRegistries(values['insecure-registry'] ?? [], '--insecure-registry'),
    credentials,
    userAgent: `notary-sign/${VERSION}`,
    logger: consoleLogger(values.verbose),
  });
}

function outputFormat(value: string | undefined): 'text' | 'json' {
  if (value === undefined || value === 'text' || value === 'json') return value ?? 'text';
  throw new NotarySignError('INPUT', `--output: "${value}" is not text or json`);
}

async function signCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    key: { type: 'string' },
    'certificate-chain': { type: 'string' },
    expiry: { type: 'string' },
    annotation: { type: 'string', multiple: true },
    referrers: { type: 'string' },
  });
  if (values.help) return (process.stdout.write(USAGE), 0);
  const format = outputFormat(values.output);
  if (!values.key) throw new NotarySignError('INPUT', '--key is required: the PEM private key that signs');
  if (!values['certificate-chain']) throw new NotarySignError('INPUT', '--certificate-chain is required: PEM certificates, signing certificate first');
  const { parseReference } = await import('./reference.js');
  const registries = [...new Set(positionals.map((p) => parseReference(p).registry))];
  const { LocalKeySigner } = await import('./signer.js');
  const signer = await LocalKeySigner.fromFiles(values.key, values['certificate-chain']);
  const { sign } = await import('./sign.js');
  const results = await sign({
    images: positionals,
    signer,
    registry: await registryFrom(values, registries),
    ...(values.expiry ? { expiryMs: parseDuration(values.expiry, '--expiry') } : {}),
    annotations: parseKeyValues(values.annotation ?? [], '--annotation'),
    referrers: parseReferrersMode(values.referrers, '--referrers'),
    logger: consoleLogger(values.verbose),
  });
  if (format === 'json') process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  else for (const r of results) process.stdout.write(`${r.signedReference}\tsignature ${r.signatureDigest}\t${r.storage}\n`);
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'sign':
        return await signCommand(rest);
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
    process.stderr.write(`error: ${describeError(err)}\n`);
    if (process.env.NOTARY_SIGN_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return 1;
  }
}
