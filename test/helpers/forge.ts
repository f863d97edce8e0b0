import { constants, createPrivateKey, sign as nodeSign } from 'node:crypto';
import { Annotation, EMPTY_CONFIG, EMPTY_CONFIG_BYTES, MediaType, type Descriptor } from '../../src/oci/media-types.js';
import { sha256Digest } from '../../src/util/encoding.js';
import type { RegistryClient, Repository } from '../../src/registry/client.js';
import { pushReferrer } from '../../src/registry/referrers.js';
import type { IssuedCert } from './test-certs.js';

/**
 * Hand-built JWS envelopes for adversarial tests: every field can be set to
 * anything, and the result is signed for real (or not, when asked).
 */
export interface ForgeOptions {
  signer: IssuedCert;
  chain: IssuedCert[];
  target: Descriptor;
  /** Overrides merged into the protected header (undefined deletes a key). */
  header?: Record<string, unknown>;
  /** Replaces the whole payload object. */
  payload?: unknown;
  /** Rewrites the payload's JSON text before it is signed (encodings JSON.stringify never writes). */
  payloadText?: (json: string) => string;
  signingTime?: Date;
  expiry?: Date;
  /** Hash and padding used to sign; defaults follow the key. */
  hash?: 'sha256' | 'sha384' | 'sha512';
  /** Mutate the envelope after signing. */
  after?: (env: { payload: string; protected: string; header: Record<string, unknown>; signature: string }) => void;
}

const b64u = (s: string | Buffer) => Buffer.from(s).toString('base64url');
const rfc = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function forgeJws(o: ForgeOptions): Buffer {
  const key = createPrivateKey(o.signer.keyPem);
  const isRsa = key.asymmetricKeyType === 'rsa';
  const bits = isRsa ? key.asymmetricKeyDetails!.modulusLength! : 0;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const hash =
    o.hash ??
    (isRsa
      ? bits === 2048
        ? 'sha256'
        : bits === 3072
          ? 'sha384'
          : 'sha512'
      : curve === 'prime256v1'
        ? 'sha256'
        : curve === 'secp384r1'
          ? 'sha384'
          : 'sha512');
  const alg = isRsa ? `PS${hash.slice(3)}` : `ES${hash.slice(3)}`;
  const header: Record<string, unknown> = {
    alg,
    crit: ['io.cncf.notary.signingScheme', ...(o.expiry ? ['io.cncf.notary.expiry'] : [])],
    cty: MediaType.NotaryPayload,
    'io.cncf.notary.signingScheme': 'notary.x509',
    'io.cncf.notary.signingTime': rfc(o.signingTime ?? new Date()),
    ...(o.expiry ? { 'io.cncf.notary.expiry': rfc(o.expiry) } : {}),
  };
  for (const [k, v] of Object.entries(o.header ?? {})) {
    if (v === undefined) delete header[k];
    else header[k] = v;
  }
  const prot = b64u(JSON.stringify(header));
  const payloadJson = JSON.stringify(o.payload ?? { targetArtifact: o.target });
  const payload = b64u(o.payloadText ? o.payloadText(payloadJson) : payloadJson);
  const input = Buffer.from(`${prot}.${payload}`);
  const signature = isRsa
    ? nodeSign(hash, input, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST })
    : nodeSign(hash, input, { key, dsaEncoding: 'ieee-p1363' });
  const env = {
    payload,
    protected: prot,
    header: { x5c: o.chain.map((c) => c.der.toString('base64')), 'io.cncf.notary.signingAgent': 'forge/1.0' } as Record<string, unknown>,
    signature: b64u(signature),
  };
  o.after?.(env);
  return Buffer.from(JSON.stringify(env));
}

/** Attach an envelope to `subject` as a Notary signature manifest (tag schema on distribution). */
export async function attachSignature(
  client: RegistryClient,
  repo: Repository,
  subject: Descriptor,
  envelope: Buffer,
  opts: { manifestSubject?: Descriptor; layerMediaType?: string; thumbprints?: string[] } = {},
): Promise<string> {
  const layer = { mediaType: opts.layerMediaType ?? MediaType.Jws, digest: sha256Digest(envelope), size: envelope.length };
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    artifactType: MediaType.NotarySignature,
    config: EMPTY_CONFIG,
    layers: [layer],
    subject: opts.manifestSubject ?? { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations: { [Annotation.Thumbprints]: JSON.stringify(opts.thumbprints ?? []), [Annotation.Created]: rfc(new Date()) },
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  const descriptor = {
    mediaType: MediaType.OciManifest,
    digest: sha256Digest(bytes),
    size: bytes.length,
    artifactType: MediaType.NotarySignature,
    annotations: manifest.annotations,
  };
  await client.pushBlob(repo, EMPTY_CONFIG_BYTES, EMPTY_CONFIG.digest);
  await client.pushBlob(repo, envelope, layer.digest);
  await pushReferrer(client, repo, { manifest: { bytes, descriptor }, subject: subject.digest, mode: 'tag' });
  return descriptor.digest;
}
