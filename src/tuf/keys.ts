import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { parseCertificates, type Certificate } from '../crypto/certificate.js';
import { canonicalJson } from './canonical-json.js';

/** A TUF public key as notary writes it (notary tuf/data/keys.go). */
export interface TufKey {
  keytype: string;
  keyval: { public: string; private?: null };
}

/** A signature entry of signed metadata (notary tuf/data/types.go Signature). */
export interface TufSignature {
  keyid: string;
  method: string;
  sig: string;
}

/** A key's ID: SHA-256 of the canonical JSON of the key with no private part (notary tuf/data/keys.go TUFKey.ID). */
export function keyId(key: TufKey): string {
  const publicOnly = { keytype: key.keytype, keyval: { private: null, public: key.keyval.public } };
  return createHash('sha256').update(canonicalJson(publicOnly)).digest('hex');
}

/** The certificate of an x509 key type (root keys are certificates: notary's ecdsa-x509, rsa-x509). */
export function certificateOf(key: TufKey): Certificate | undefined {
  if (!key.keytype.endsWith('-x509')) return undefined;
  // notary stores the certificate's PEM, base64-encoded once more.
  const certs = parseCertificates(Buffer.from(key.keyval.public, 'base64'), `${key.keytype} key`);
  if (certs.length !== 1) throw new Error(`${key.keytype} key holds ${certs.length} certificates, not one`);
  return certs[0];
}

/**
 * The ID `notary key list` and `docker trust inspect` show for a root key: the ID of the certificate's bare
 * public key (notary utils.CanonicalKeyID), the same for every repository a root key signs.
 */
export function canonicalKeyId(key: TufKey): string {
  const cert = certificateOf(key);
  if (!cert) return keyId(key);
  const der = cert.publicKey.export({ type: 'spki', format: 'der' });
  return keyId({ keytype: key.keytype.replace(/-x509$/, ''), keyval: { public: der.toString('base64') } });
}

function publicKeyOf(key: TufKey): KeyObject {
  const bytes = Buffer.from(key.keyval.public, 'base64');
  switch (key.keytype) {
    case 'ecdsa':
    case 'rsa':
      return createPublicKey({ key: bytes, format: 'der', type: 'spki' });
    case 'ecdsa-x509':
    case 'rsa-x509':
      return certificateOf(key)!.publicKey;
    case 'ed25519':
      return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: bytes.toString('base64url') }, format: 'jwk' });
    default:
      throw new Error(`key type "${key.keytype}" is not one notary uses`);
  }
}

// Signature methods and the key types each accepts (notary tuf/signed/verifiers.go): digests are always SHA-256.
const METHODS: Record<string, { keytypes: string[]; check: (key: KeyObject, sig: Buffer, msg: Buffer) => boolean }> = {
  ecdsa: { keytypes: ['ecdsa', 'ecdsa-x509'], check: (key, sig, msg) => verify('sha256', msg, { key, dsaEncoding: 'ieee-p1363' }, sig) },
  eddsa: { keytypes: ['ed25519'], check: (key, sig, msg) => verify(null, msg, key, sig) },
  rsapss: {
    keytypes: ['rsa', 'rsa-x509'],
    check: (key, sig, msg) => verify('sha256', msg, { key, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: 32 }, sig),
  },
  rsapkcs1v15: { keytypes: ['rsa', 'rsa-x509'], check: (key, sig, msg) => verify('sha256', msg, key, sig) },
};

/** Whether `signature` is `key`'s over `message`; any malformed part is simply not a valid signature. */
export function verifySignature(key: TufKey, signature: TufSignature, message: Buffer): boolean {
  const method = METHODS[signature.method.toLowerCase()];
  if (!method || !method.keytypes.includes(key.keytype)) return false;
  try {
    return method.check(publicKeyOf(key), Buffer.from(signature.sig, 'base64'), message);
  } catch {
    return false;
  }
}
