import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { NotarySignError } from '../errors.js';
import { inputNames, type InputNames } from '../util/input-names.js';
import { codeSigningChainProblem, parseCertificates, type Certificate } from './certificate.js';
import { requireKeySpec, samePublicKey, signLocal, type KeySpec } from './key-spec.js';

/**
 * What the signing code needs from a key, wherever it lives (a local PEM file,
 * Azure Key Vault). `sign` receives the exact bytes to sign (the JWS signing
 * input); a remote signer hashes them itself so the key never leaves its home.
 */
export interface Signer {
  readonly keySpec: KeySpec;
  /** Human-readable key identity for logs and summaries (never secret). */
  readonly keyId: string;
  /** Leaf first, ending with the root (or a lone self-signed leaf). */
  certificateChain(): Promise<Certificate[]>;
  sign(data: Uint8Array): Promise<Uint8Array>;
}

/**
 * Refuse a chain that notation would reject, or whose leaf is not the signing
 * key: checked before anything is pushed.
 */
export function checkSigningMaterial({
  keySpec,
  publicKey,
  chain,
  source,
  now = new Date(),
}: {
  keySpec: KeySpec;
  publicKey: KeyObject;
  chain: Certificate[];
  /** Where the chain came from, for messages. */
  source: string;
  now?: Date;
}): void {
  const leaf = chain[0];
  if (!leaf) throw new NotarySignError('KEY', `${source} contains no certificate`);
  if (!samePublicKey(leaf.publicKey, publicKey)) {
    throw new NotarySignError(
      'KEY',
      `the signing certificate "${leaf.subject}" in ${source} does not belong to the signing key: ` +
        `its public key differs; supply the certificate issued for this key (leaf first)`,
    );
  }
  const leafSpec = requireKeySpec(leaf.publicKey, `the signing certificate "${leaf.subject}"`);
  if (leafSpec !== keySpec)
    throw new NotarySignError('KEY', `the signing certificate key (${leafSpec}) does not match the signing key (${keySpec})`);
  const problem = codeSigningChainProblem(chain, now);
  if (problem) throw new NotarySignError('KEY', `${source}: ${problem}`);
}

/** A PEM private key on disk: the no-cloud path for local use, demos and tests. */
export class LocalKeySigner implements Signer {
  readonly keySpec: KeySpec;
  readonly keyId: string;
  private readonly key: KeyObject;
  private readonly chain: Certificate[];

  private constructor(parts: { keySpec: KeySpec; keyId: string; key: KeyObject; chain: Certificate[] }) {
    ({ keySpec: this.keySpec, keyId: this.keyId, key: this.key, chain: this.chain } = parts);
  }

  static async fromFiles(keyPath: string, chainPath: string, name: InputNames = inputNames(undefined)): Promise<LocalKeySigner> {
    const [keyPem, chainPem] = await Promise.all([readInput(keyPath, name('key')), readInput(chainPath, name('certificate-chain'))]);
    let key: KeyObject;
    try {
      key = createPrivateKey(keyPem);
    } catch {
      throw new NotarySignError('KEY', `${name('key')} ${keyPath} ${keyFileProblem(keyPem.toString('latin1'))}`);
    }
    const keySpec = requireKeySpec(key, `key ${keyPath}`);
    const chain = parseCertificates(chainPem, `${name('certificate-chain')} ${chainPath}`);
    checkSigningMaterial({ keySpec, publicKey: createPublicKey(key), chain, source: `${name('certificate-chain')} ${chainPath}` });
    return new LocalKeySigner({ keySpec, keyId: `local key ${keyPath}`, key, chain });
  }

  certificateChain(): Promise<Certificate[]> {
    return Promise.resolve(this.chain);
  }

  sign(data: Uint8Array): Promise<Uint8Array> {
    return Promise.resolve(signLocal(this.keySpec, this.key, data));
  }
}

async function readInput(path: string, input: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new NotarySignError(
      'INPUT',
      `${input}: cannot read ${path} (${code === 'ENOENT' ? 'no such file' : (code ?? (err as Error).message)})`,
    );
  }
}

/** What a file given as the private key is instead, in words (never OpenSSL's decoder codes). */
function keyFileProblem(text: string): string {
  const labels = [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----/g)].map((m) => m[1]!);
  if (labels.includes('ENCRYPTED PRIVATE KEY') || /Proc-Type: 4,ENCRYPTED/.test(text))
    return 'is an encrypted key; decrypt it first (openssl pkey -in <encrypted.pem> -out <key.pem>) and keep that file private';
  if (labels.length === 0) return 'is not PEM (no -----BEGIN line); expected a PEM private key such as -----BEGIN PRIVATE KEY-----';
  if (labels.every((l) => l.includes('CERTIFICATE')))
    return 'holds a certificate, not a private key; give the certificate as the certificate chain and the key file as the key';
  if (labels.some((l) => l.includes('PUBLIC KEY'))) return 'holds a public key; signing needs the private key';
  return `holds ${labels.join(', ')} but no private key that can be read; expected -----BEGIN PRIVATE KEY----- (or RSA/EC PRIVATE KEY)`;
}
