import { constants, createPublicKey, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { NotarySignError } from '../errors.js';

/** The Notary Project's allowed key types, each with exactly one algorithm. */
export type KeySpec = 'RSA-2048' | 'RSA-3072' | 'RSA-4096' | 'EC-256' | 'EC-384' | 'EC-521';
export type JwsAlgorithm = 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512';
export type HashName = 'sha256' | 'sha384' | 'sha512';

/** The SHA-2 hashes by algorithm identifier (RFC 5754). */
export const HASH_OID: Record<HashName, string> = {
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
};

const ALGORITHMS: Record<KeySpec, { jws: JwsAlgorithm; hash: HashName; cose: number }> = {
  'RSA-2048': { jws: 'PS256', hash: 'sha256', cose: -37 },
  'RSA-3072': { jws: 'PS384', hash: 'sha384', cose: -38 },
  'RSA-4096': { jws: 'PS512', hash: 'sha512', cose: -39 },
  'EC-256': { jws: 'ES256', hash: 'sha256', cose: -7 },
  'EC-384': { jws: 'ES384', hash: 'sha384', cose: -35 },
  'EC-521': { jws: 'ES512', hash: 'sha512', cose: -36 },
};

export const jwsAlgorithm = (spec: KeySpec): JwsAlgorithm => ALGORITHMS[spec].jws;
export const hashOf = (spec: KeySpec): HashName => ALGORITHMS[spec].hash;
export const isRsa = (spec: KeySpec): boolean => spec.startsWith('RSA');

const CURVES: Record<string, KeySpec> = { prime256v1: 'EC-256', secp384r1: 'EC-384', secp521r1: 'EC-521' };

/** Key spec of a key, or a one-line reason why the Notary Project does not allow it. */
export function keySpecOf(key: KeyObject): { spec: KeySpec } | { problem: string } {
  const r = describeKey(key);
  return r in ALGORITHMS ? { spec: r as KeySpec } : { problem: r };
}

function describeKey(key: KeyObject): string {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss': {
      const bits = details.modulusLength;
      if (bits === 2048 || bits === 3072 || bits === 4096) return `RSA-${bits}` as KeySpec;
      return `RSA key of ${bits} bits (allowed: 2048, 3072, 4096)`;
    }
    case 'ec': {
      const spec = CURVES[details.namedCurve ?? ''];
      return spec ?? `EC key on curve ${details.namedCurve} (allowed: P-256, P-384, P-521)`;
    }
    default:
      return `${key.asymmetricKeyType ?? 'unknown'} key (allowed: RSA 2048/3072/4096, EC P-256/P-384/P-521)`;
  }
}

export function requireKeySpec(key: KeyObject, what: string): KeySpec {
  const r = keySpecOf(key);
  if ('spec' in r) return r.spec;
  throw new NotarySignError('KEY', `${what} is an unsupported ${r.problem}`);
}

/** Sign with a local private key; RSA is RSASSA-PSS with salt = hash length, EC is r||s. */
export function signLocal(spec: KeySpec, key: KeyObject, data: Uint8Array): Uint8Array {
  const hash = hashOf(spec);
  return isRsa(spec)
    ? nodeSign(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST })
    : nodeSign(hash, data, { key, dsaEncoding: 'ieee-p1363' });
}

export function verifyRaw(spec: KeySpec, key: KeyObject, { data, signature }: { data: Uint8Array; signature: Uint8Array }): boolean {
  const hash = hashOf(spec);
  try {
    return isRsa(spec)
      ? nodeVerify(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, signature)
      : nodeVerify(hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false;
  }
}

/** JWK-free comparison of two public keys by their SPKI DER. */
export const samePublicKey = (a: KeyObject, b: KeyObject): boolean => spki(a).equals(spki(b));
const spki = (k: KeyObject): Buffer => (k.type === 'public' ? k : createPublicKey(k)).export({ type: 'spki', format: 'der' });

export const ALLOWED_JWS_ALGORITHMS = new Set<string>(Object.values(ALGORITHMS).map((a) => a.jws));
