import { NotarySignError } from './errors.js';
import { mapLimit } from './concurrency.js';
import { silentLogger, type Logger } from './log.js';
import { Annotation, EMPTY_CONFIG, EMPTY_CONFIG_BYTES, MediaType, type Descriptor } from './media-types.js';
import { rfc3339, sha256Digest } from './encoding.js';
import { formatReference, parseReference, withDigest, type Reference } from './reference.js';
import { RegistryClient } from './registry/client.js';
import { pushReferrer, requireReferrersApi, type ReferrersMode, type ReferrersStorage } from './registry/referrers.js';
import { signJws } from './envelope/jws.js';
import type { Signer } from './signer.js';
import { SIGNING_AGENT } from './version.js';

export interface SignOptions {
  /** Image references; a tag is resolved and its digest is what gets signed. */
  images: readonly string[];
  signer: Signer;
  registry: RegistryClient;
  /** Signature validity, e.g. 30 days; absent = no expiry. */
  expiryMs?: number;
  /** User metadata, signed into the payload's targetArtifact.annotations. */
  annotations?: Record<string, string>;
  referrers?: ReferrersMode;
  logger?: Logger;
  /** Clock for tests. */
  now?: () => Date;
  /** Images resolved and signed at once (default 8). */
  concurrency?: number;
}

export interface SignResult {
  /** The reference as given. */
  image: string;
  /** The signed manifest as `registry/repo@digest`. */
  signedReference: string;
  signedDigest: string;
  signedMediaType: string;
  signatureDigest: string;
  envelopeDigest: string;
  storage: ReferrersStorage;
  keyId: string;
  signingTime: string;
  expiry?: string;
}

/**
 * Sign each image's manifest digest and attach the signature as an OCI 1.1
 * referrer. Every reference is parsed and resolved before the first push, so
 * a bad input leaves nothing behind.
 */
export async function sign(opts: SignOptions): Promise<SignResult[]> {
  const log = opts.logger ?? silentLogger;
  if (opts.images.length === 0) throw new NotarySignError('INPUT', 'image: no image to sign; give at least one reference such as registry/app@sha256:<digest>');
  validateAnnotations(opts.annotations ?? {});
  const refs = opts.images.map((image) => ({ image, ref: parseReference(image) }));

  const limit = opts.concurrency ?? 8;
  const targets = await mapLimit(refs, limit, async ({ image, ref }) => {
    const descriptor = await opts.registry.resolve(ref);
    if (!ref.digest) {
      log.warn(`${image} is a tag; signing the digest it points to now, ${descriptor.digest}. Pass image@digest to sign exactly what you pushed.`);
    }
    return { image, ref, descriptor };
  });
  // The same manifest named twice (tag and digest, say) is signed once.
  const seen = new Set<string>();
  const unique = targets.filter((t) => {
    const key = `${t.ref.registry}/${t.ref.repository}@${t.descriptor.digest}`;
    if (seen.has(key)) {
      log.warn(`${t.image} is ${t.descriptor.digest}, already in this run; signing it once`);
      return false;
    }
    seen.add(key);
    return true;
  });
  if (opts.referrers === 'api') {
    await mapLimit(unique, limit, (t) => requireReferrersApi(opts.registry, t.ref, t.descriptor.digest));
  }
  return mapLimit(unique, limit, (t) => signOne(t, opts, log));
}

function validateAnnotations(annotations: Record<string, string>): void {
  for (const [k, v] of Object.entries(annotations)) {
    if (!k || /\s/.test(k)) throw new NotarySignError('INPUT', `annotations: key ${JSON.stringify(k)} must be non-empty without whitespace (use key=value)`);
    if (typeof v !== 'string') throw new NotarySignError('INPUT', `annotations: value of ${k} must be a string`);
  }
}

async function signOne(t: { image: string; ref: Reference; descriptor: Descriptor }, opts: SignOptions, log: Logger): Promise<SignResult> {
  const now = (opts.now ?? (() => new Date()))();
  const signingTime = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const expiry = opts.expiryMs ? new Date(signingTime.getTime() + opts.expiryMs) : undefined;
  const target: Descriptor = {
    mediaType: t.descriptor.mediaType,
    digest: t.descriptor.digest,
    size: t.descriptor.size,
    ...(opts.annotations && Object.keys(opts.annotations).length > 0 ? { annotations: opts.annotations } : {}),
  };
  const payload = Buffer.from(JSON.stringify({ targetArtifact: target }));
  const envelope = await signJws({ payload, signer: opts.signer, signingTime, ...(expiry ? { expiry } : {}), signingAgent: SIGNING_AGENT });
  const chain = await opts.signer.certificateChain();

  const envelopeDescriptor: Descriptor = { mediaType: MediaType.Jws, digest: sha256Digest(envelope), size: envelope.length };
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    artifactType: MediaType.NotarySignature,
    config: EMPTY_CONFIG,
    layers: [envelopeDescriptor],
    subject: { mediaType: t.descriptor.mediaType, digest: t.descriptor.digest, size: t.descriptor.size },
    annotations: {
      [Annotation.Thumbprints]: JSON.stringify(chain.map((c) => c.thumbprint)),
      [Annotation.Created]: rfc3339(signingTime),
    },
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const manifestDescriptor: Descriptor = {
    mediaType: MediaType.OciManifest,
    digest: sha256Digest(manifestBytes),
    size: manifestBytes.length,
    artifactType: MediaType.NotarySignature,
    annotations: manifest.annotations,
  };

  // Blobs first, then the manifest, then the index: each step is safe to repeat.
  await opts.registry.pushBlob(t.ref, EMPTY_CONFIG_BYTES, EMPTY_CONFIG.digest);
  await opts.registry.pushBlob(t.ref, envelope, envelopeDescriptor.digest);
  const storage = await pushReferrer(opts.registry, t.ref, { bytes: manifestBytes, descriptor: manifestDescriptor }, t.descriptor.digest, opts.referrers ?? 'auto');
  const signedReference = formatReference(withDigest(t.ref, t.descriptor.digest));
  log.info(`signed ${signedReference}: signature ${manifestDescriptor.digest} stored via ${storage === 'referrers-api' ? 'the referrers API' : `referrers tag ${t.descriptor.digest.replace(':', '-')}`}`);
  return {
    image: t.image,
    signedReference,
    signedDigest: t.descriptor.digest,
    signedMediaType: t.descriptor.mediaType,
    signatureDigest: manifestDescriptor.digest,
    envelopeDigest: envelopeDescriptor.digest,
    storage,
    keyId: opts.signer.keyId,
    signingTime: rfc3339(signingTime),
    ...(expiry ? { expiry: rfc3339(expiry) } : {}),
  };
}
