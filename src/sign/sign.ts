import { describeError, NotarySignError } from '../errors.js';
import { mapLimit } from '../util/concurrency.js';
import { progress, silentLogger, type Logger } from '../log.js';
import { Annotation, MediaType, isIndexMediaType, type Descriptor } from '../oci/media-types.js';
import { rfc3339, sha256Digest } from '../util/encoding.js';
import { formatReference, parseReference, withDigest, type Reference } from '../oci/reference.js';
import type { RegistryClient } from '../registry/client.js';
import type { ReferrersMode, ReferrersStorage } from '../registry/referrers.js';
import { RegistryRepository, type SignatureRepository } from '../registry/repository.js';
import { signJws } from '../envelope/jws.js';
import { loadEnvelopeFormat, parseEnvelope, parsePayload, verifyIntegrity } from '../envelope/envelope.js';
import { EnvelopeError, type EnvelopeContent } from '../envelope/types.js';
import type { Certificate } from '../crypto/certificate.js';
import { hashOf } from '../crypto/key-spec.js';
import type { Signer } from '../crypto/signer.js';
import { SIGNING_AGENT } from '../version.js';
import { inputNames, type InputNames } from '../util/input-names.js';

export interface SignOptions {
  /** Image references; a tag is resolved and its digest is what gets signed. */
  images: readonly string[];
  /** The signer, or its set-up still under way: images are resolved and their signatures listed meanwhile. */
  signer: Signer | Promise<Signer>;
  registry: RegistryClient;
  /** Signature I/O; default: the registry's. */
  repository?: SignatureRepository;
  /** Signature validity, e.g. 30 days; absent = no expiry. */
  expiryMs?: number;
  /** User metadata, signed into the payload's targetArtifact.annotations. */
  annotations?: Record<string, string>;
  referrers?: ReferrersMode;
  logger?: Logger;
  /** Clock for tests. */
  now?: () => Date;
  /**
   * Images resolved and signed at once (default 32): each is a handful of small requests and one Key Vault call, so a
   * run waits on round trips, not bandwidth; Key Vault's and registries' limits count operations per window, not
   * how many are in flight.
   */
  concurrency?: number;
  /**
   * Reuse a valid signature already attached by the same certificate chain with
   * the same annotations (default true), instead of pushing a duplicate.
   */
  reuseExisting?: boolean;
  /** Sign each platform manifest of an image index too (default false). */
  recursive?: boolean;
  /** Envelope format (default jws). */
  signatureFormat?: 'jws' | 'cose';
  /** RFC 3161 TSA to countersign each signature, with the root its tokens must chain to. */
  timestamp?: { url: string; rootCertificates: Certificate[] };
  /** How the user's CI spells inputs, for messages. */
  inputName?: InputNames;
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
  /** How it was stored; `existing` when a valid signature was already there. */
  storage: ReferrersStorage | 'existing';
  keyId: string;
  signingTime: string;
  expiry?: string;
}

/** An image that did not end signed, and why. */
export interface SignFailure {
  image: string;
  /** `registry/repo@digest`, when the image was resolved. */
  signedReference?: string;
  reason: string;
  error: unknown;
}

/** Sign every image, or throw the first failure (for callers that need all or nothing). */
export async function sign(opts: SignOptions): Promise<SignResult[]> {
  const { signed, failed } = await signEach(opts);
  if (failed[0]) throw failed[0].error;
  return signed;
}

/**
 * Sign each image's manifest digest and attach the signature as an OCI 1.1
 * referrer. Every reference is parsed and resolved before the first push, so
 * a bad input leaves nothing behind; once signing starts, one image's failure
 * does not stop the others, and every image's outcome is returned.
 */
export async function signEach(opts: SignOptions): Promise<{ signed: SignResult[]; failed: SignFailure[] }> {
  const name = opts.inputName ?? inputNames(undefined);
  const log = opts.logger ?? silentLogger;
  if (opts.images.length === 0)
    throw new NotarySignError(
      'INPUT',
      `${name('image')}: no image to sign; give at least one reference such as registry/app@sha256:<digest>`,
    );
  validateAnnotations(opts.annotations ?? {}, name);
  const refs = opts.images.map((image) => ({ image, ref: parseReference(image) }));

  const limit = opts.concurrency ?? 32;
  const repository = opts.repository ?? new RegistryRepository(opts.registry);
  const reuse = opts.reuseExisting !== false;
  for (const { ref } of refs) repository.willPush?.(ref);
  // The registry's part (resolving, looking for signatures to reuse) runs while the signer is set up (a Key Vault
  // sign-in and reads). The signer's failure comes first: a sign-in problem also fails the registry's sign-in, and
  // is the cause to report.
  const registryPart = (async () => {
    const targets: Target[] = await mapLimit(refs, limit, async ({ image, ref }, i) => {
      // The first images' signatures are listed ahead of their signing (as many as are signed at once): a digest's
      // while it is resolved (the resolving request goes first, so it is the one that learns the registry's auth
      // challenge), a tag's once it is resolved. Each listing is awaited by its image's signing.
      const ahead = reuse && i < limit;
      const resolved = repository.resolve(ref);
      const early = ahead && ref.digest ? startListing(repository, ref, ref.digest) : undefined;
      const descriptor = await resolved;
      const listing = early ?? (ahead ? startListing(repository, ref, descriptor.digest) : undefined);
      if (!ref.digest) {
        log.warn(
          `${image} is a tag; signing the digest it points to now, ${descriptor.digest}. ` +
            'Pass image@digest to sign exactly what you pushed.',
        );
      }
      return { image, ref, descriptor, ...(listing ? { listing } : {}) };
    });
    if (opts.recursive) targets.push(...(await mapLimit(targets, limit, (t) => platformManifests(opts.registry, t, log))).flat());
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
      await mapLimit(unique, limit, (t) => repository.requireReferrersApi(t.ref, t.descriptor));
    }
    return unique;
  })();
  registryPart.catch(() => undefined);
  const signer = await opts.signer;
  const unique = await registryPart;
  const step = progress(log, unique.length);
  const outcomes = await mapLimit(unique, limit, async (t): Promise<SignResult | SignFailure> => {
    const signedReference = formatReference(withDigest(t.ref, t.descriptor.digest));
    try {
      const result = await signOne(t, { ...opts, signer, repository }, log);
      step(`${result.storage === 'existing' ? 'already signed' : 'signed'} ${signedReference}`);
      return result;
    } catch (error) {
      const reason = describeError(error);
      log.warn(`${signedReference}: not signed: ${reason}`);
      step(`not signed ${signedReference}`);
      return { image: t.image, signedReference, reason, error };
    }
  });
  return {
    signed: outcomes.filter((o): o is SignResult => !('error' in o)),
    failed: outcomes.filter((o): o is SignFailure => 'error' in o),
  };
}

function validateAnnotations(annotations: Record<string, string>, name: InputNames): void {
  for (const [k, v] of Object.entries(annotations)) {
    if (!k || /\s/.test(k))
      throw new NotarySignError(
        'INPUT',
        `${name('annotations')}: key ${JSON.stringify(k)} must be non-empty without whitespace (use key=value)`,
      );
    if (typeof v !== 'string') throw new NotarySignError('INPUT', `${name('annotations')}: value of ${k} must be a string`);
  }
}

type Listing = Awaited<ReturnType<SignatureRepository['listSignatures']>>;
type Target = { image: string; ref: Reference; descriptor: Descriptor; listing?: Promise<Listing> };

/** A listing started ahead of its use; its failure is that image's, handled when the image is signed. */
function startListing(repository: SignatureRepository, repo: Reference, digest: string): Promise<Listing> {
  const listing = repository.listSignatures(repo, { digest });
  listing.catch(() => undefined);
  return listing;
}

/** The platform manifests of an index, as further targets (multi-arch signing with `recursive`). */
async function platformManifests(registry: RegistryClient, t: Target, log: Logger): Promise<Target[]> {
  if (!isIndexMediaType(t.descriptor.mediaType)) return [];
  const { bytes } = await registry.getManifest(t.ref, t.descriptor.digest);
  const children = (JSON.parse(bytes.toString('utf8')) as { manifests?: Descriptor[] }).manifests ?? [];
  const images = children.filter((c) => typeof c.digest === 'string' && !isAttestation(c));
  log.info(`${t.image} is an index: also signing its ${images.length} platform manifest(s)`);
  return images.map((c) => ({
    image: platformImageName(t.ref, c),
    ref: withDigest(t.ref, c.digest),
    descriptor: { mediaType: c.mediaType, digest: c.digest, size: c.size },
  }));
}

// BuildKit stores provenance/SBOM attestations as index entries for platform unknown/unknown.
const isAttestation = (d: Descriptor) =>
  d.platform?.os === 'unknown' || d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest';

async function signOne(
  t: Target,
  opts: SignOptions & { signer: Signer; repository: SignatureRepository },
  log: Logger,
): Promise<SignResult> {
  const now = (opts.now ?? (() => new Date()))();
  const signingTime = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const expiry = opts.expiryMs ? new Date(signingTime.getTime() + opts.expiryMs) : undefined;
  const target: Descriptor = {
    mediaType: t.descriptor.mediaType,
    digest: t.descriptor.digest,
    size: t.descriptor.size,
    ...(opts.annotations && Object.keys(opts.annotations).length > 0 ? { annotations: opts.annotations } : {}),
  };
  const chain = await opts.signer.certificateChain();
  if (opts.reuseExisting !== false) {
    const existing = await findReusable(opts.repository, t, {
      chain,
      annotations: opts.annotations ?? {},
      now,
      format: opts.signatureFormat ?? 'jws',
      ...(opts.expiryMs ? { expiryMs: opts.expiryMs } : {}),
      ...(opts.timestamp ? { timestamp: { rootCertificates: opts.timestamp.rootCertificates } } : {}),
      log,
    });
    if (existing) {
      log.info(
        `${formatReference(withDigest(t.ref, t.descriptor.digest))} already has a valid signature from this certificate chain ` +
          `(${existing.digest}); not pushing another`,
      );
      return {
        image: t.image,
        signedReference: formatReference(withDigest(t.ref, t.descriptor.digest)),
        signedDigest: t.descriptor.digest,
        signedMediaType: t.descriptor.mediaType,
        signatureDigest: existing.digest,
        envelopeDigest: existing.envelopeDigest,
        storage: 'existing',
        keyId: opts.signer.keyId,
        signingTime: rfc3339(existing.content.signingTime),
        ...(existing.content.expiry ? { expiry: rfc3339(existing.content.expiry) } : {}),
      };
    }
  }
  // The empty config goes up while the envelope is signed (a Key Vault round trip); the push below waits for it.
  opts.repository.prepareSignature?.(t.ref).catch(() => undefined);
  const payload = Buffer.from(JSON.stringify({ targetArtifact: target }));
  const cose = opts.signatureFormat === 'cose';
  const tsa = opts.timestamp;
  // COSE and the TSA client load only for runs that use them.
  const { requestTimestamp } = tsa ? await import('../crypto/timestamp.js') : { requestTimestamp: undefined };
  const timestamp =
    tsa && requestTimestamp
      ? (signature: Uint8Array) =>
          requestTimestamp({
            url: tsa.url,
            signature,
            hash: hashOf(opts.signer.keySpec),
            roots: tsa.rootCertificates,
            ...(opts.inputName ? { name: opts.inputName } : {}),
          })
      : undefined;
  await loadEnvelopeFormat(cose ? MediaType.Cose : MediaType.Jws);
  const envelope = await (cose ? (await import('../envelope/cose.js')).signCose : signJws)({
    payload,
    signer: opts.signer,
    signingTime,
    ...(expiry ? { expiry } : {}),
    signingAgent: SIGNING_AGENT,
    ...(timestamp ? { timestamp } : {}),
  });

  const pushed = await opts.repository.pushSignature(t.ref, {
    subject: t.descriptor,
    envelope: { mediaType: cose ? MediaType.Cose : MediaType.Jws, bytes: envelope },
    annotations: { [Annotation.Thumbprints]: JSON.stringify(chain.map((c) => c.thumbprint)), [Annotation.Created]: rfc3339(signingTime) },
    mode: opts.referrers ?? 'auto',
  });
  const { descriptor: manifestDescriptor, storage } = pushed;
  const signedReference = formatReference(withDigest(t.ref, t.descriptor.digest));
  // Self-check: the exact bytes pushed, checked as a verifier will check them. Blobs and manifest are
  // content-addressed and the registry confirmed each digest, so what a verifier reads is these bytes:
  // no download needed to know that what is stored verifies.
  const problem = checkEnvelope({ mediaType: cose ? MediaType.Cose : MediaType.Jws, bytes: envelope }, t, {
    chain,
    annotations: opts.annotations ?? {},
  });
  if (typeof problem === 'string')
    throw new NotarySignError('REGISTRY', `self-check of the signature just pushed for ${signedReference} failed: ${problem}`);
  // The tag-schema update returned from a re-read that lists it; a registry that answered OCI-Subject indexed it;
  // only the referrers API without that answer needs asking.
  if (storage === 'referrers-api' && !pushed.subjectAccepted) {
    const { descriptors } = await opts.repository.listSignatures(t.ref, t.descriptor, { mode: 'api' });
    if (!descriptors.some((d) => d.digest === manifestDescriptor.digest)) {
      throw new NotarySignError(
        'REGISTRY',
        `self-check failed: ` +
          `the signature ${manifestDescriptor.digest} was pushed but the referrers API does not list it for ${signedReference}`,
      );
    }
  }
  log.info(`signed ${signedReference}: signature ${manifestDescriptor.digest} stored via ${storedVia(storage, t.descriptor.digest)}`);
  return {
    image: t.image,
    signedReference,
    signedDigest: t.descriptor.digest,
    signedMediaType: t.descriptor.mediaType,
    signatureDigest: manifestDescriptor.digest,
    envelopeDigest: sha256Digest(envelope),
    storage,
    keyId: opts.signer.keyId,
    signingTime: rfc3339(signingTime),
    ...(expiry ? { expiry: rfc3339(expiry) } : {}),
  };
}

const storedVia = (storage: ReferrersStorage, subject: string) =>
  storage === 'referrers-api' ? 'the referrers API' : `referrers tag ${subject.replace(':', '-')}`;

/** `registry/repo@digest (os/arch[/variant])`: how a platform manifest of an index is named in logs and results. */
function platformImageName(ref: Reference, c: Descriptor): string {
  const p = c.platform;
  return `${formatReference(withDigest(ref, c.digest))}${p ? ` (${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''})` : ''}`;
}

/**
 * Read back one of our signatures and check it as a verifier would
 * (integrity, target, chain, annotations): the envelope content, or why not.
 */
async function checkOwnSignature(
  repository: SignatureRepository,
  t: Target,
  { sigDigest, chain, annotations }: { sigDigest: string; chain: Certificate[]; annotations: Record<string, string> },
): Promise<{ content: EnvelopeContent; envelopeDigest: string } | string> {
  const fetched = await repository.fetchSignatureBlob(t.ref, sigDigest, t.descriptor);
  if (typeof fetched === 'string') return fetched;
  await loadEnvelopeFormat(fetched.mediaType);
  return checkEnvelope(fetched, t, { chain, annotations });
}

/** An envelope checked as a verifier would (integrity, target, chain, annotations): its content, or why not. */
function checkEnvelope(
  fetched: { mediaType: string; bytes: Uint8Array },
  t: Target,
  { chain, annotations }: { chain: Certificate[]; annotations: Record<string, string> },
): { content: EnvelopeContent; envelopeDigest: string } | string {
  try {
    const content = parseEnvelope(fetched.mediaType, fetched.bytes);
    verifyIntegrity(content);
    const { targetArtifact } = parsePayload(content);
    if (
      targetArtifact.digest !== t.descriptor.digest ||
      targetArtifact.size !== t.descriptor.size ||
      targetArtifact.mediaType !== t.descriptor.mediaType
    )
      return 'the signed payload does not describe the image';
    if (content.certificateChain.length !== chain.length || content.certificateChain.some((c, i) => !c.equals(chain[i]!)))
      return 'the signature carries another certificate chain';
    if (JSON.stringify(targetArtifact.annotations ?? {}) !== JSON.stringify(annotations)) return 'the signed annotations differ';
    return { content, envelopeDigest: sha256Digest(fetched.bytes) };
  } catch (err) {
    if (err instanceof EnvelopeError) return err.message;
    throw err;
  }
}

/** What a run asks of a signature: an existing one is reused only when it gives all of it. */
interface ReuseWish {
  chain: Certificate[];
  annotations: Record<string, string>;
  now: Date;
  expiryMs?: number;
  format: 'jws' | 'cose';
  timestamp?: { rootCertificates: Certificate[] };
}

/**
 * A signature already attached by the same chain that satisfies everything
 * this run asks for (envelope format, signing scheme, annotations, a timestamp
 * chaining to the given TSA root, the expiry window): re-runs reuse it instead
 * of piling up copies. Why each candidate was passed over goes to the log.
 */
async function findReusable(repository: SignatureRepository, t: Target, wish: ReuseWish & { log: Logger }) {
  const thumbprints = JSON.stringify(wish.chain.map((c) => c.thumbprint));
  const { descriptors } = await (t.listing ?? repository.listSignatures(t.ref, t.descriptor));
  for (const d of descriptors.filter((x) => x.annotations?.[Annotation.Thumbprints] === thumbprints).slice(0, 10)) {
    const checked = await checkOwnSignature(repository, t, { sigDigest: d.digest, chain: wish.chain, annotations: wish.annotations });
    const why = typeof checked === 'string' ? checked : await unmetWish(checked.content, wish);
    if (why !== undefined) {
      wish.log.info(`not reusing signature ${d.digest} of ${formatReference(withDigest(t.ref, t.descriptor.digest))}: ${why}`);
      continue;
    }
    return { digest: d.digest, ...(checked as Exclude<typeof checked, string>) };
  }
  return undefined;
}

/** The first thing the run asks for that this signature lacks, or undefined. */
async function unmetWish(content: EnvelopeContent, wish: ReuseWish): Promise<string | undefined> {
  const wanted = wish.format === 'cose' ? MediaType.Cose : MediaType.Jws;
  if (content.mediaType !== wanted) return `it is a ${content.mediaType} envelope and this run signs ${wanted}`;
  if (content.signingScheme !== 'notary.x509') return `its signing scheme is ${content.signingScheme}, not notary.x509`;
  if (wish.chain.some((c) => !c.validAt(wish.now))) return 'a certificate of its chain is not valid now';
  const { expiry } = content;
  if (wish.expiryMs === undefined && expiry !== undefined) return 'it expires and this run asks for no expiry';
  if (wish.expiryMs !== undefined && (!expiry || expiry.getTime() - wish.now.getTime() < wish.expiryMs / 2)) {
    return expiry ? 'it is past half of the validity this run asks for' : 'it never expires and this run asks for an expiry';
  }
  if (wish.timestamp) {
    if (!content.timestampSignature) return 'it has no RFC 3161 timestamp and this run asks for one';
    const { verifyTimestampToken } = await import('../crypto/timestamp.js');
    const ts = await verifyTimestampToken(content.timestampSignature, content.signature, { roots: wish.timestamp.rootCertificates });
    if (typeof ts === 'string') return `its timestamp does not verify against the timestamp root given: ${ts}`;
  }
  return undefined;
}
