import { webcrypto } from 'node:crypto';
import * as x509 from '../../src/crypto/x509.js';

/**
 * Throwaway certificates for the demo, local trials and tests — the
 * counterpart of `notation cert generate-test`. Never for production.
 */
x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export type TestKeyType = 'RSA-2048' | 'RSA-3072' | 'RSA-4096' | 'EC-256' | 'EC-384' | 'EC-521' | 'RSA-1024';

export interface IssuedCert {
  certPem: string;
  keyPem: string;
  der: Buffer;
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
  subject: string;
}

export interface CertSpec {
  subject: string;
  key?: TestKeyType;
  issuer?: IssuedCert;
  ca?: boolean;
  pathLength?: number;
  notBefore?: Date;
  notAfter?: Date;
  /** Key usage flags; default digitalSignature (leaf) or keyCertSign|cRLSign (CA). */
  keyUsage?: x509.KeyUsageFlags;
  keyUsageCritical?: boolean;
  /** Omit the key usage extension entirely. */
  noKeyUsage?: boolean;
  /** EKU OIDs; default code signing for leaves, none for CAs. */
  eku?: string[];
  ekuCritical?: boolean;
  /** Omit basicConstraints on a CA (to build invalid chains). */
  noBasicConstraints?: boolean;
  /** Mark basicConstraints non-critical (default critical). */
  basicConstraintsCritical?: boolean;
  extraExtensions?: x509.Extension[];
  /** Sign the certificate with this hash instead of the key's default (SHA-1 to build chains that must be refused). */
  signatureHash?: 'SHA-1';
}

const DAY = 86_400_000;
export const CODE_SIGNING = '1.3.6.1.5.5.7.3.3';

function algorithms(key: TestKeyType, hash?: string): { gen: RsaHashedKeyGenParams | EcKeyGenParams; sign: Algorithm | EcdsaParams } {
  if (key.startsWith('RSA')) {
    const bits = Number(key.slice(4));
    return {
      gen: { name: 'RSASSA-PKCS1-v1_5', modulusLength: bits, publicExponent: new Uint8Array([1, 0, 1]), hash: hash ?? 'SHA-256' },
      sign: { name: 'RSASSA-PKCS1-v1_5' },
    };
  }
  const size = key.slice(3);
  return {
    gen: { name: 'ECDSA', namedCurve: `P-${size}` },
    sign: { name: 'ECDSA', hash: hash ?? (size === '256' ? 'SHA-256' : size === '384' ? 'SHA-384' : 'SHA-512') },
  };
}

export async function generateKeys(key: TestKeyType): Promise<CryptoKeyPair> {
  return await webcrypto.subtle.generateKey(algorithms(key).gen, true, ['sign', 'verify']);
}

export async function issueCertificate(spec: CertSpec, keys?: CryptoKeyPair): Promise<IssuedCert> {
  const keyType = spec.key ?? 'EC-256';
  keys ??= await generateKeys(keyType);
  const ca = spec.ca ?? false;
  const extensions: x509.Extension[] = [];
  if (!(ca && spec.noBasicConstraints))
    extensions.push(new x509.BasicConstraintsExtension(ca, spec.pathLength, spec.basicConstraintsCritical ?? true));
  if (!spec.noKeyUsage) {
    const usage = spec.keyUsage ?? (ca ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign : x509.KeyUsageFlags.digitalSignature);
    extensions.push(new x509.KeyUsagesExtension(usage, spec.keyUsageCritical ?? true));
  }
  const eku = spec.eku ?? (ca ? [] : [CODE_SIGNING]);
  if (eku.length > 0) extensions.push(new x509.ExtendedKeyUsageExtension(eku, spec.ekuCritical ?? false));
  extensions.push(await x509.SubjectKeyIdentifierExtension.create(keys.publicKey));
  if (spec.issuer) extensions.push(await x509.AuthorityKeyIdentifierExtension.create(spec.issuer.keys.publicKey));
  extensions.push(...(spec.extraExtensions ?? []));

  const now = Date.now();
  const params = {
    serialNumber: webcrypto.getRandomValues(new Uint8Array(8)).reduce((s, b) => s + b.toString(16).padStart(2, '0'), '01'),
    notBefore: spec.notBefore ?? new Date(now - 7 * DAY),
    notAfter: spec.notAfter ?? new Date(now + 365 * DAY),
    extensions,
  };
  const cert = spec.issuer
    ? await x509.X509CertificateGenerator.create({
        ...params,
        subject: spec.subject,
        issuer: spec.issuer.cert.subject,
        publicKey: keys.publicKey,
        signingKey: spec.issuer.keys.privateKey,
        signingAlgorithm: algorithms(keyTypeOf(spec.issuer.keys), spec.signatureHash).sign,
      })
    : await x509.X509CertificateGenerator.createSelfSigned({
        ...params,
        name: spec.subject,
        keys,
        signingAlgorithm: algorithms(keyType, spec.signatureHash).sign,
      });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return {
    certPem: cert.toString('pem') + '\n',
    keyPem: `-----BEGIN PRIVATE KEY-----\n${pkcs8
      .toString('base64')
      .replace(/(.{64})/g, '$1\n')
      .replace(/\n$/, '')}\n-----END PRIVATE KEY-----\n`,
    der: Buffer.from(cert.rawData),
    cert,
    keys,
    subject: spec.subject,
  };
}

function keyTypeOf(keys: CryptoKeyPair): TestKeyType {
  const alg = keys.privateKey.algorithm as RsaHashedKeyAlgorithm | EcKeyAlgorithm;
  if ('modulusLength' in alg) return `RSA-${alg.modulusLength}` as TestKeyType;
  return `EC-${alg.namedCurve.slice(2)}` as TestKeyType;
}

export interface TestChain {
  root: IssuedCert;
  leaf: IssuedCert;
  /** Leaf then root, PEM: what `certificate-chain` takes. */
  chainPem: string;
}

/** A root CA and a code-signing leaf issued by it. */
export async function generateTestChain(opts: { subject?: string; key?: TestKeyType; rootSubject?: string } = {}): Promise<TestChain> {
  const root = await issueCertificate({
    subject: opts.rootSubject ?? 'CN=notary-sign test root,O=notary-sign,ST=WA,C=US',
    ca: true,
    key: 'EC-384',
  });
  const leaf = await issueCertificate({
    subject: opts.subject ?? 'CN=notary-sign test signer,O=notary-sign,ST=WA,C=US',
    key: opts.key ?? 'EC-256',
    issuer: root,
  });
  return { root, leaf, chainPem: leaf.certPem + root.certPem };
}
