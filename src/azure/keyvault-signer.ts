import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import type { TokenCredential } from '@azure/identity';
import type { KeyVaultKey, CryptographyClient, CryptographyClientOptions } from '@azure/keyvault-keys';
import { NotarySignError } from '../errors.js';
import { inputNames, type InputNames } from '../util/input-names.js';
import { silentLogger, type Logger } from '../log.js';
import { Certificate, parseCertificates } from '../crypto/certificate.js';
import { hashOf, jwsAlgorithm, type KeySpec } from '../crypto/key-spec.js';
import { checkSigningMaterial, type Signer } from '../crypto/signer.js';
import { extractPkcs12Certificates, loadPkcs12Reader } from './pkcs12.js';
import { orderChain } from '../crypto/chain.js';
import { azureErrorMessage, signInError } from './credential.js';
import { askVaultChallenge, replayVaultChallenge } from './vault-challenge.js';

export interface KeyVaultSignerOptions {
  /** https://<vault>.vault.azure.net/keys/<name>[/<version>] or .../certificates/<name>[/<version>] */
  keyId: string;
  credential: TokenCredential;
  /** PEM chain file contents (leaf first); otherwise the chain comes from Key Vault. */
  certificateChain?: string;
  certificateChainSource?: string;
  logger?: Logger;
  /** How the user's CI spells inputs, for messages. */
  inputName?: InputNames;
  /**
   * Called once the vault's challenge is asked: the sign-in it leads to can load meanwhile. The Key Vault
   * libraries load after what it returns settles, while the sign-in's requests travel.
   */
  onFirstRequests?: () => Promise<unknown> | void;
}

interface ParsedKeyId {
  vaultUrl: string;
  kind: 'keys' | 'certificates';
  name: string;
  version?: string;
}

export function parseKeyId(keyId: string, input: InputNames = inputNames(undefined)): ParsedKeyId {
  let url: URL;
  try {
    url = new URL(keyId);
  } catch {
    throw badKeyId(keyId, input);
  }
  const parts = url.pathname.split('/').filter(Boolean);
  const [kind, name, version, ...rest] = parts;
  if (url.protocol !== 'https:' || (kind !== 'keys' && kind !== 'certificates') || !name || rest.length > 0 || url.search || url.hash)
    throw badKeyId(keyId, input);
  return { vaultUrl: url.origin, kind, name, ...(version ? { version } : {}) };
}

const badKeyId = (keyId: string, name: InputNames) =>
  new NotarySignError(
    'INPUT',
    `${name('key-id')}: "${keyId}" is not a Key Vault key or certificate URL; ` +
      `use https://<vault>.vault.azure.net/keys/<name>[/<version>] or .../certificates/<name>[/<version>]`,
  );

const isLoopback = (origin: string) => ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(origin).hostname);

/** Every Key Vault client's options: bounded retries; the challenge names vault.azure.net unless a loopback test vault. */
const vaultClientOptions = (vaultUrl: string) => ({
  retryOptions: { maxRetries: 4, maxRetryDelayInMs: 30_000 },
  ...(isLoopback(vaultUrl) ? { disableChallengeResourceVerification: true } : {}),
});

/**
 * A Key Vault key as a Signer: one `sign` REST call per signature, the key
 * version and certificate chain resolved once per run, and the private key
 * never leaving the vault.
 */
export class KeyVaultSigner implements Signer {
  readonly keySpec: KeySpec;
  readonly keyId: string;
  private readonly crypto: CryptographyClient;
  private readonly chain: Certificate[];
  private readonly log: Logger;

  private constructor(parts: { keySpec: KeySpec; keyId: string; crypto: CryptographyClient; chain: Certificate[]; log: Logger }) {
    ({ keySpec: this.keySpec, keyId: this.keyId, crypto: this.crypto, chain: this.chain, log: this.log } = parts);
  }

  static async create(opts: KeyVaultSignerOptions): Promise<KeyVaultSigner> {
    const log = opts.logger ?? silentLogger;
    const name = opts.inputName ?? inputNames(undefined);
    const id = parseKeyId(opts.keyId, name);
    const challenge = askVaultChallenge(`${id.vaultUrl}/${id.kind}/${id.name}`, { logger: log, verifyResource: !isLoopback(id.vaultUrl) });
    const signInLoaded = opts.onFirstRequests?.();
    // The token the clients will ask for once challenged (the same scope, tenant and CAE flag, so it is one request).
    void challenge
      .then((c) => c && opts.credential.getToken([c.scope], { enableCae: true, ...(c.tenantId ? { tenantId: c.tenantId } : {}) }))
      .catch(() => undefined);
    await Promise.resolve(signInLoaded).catch(() => undefined);
    const [{ KeyClient, CryptographyClient }, { CertificateClient }, { createHttpHeaders }] = await Promise.all([
      import('@azure/keyvault-keys'),
      import('@azure/keyvault-certificates'),
      import('@azure/core-rest-pipeline'),
    ]);
    const clientOptions = {
      ...vaultClientOptions(id.vaultUrl),
      additionalPolicies: [{ policy: replayVaultChallenge(id.vaultUrl, challenge, createHttpHeaders), position: 'perRetry' as const }],
    };
    const keys = new KeyClient(id.vaultUrl, opts.credential, clientOptions);
    const certs = new CertificateClient(id.vaultUrl, opts.credential, clientOptions);

    let leafFromVault: Certificate | undefined;
    let certificateVersion: string | undefined;
    let keyName = id.name;
    let keyVersion = id.version;
    // A key's certificate of the same name is read alongside the key (one round trip, not two); its failure counts
    // only after the key's own.
    const certificateOfKey =
      id.kind === 'keys' && opts.certificateChain === undefined
        ? call(
            `get certificate ${keyName}`,
            () => certs.getCertificate(keyName),
            () =>
              `key ${keyName} has no Key Vault certificate of the same name; ` +
              `pass ${name('certificate-chain')} (a PEM file, signing certificate first)`,
          )
        : undefined;
    const namedCertificate =
      id.kind === 'certificates'
        ? call(`get certificate ${id.name}`, () =>
            id.version ? certs.getCertificateVersion(id.name, id.version) : certs.getCertificate(id.name),
          )
        : undefined;
    const readKey = () => call(`get key ${keyName}`, () => keys.getKey(keyName, keyVersion ? { version: keyVersion } : {}));
    const namedKey = id.kind === 'keys' ? readKey() : undefined;
    for (const first of [certificateOfKey, namedCertificate, namedKey]) first?.catch(() => undefined);
    if (namedCertificate) {
      const cert = await namedCertificate;
      if (!cert.cer || !cert.keyId)
        throw new NotarySignError('KEY', `Key Vault certificate ${id.name} has no certificate or key yet (is it still pending?)`);
      leafFromVault = new Certificate(cert.cer);
      certificateVersion = cert.properties.version;
      const keyRef = parseKeyId(cert.keyId);
      keyName = keyRef.name;
      keyVersion = keyRef.version;
    }
    const key: KeyVaultKey = await (namedKey ?? readKey()); // a certificate's key: its name and version read above
    const keySpec = keySpecOfJwk(key);
    const publicKey = publicKeyOfJwk(key);
    const versionedKeyId = key.id ?? `${id.vaultUrl}/keys/${keyName}/${key.properties.version}`;
    if (!keyVersion) log.info(`${name('key-id')} names no version; signing with the current version, ${versionedKeyId}`);

    let chain: Certificate[];
    let source: string;
    if (opts.certificateChain !== undefined) {
      source = `${name('certificate-chain')} ${opts.certificateChainSource ?? ''}`.trim();
      chain = parseCertificates(opts.certificateChain, source);
    } else {
      if (!leafFromVault) {
        const cert = await certificateOfKey!;
        if (!cert.cer) throw new NotarySignError('KEY', `Key Vault certificate ${keyName} has no issued certificate yet`);
        if (cert.keyId && parseKeyId(cert.keyId).version !== key.properties.version) {
          throw new NotarySignError(
            'KEY',
            `Key Vault certificate ${keyName} uses key version ${parseKeyId(cert.keyId).version}, ` +
              `not ${key.properties.version}; name the certificate in ${name('key-id')}, or pass ${name('certificate-chain')}`,
          );
        }
        leafFromVault = new Certificate(cert.cer);
        certificateVersion = cert.properties.version;
      }
      if (leafFromVault.isSelfSigned()) {
        chain = [leafFromVault];
        source = `Key Vault certificate ${keyName} (self-signed)`;
      } else {
        chain = await chainFromSecret(opts, {
          vaultUrl: id.vaultUrl,
          clientOptions,
          secretName: keyName,
          ...(certificateVersion ? { version: certificateVersion } : {}),
          leafKey: publicKey,
        });
        source = `Key Vault secret ${keyName}`;
        if (!chain[0]!.equals(leafFromVault))
          throw new NotarySignError(
            'KEY',
            `the chain in Key Vault secret ${keyName} does not start with certificate ${keyName}'s own certificate`,
          );
      }
    }
    checkSigningMaterial({ keySpec, publicKey, chain, source });
    // On the key client's pipeline, as KeyClient.getCryptographyClient builds it (keyvault-keys src/index.ts): its
    // Key Vault challenge is already answered, so the first sign is not preceded by another 401 round trip.
    const crypto = new CryptographyClient(key, opts.credential, {
      ...clientOptions,
      generatedClient: keysPipeline(keys),
    } as CryptographyClientOptions);
    log.info(`signing key ${versionedKeyId} (${keySpec}, ${jwsAlgorithm(keySpec)}); certificate "${chain[0]!.subject}"`);
    return new KeyVaultSigner({ keySpec, keyId: versionedKeyId, crypto, chain, log });
  }

  certificateChain(): Promise<Certificate[]> {
    return Promise.resolve(this.chain);
  }

  /** One sign call; concurrent ones need no coordination (the key client answered the vault's challenge already). */
  async sign(data: Uint8Array): Promise<Uint8Array> {
    const digest = createHash(hashOf(this.keySpec)).update(data).digest();
    const result = await call(`sign with ${this.keyId}`, () => this.crypto.sign(jwsAlgorithm(this.keySpec), digest));
    this.log.debug(`Key Vault signed a ${hashOf(this.keySpec)} digest with ${result.keyID ?? this.keyId}`);
    return result.result;
  }
}

/**
 * A Key Vault certificate's chain, leaf first, as a trust anchor source: the certificate alone when it is
 * self-signed, else the chain in its secret. Needs Key Vault Certificate User (and Secrets User for a
 * secret); `input` names the input the URL came from.
 */
export async function keyVaultCertificateChain(
  url: string,
  opts: { credential: TokenCredential; input: string; inputName?: InputNames },
): Promise<Certificate[]> {
  const id = parseKeyId(
    url,
    inputNames((kebab) => (kebab === 'key-id' ? opts.input : (opts.inputName?.(kebab) ?? kebab))),
  );
  if (id.kind !== 'certificates') {
    throw new NotarySignError(
      'INPUT',
      `${opts.input}: "${url}" is a key URL; give a certificate URL (https://<vault>/certificates/<name>)`,
    );
  }
  const { CertificateClient } = await import('@azure/keyvault-certificates');
  const clientOptions = vaultClientOptions(id.vaultUrl);
  const certs = new CertificateClient(id.vaultUrl, opts.credential, clientOptions);
  const cert = await call(
    `get certificate ${id.name}`,
    () => (id.version ? certs.getCertificateVersion(id.name, id.version) : certs.getCertificate(id.name)),
    (status) =>
      status === 403
        ? `reading certificate ${id.name} for ${opts.input} needs the Key Vault Certificate User role ("get" on certificates)`
        : undefined,
  );
  if (!cert.cer) throw new NotarySignError('KEY', `${opts.input}: Key Vault certificate ${id.name} has no issued certificate yet`);
  const leaf = new Certificate(cert.cer);
  if (leaf.isSelfSigned()) return [leaf];
  return chainFromSecret(
    { credential: opts.credential, ...(opts.inputName ? { inputName: opts.inputName } : {}) },
    {
      vaultUrl: id.vaultUrl,
      clientOptions,
      secretName: id.name,
      ...(cert.properties.version ? { version: cert.properties.version } : {}),
      leafKey: leaf.publicKey,
      alternative: `which ${opts.input} needs for a certificate that is not self-signed; or give its root in trusted-certificates`,
    },
  );
}

/** The chain from the certificate's secret (PEM or PKCS#12), whose private part is never kept. */
async function chainFromSecret(
  opts: Pick<KeyVaultSignerOptions, 'credential' | 'inputName'>,
  {
    vaultUrl,
    clientOptions,
    secretName,
    version,
    leafKey,
    alternative,
  }: { vaultUrl: string; clientOptions: object; secretName: string; version?: string; leafKey: KeyObject; alternative?: string },
): Promise<Certificate[]> {
  const name = opts.inputName ?? inputNames(undefined);
  const { SecretClient } = await import('@azure/keyvault-secrets');
  const secrets = new SecretClient(vaultUrl, opts.credential, clientOptions);
  // PKCS#12 is Key Vault's default for a certificate's secret: its reader (asn1js) loads while the secret travels.
  loadPkcs12Reader().catch(() => undefined);
  const secret = await call(
    `get secret ${secretName}`,
    () => secrets.getSecret(secretName, version ? { version } : {}),
    (status) =>
      status === 403
        ? `reading the certificate chain needs "get" permission on secret ${secretName}; ` +
          `grant it (Key Vault Secrets User), ${alternative ?? `or pass ${name('certificate-chain')}`}`
        : undefined,
  );
  const value = secret.value ?? '';
  const source = `Key Vault secret ${secretName}`;
  // The secret's value is the base64 of the PFX, or the PEM text (private key first, then certificates).
  const certs =
    secret.properties.contentType === 'application/x-pkcs12'
      ? await extractPkcs12Certificates(Buffer.from(value, 'base64'), { source, chainInput: name('certificate-chain') })
      : parseCertificates(value.replace(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, ''), source);
  // A secret holds its certificates in any order: put them leaf first, refusing what is not one chain.
  return orderChain(certs, { source, leafKey });
}

/** The generated client a KeyClient signs in with (the undocumented option getCryptographyClient passes on). */
const keysPipeline = (keys: object): unknown => (keys as { client?: unknown }).client;

function keySpecOfJwk(key: KeyVaultKey): KeySpec {
  const jwk = key.key;
  const kty = jwk?.kty ?? '';
  if (kty.startsWith('RSA') && jwk?.n) {
    const bits = (jwk.n.length - (jwk.n[0] === 0 ? 1 : 0)) * 8;
    if (bits === 2048 || bits === 3072 || bits === 4096) return `RSA-${bits}` as KeySpec;
    throw new NotarySignError('KEY', `Key Vault key ${key.name} is RSA ${bits}; the Notary Project allows RSA 2048, 3072 or 4096`);
  }
  if (kty.startsWith('EC')) {
    const spec = ({ 'P-256': 'EC-256', 'P-384': 'EC-384', 'P-521': 'EC-521' } as Record<string, KeySpec>)[jwk?.crv ?? ''];
    if (spec) return spec;
    throw new NotarySignError('KEY', `Key Vault key ${key.name} is on curve ${jwk?.crv}; the Notary Project allows P-256, P-384 or P-521`);
  }
  throw new NotarySignError('KEY', `Key Vault key ${key.name} has type ${kty || 'unknown'}; use an RSA or EC key`);
}

function publicKeyOfJwk(key: KeyVaultKey): KeyObject {
  const jwk = key.key!;
  const b64 = (v?: Uint8Array) => (v ? Buffer.from(v).toString('base64url') : undefined);
  return jwk.kty?.startsWith('RSA')
    ? createPublicKey({ key: { kty: 'RSA', n: b64(jwk.n)!, e: b64(jwk.e)! }, format: 'jwk' })
    : createPublicKey({ key: { kty: 'EC', crv: jwk.crv!, x: b64(jwk.x)!, y: b64(jwk.y)! }, format: 'jwk' });
}

/** Run a Key Vault call; turn its failure into one actionable line. */
async function call<T>(what: string, fn: () => Promise<T>, hint?: (status: number | undefined) => string | undefined): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof NotarySignError) throw err;
    const signInFailure = signInError(err);
    if (signInFailure) throw signInFailure;
    const status = (err as { statusCode?: number }).statusCode;
    const custom = hint?.(status);
    if (custom) throw new NotarySignError(status === 404 ? 'NOT_FOUND' : 'KEY', custom, { cause: err });
    const detail = azureErrorMessage(err);
    if (status === 401 || status === 403) {
      throw new NotarySignError(
        'AUTH',
        `Key Vault refused to ${what} (${status}): ${detail}; the identity needs the Key Vault Crypto User role (sign, ` +
          `get key) and Key Vault Certificate User (get certificate)`,
        { cause: err },
      );
    }
    if (status === 404) throw new NotarySignError('NOT_FOUND', `Key Vault could not ${what}: not found (${detail})`, { cause: err });
    if (status === 429)
      throw new NotarySignError(
        'KEY',
        `Key Vault kept throttling "${what}" (429) after retries: ${detail}; retry later or lower the signing concurrency`,
        { cause: err },
      );
    throw new NotarySignError('KEY', `Key Vault could not ${what}: ${status ? `${status} ` : ''}${detail}`, { cause: err });
  }
}
