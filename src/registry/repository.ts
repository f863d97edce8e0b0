import { NotarySignError } from '../errors.js';
import { EMPTY_CONFIG, EMPTY_CONFIG_BYTES, MediaType, SIGNATURE_ENVELOPE_TYPES, type Descriptor } from '../oci/media-types.js';
import type { Reference } from '../oci/reference.js';
import { sha256Digest } from '../util/encoding.js';
import { LIMITS, type RegistryClient, type Repository } from './client.js';
import { listReferrers, pushReferrer, requireReferrersApi, type ReferrersMode, type ReferrersStorage } from './referrers.js';

/** A signature envelope as stored: its media type, bytes and the signature manifest's annotations. */
export interface SignatureBlob {
  mediaType: string;
  bytes: Buffer;
  annotations: Record<string, string>;
}

/**
 * The registry operations signing and verification share (notation-go
 * registry/interface.go): resolve a reference, list the signatures of a
 * manifest, fetch one signature's envelope, push a signature. Nothing in
 * sign/ or verify/ talks to the registry any other way.
 */
export interface SignatureRepository {
  resolve(ref: Reference): Promise<Descriptor>;
  listSignatures(
    repo: Repository,
    subject: Pick<Descriptor, 'digest'>,
    opts?: { mode?: ReferrersMode },
  ): Promise<{ descriptors: Descriptor[]; storage: ReferrersStorage }>;
  /** The envelope of a signature manifest about `subject`, or why it cannot be used. */
  fetchSignatureBlob(repo: Repository, signatureDigest: string, subject: Descriptor): Promise<SignatureBlob | string>;
  pushSignature(repo: Repository, signature: SignatureToPush): Promise<PushedSignature>;
  /** Fail before anything is pushed when the referrers API is demanded but missing. */
  requireReferrersApi(repo: Repository, subject: Descriptor): Promise<void>;
  /** Signatures will be pushed to this repository (before any request to it: its reads then get the push token). */
  willPush?(repo: Repository): void;
  /** Start what a signature push needs that does not depend on its envelope, while the envelope is made. */
  prepareSignature?(repo: Repository): Promise<void>;
}

export interface SignatureToPush {
  subject: Descriptor;
  envelope: { mediaType: string; bytes: Uint8Array };
  /** Signature manifest annotations (thumbprints, creation time). */
  annotations: Record<string, string>;
  mode: ReferrersMode;
}

export interface PushedSignature {
  descriptor: Descriptor;
  storage: ReferrersStorage;
  /** The registry answered OCI-Subject: it indexed the subject (no listing needed to know). */
  subjectAccepted: boolean;
}

export class RegistryRepository implements SignatureRepository {
  constructor(readonly client: RegistryClient) {}

  resolve(ref: Reference): Promise<Descriptor> {
    return this.client.resolve(ref);
  }

  listSignatures(repo: Repository, subject: Pick<Descriptor, 'digest'>, opts: { mode?: ReferrersMode } = {}) {
    return listReferrers(this.client, repo, {
      subject: subject.digest,
      artifactType: MediaType.NotarySignature,
      mode: opts.mode ?? 'auto',
    });
  }

  requireReferrersApi(repo: Repository, subject: Descriptor): Promise<void> {
    return requireReferrersApi(this.client, repo, subject.digest);
  }

  willPush(repo: Repository): void {
    this.client.willPush(repo);
  }

  /** The shared empty config (pushSignature's own upload of it then joins this one). */
  prepareSignature(repo: Repository): Promise<void> {
    return this.client.pushBlob(repo, EMPTY_CONFIG_BYTES, EMPTY_CONFIG.digest);
  }

  /**
   * The signature manifest (signature-specification.md, "Storage"): an OCI
   * manifest with artifactType application/vnd.cncf.notary.signature, the
   * empty config, one envelope layer and the signed manifest as subject.
   * Blobs first, then the manifest, then the referrers index: each step is
   * safe to repeat.
   */
  async pushSignature(repo: Repository, signature: SignatureToPush): Promise<PushedSignature> {
    const { subject, envelope, annotations } = signature;
    const layer: Descriptor = { mediaType: envelope.mediaType, digest: sha256Digest(envelope.bytes), size: envelope.bytes.length };
    const manifest = {
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      artifactType: MediaType.NotarySignature,
      config: EMPTY_CONFIG,
      layers: [layer],
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
      annotations,
    };
    const bytes = Buffer.from(JSON.stringify(manifest));
    const descriptor: Descriptor = {
      mediaType: MediaType.OciManifest,
      digest: sha256Digest(bytes),
      size: bytes.length,
      artifactType: MediaType.NotarySignature,
      annotations,
    };
    // Both blobs at once; the envelope is new bytes every time (its signature and signing time), so it is
    // uploaded without asking first, while the shared empty config is looked for before it is uploaded.
    await Promise.all([
      this.client.pushBlob(repo, EMPTY_CONFIG_BYTES, EMPTY_CONFIG.digest),
      this.client.pushNewBlob(repo, envelope.bytes, layer.digest),
    ]);
    const pushed = await pushReferrer(this.client, repo, {
      manifest: { bytes, descriptor },
      subject: subject.digest,
      mode: signature.mode,
    });
    return { descriptor, ...pushed };
  }

  async fetchSignatureBlob(repo: Repository, signatureDigest: string, subject: Descriptor): Promise<SignatureBlob | string> {
    let manifest: {
      subject?: { digest?: string };
      layers?: Descriptor[];
      artifactType?: string;
      config?: { mediaType?: string };
      annotations?: Record<string, string>;
    };
    try {
      manifest = JSON.parse((await this.client.getManifest(repo, signatureDigest)).bytes.toString('utf8')) as typeof manifest;
    } catch (err) {
      if (err instanceof NotarySignError && err.code !== 'NETWORK' && err.code !== 'AUTH')
        return `signature manifest ${signatureDigest} cannot be read: ${err.message}`;
      if (err instanceof SyntaxError) return `signature manifest ${signatureDigest} is not valid JSON`;
      throw err;
    }
    // Older notation wrote the artifact type as the config media type (REFERENCE.md §1).
    if (manifest.artifactType !== MediaType.NotarySignature && manifest.config?.mediaType !== MediaType.NotarySignature) {
      return `manifest ${signatureDigest} is not a Notary Project signature manifest`;
    }
    if (manifest.subject?.digest !== subject.digest) {
      return (
        `signature manifest ${signatureDigest} names subject ${manifest.subject?.digest ?? '(none)'}, ` +
        `not this image (${subject.digest})`
      );
    }
    const layer = manifest.layers?.length === 1 ? manifest.layers[0] : undefined;
    if (!layer || typeof layer.digest !== 'string' || typeof layer.mediaType !== 'string')
      return `signature manifest ${signatureDigest} must have exactly one envelope layer`;
    if (!SIGNATURE_ENVELOPE_TYPES.includes(layer.mediaType)) return `signature envelope type ${layer.mediaType} is not supported`;
    if (typeof layer.size !== 'number' || layer.size > LIMITS.signatureBlob)
      return `signature envelope size ${layer.size} is invalid or over the ${LIMITS.signatureBlob}-byte limit`;
    try {
      return {
        mediaType: layer.mediaType,
        bytes: await this.client.getBlob(repo, layer.digest, LIMITS.signatureBlob),
        annotations: manifest.annotations ?? {},
      };
    } catch (err) {
      if (err instanceof NotarySignError && (err.code === 'NOT_FOUND' || err.code === 'REGISTRY')) return err.message;
      throw err;
    }
  }
}
