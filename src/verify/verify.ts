import { NotarySignError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { MediaType, type Descriptor } from '../oci/media-types.js';
import { rfc3339 } from '../util/encoding.js';
import { formatReference, parseReference, repositoryName, withDigest, type Reference } from '../oci/reference.js';
import { LIMITS, type RegistryClient } from '../registry/client.js';
import { listReferrers, type ReferrersMode } from '../registry/referrers.js';
import { parseEnvelope, parsePayload, SUPPORTED_ENVELOPES, verifyIntegrity } from '../envelope/envelope.js';
import { EnvelopeError, type EnvelopeContent } from '../envelope/types.js';
import type { Certificate } from '../crypto/certificate.js';
import { subjectMatches } from './dn.js';
import { applicablePolicy, type LevelName, type TrustPolicy, type TrustPolicyDocument, type TrustStoreType, type ValidationAction, type ValidationType } from './trust-policy.js';
import type { TrustStore } from './trust-store.js';

export interface ValidationResult {
  type: ValidationType | 'userMetadata';
  action: ValidationAction;
  ok: boolean;
  message?: string;
}

/** The verdict on one signature, with every check that ran. */
export interface SignatureVerdict {
  signatureDigest?: string;
  verified: boolean;
  signer?: string;
  signingTime?: string;
  expiry?: string;
  results: ValidationResult[];
  /** The enforced failure that rejected it. */
  failure?: string;
}

export type TrustAnchors = (type: TrustStoreType, name: string) => Promise<Certificate[]>;

export interface EnvelopeCheck {
  mediaType: string;
  bytes: Uint8Array;
  /** The descriptor of the image being verified. */
  target: Descriptor;
  policy: TrustPolicy;
  anchors: TrustAnchors;
  now: Date;
  /** Payload annotations the signature must carry (key → exact value). */
  requiredAnnotations?: Record<string, string>;
}

class Rejected extends Error {}

/**
 * The Notary Project verification procedure for one envelope, in notation's
 * order: integrity, authenticity (trust store, then trusted identity),
 * expiry, authentic timestamp, revocation. Each check's failure is enforced,
 * logged or skipped as the policy's level says.
 */
export async function verifyEnvelope(check: EnvelopeCheck): Promise<SignatureVerdict> {
  const { policy, now } = check;
  const results: ValidationResult[] = [];
  const verdict: SignatureVerdict = { verified: false, results };
  const record = (type: ValidationResult['type'], action: ValidationAction, problem: string | undefined) => {
    results.push({ type, action, ok: !problem, ...(problem ? { message: problem } : {}) });
    if (problem && action === 'enforce') throw new Rejected(`${type}: ${problem}`);
  };

  try {
    // Integrity: the envelope is well formed, signed by its leaf, and about this image.
    let content: EnvelopeContent;
    try {
      content = parseEnvelope(check.mediaType, check.bytes);
      verdict.signer = content.certificateChain[0]!.subject;
      verdict.signingTime = rfc3339(content.signingTime);
      if (content.expiry) verdict.expiry = rfc3339(content.expiry);
      verifyIntegrity(content);
      const { targetArtifact } = parsePayload(content);
      const t = check.target;
      if (targetArtifact.digest !== t.digest) throw new EnvelopeError(`the signature is for ${targetArtifact.digest}, not this image (${t.digest})`);
      if (targetArtifact.size !== t.size) throw new EnvelopeError(`the signed size ${targetArtifact.size} differs from the image manifest size ${t.size}`);
      if (targetArtifact.mediaType !== t.mediaType) throw new EnvelopeError(`the signed media type ${targetArtifact.mediaType} differs from the image's ${t.mediaType}`);
      record('integrity', policy.enforcement.integrity, undefined);
      for (const [key, value] of Object.entries(check.requiredAnnotations ?? {})) {
        const got = targetArtifact.annotations?.[key];
        record('userMetadata', 'enforce', got === value ? undefined : `the signature lacks the required annotation ${key}=${value}${got === undefined ? '' : ` (it has ${got})`}`);
      }
    } catch (err) {
      if (err instanceof EnvelopeError) record('integrity', 'enforce', err.message);
      throw err;
    }

    // Authenticity: a certificate of the chain is in the policy's trust stores, and the leaf is a trusted identity.
    const storeType: TrustStoreType = content.signingScheme === 'notary.x509' ? 'ca' : 'signingAuthority';
    const stores = policy.trustStores.filter((s) => s.type === storeType);
    let authenticity: string | undefined;
    if (stores.length === 0) {
      authenticity = `trust policy statement "${policy.name}" has no ${storeType} trust store for ${content.signingScheme} signatures`;
    } else {
      const anchors = (await Promise.all(stores.map((s) => check.anchors(s.type, s.name)))).flat();
      if (!content.certificateChain.some((c) => anchors.some((a) => a.equals(c)))) {
        authenticity = `the signing certificate chain ("${verdict.signer}") does not chain to a certificate in trust store ${stores.map((s) => `${s.type}:${s.name}`).join(', ')}: the signature was not produced by a trusted signer`;
      } else if (!policy.trustedIdentities.some((id) => id.raw === '*')) {
        const subject = content.certificateChain[0]!.subjectAttributes();
        if (!policy.trustedIdentities.some((id) => id.dn && subjectMatches(id.dn, subject))) {
          authenticity = `signing certificate subject "${verdict.signer}" matches none of the trusted identities of statement "${policy.name}"`;
        }
      }
    }
    if (policy.enforcement.authenticity !== 'skip') record('authenticity', policy.enforcement.authenticity, authenticity);

    if (policy.enforcement.expiry !== 'skip') {
      record('expiry', policy.enforcement.expiry, content.expiry && now >= content.expiry ? `the signature expired at ${rfc3339(content.expiry)}` : undefined);
    }

    if (policy.enforcement.authenticTimestamp !== 'skip') {
      record('authenticTimestamp', policy.enforcement.authenticTimestamp, await authenticTimestampProblem(content, now, policy, check.anchors));
    }

    if (policy.enforcement.revocation !== 'skip') {
      const withEndpoints = content.certificateChain.filter((c) => c.hasRevocationEndpoints());
      record(
        'revocation',
        policy.enforcement.revocation,
        withEndpoints.length > 0
          ? `revocation status of "${withEndpoints[0]!.subject}" is unknown: it names OCSP/CRL endpoints and notary-sign does not query them; set override revocation to "log" or "skip" to accept that`
          : undefined,
      );
    }
    verdict.verified = true;
  } catch (err) {
    if (!(err instanceof Rejected)) throw err;
    verdict.failure = err.message;
  }
  return verdict;
}

async function authenticTimestampProblem(content: EnvelopeContent, now: Date, policy: TrustPolicy, anchors: TrustAnchors): Promise<string | undefined> {
  const chain = content.certificateChain;
  if (content.signingScheme === 'notary.x509.signingAuthority') {
    const bad = chain.find((c) => !c.validAt(content.signingTime));
    return bad && `certificate "${bad.subject}" was not valid at the authentic signing time ${rfc3339(content.signingTime)}`;
  }
  const expired = chain.find((c) => !c.validAt(now));
  if (!content.timestampSignature) {
    if (!expired) return undefined;
    const when = now < expired.notBefore ? `is not valid before ${rfc3339(expired.notBefore)}` : `expired at ${rfc3339(expired.notAfter)}`;
    return `certificate "${expired.subject}" ${when} and the signature has no trusted timestamp`;
  }
  // "afterCertExpiry": the timestamp only matters once a certificate has expired.
  if (policy.verifyTimestamp === 'afterCertExpiry' && !expired) return undefined;
  const stores = policy.trustStores.filter((s) => s.type === 'tsa');
  if (stores.length === 0) return `the signature is timestamped but trust policy statement "${policy.name}" names no tsa trust store to verify it`;
  const roots = (await Promise.all(stores.map((s) => anchors(s.type, s.name)))).flat();
  const { verifyTimestampToken } = await import('../crypto/timestamp.js');
  const ts = await verifyTimestampToken(content.timestampSignature, content.signature, roots);
  if (typeof ts === 'string') return `timestamp: ${ts}`;
  const earliest = new Date(ts.time.getTime() - ts.accuracyMs);
  const latest = new Date(ts.time.getTime() + ts.accuracyMs);
  const bad = chain.find((c) => earliest < c.notBefore || latest > c.notAfter);
  return bad && `certificate "${bad.subject}" was not valid at the timestamped time ${rfc3339(ts.time)}`;
}

export interface VerifyImageOptions {
  registry: RegistryClient;
  trustPolicy: TrustPolicyDocument;
  trustStore: TrustStore;
  referrers?: ReferrersMode;
  requiredAnnotations?: Record<string, string>;
  logger?: Logger;
  now?: () => Date;
  /** Signatures examined at most (default 50), against referrer floods. */
  maxSignatures?: number;
}

export interface ImageVerification {
  image: string;
  /** `registry/repo@digest` that was verified. */
  reference: string;
  descriptor: Descriptor;
  policy?: string;
  level?: LevelName;
  verified: boolean;
  /** One line: why it passed or failed. */
  reason: string;
  signatures: SignatureVerdict[];
  /** Checks that failed but were only logged by the policy level. */
  warnings: string[];
}

/** Verify one image reference against the trust policy; throws only for operational errors. */
export async function verifyImage(image: string, opts: VerifyImageOptions): Promise<ImageVerification> {
  const log = opts.logger ?? silentLogger;
  const ref = parseReference(image);
  const descriptor = await opts.registry.resolve(ref);
  if (!ref.digest) log.warn(`${image} is a tag; verifying the digest it points to now, ${descriptor.digest}`);
  return verifyDescriptor(image, ref, descriptor, opts);
}

export async function verifyDescriptor(image: string, ref: Reference, descriptor: Descriptor, opts: VerifyImageOptions): Promise<ImageVerification> {
  const log = opts.logger ?? silentLogger;
  const now = (opts.now ?? (() => new Date()))();
  const reference = formatReference(withDigest(ref, descriptor.digest));
  const base = { image, reference, descriptor, signatures: [] as SignatureVerdict[], warnings: [] as string[] };

  const policy = applicablePolicy(opts.trustPolicy, repositoryName(ref));
  if (!policy) {
    return { ...base, verified: false, reason: `no trust policy statement applies to ${repositoryName(ref)}: add it to a statement's registryScopes, or add a "*" statement` };
  }
  const withPolicy = { ...base, policy: policy.name, level: policy.level };
  if (policy.level === 'skip') {
    log.warn(`${reference}: signature verification skipped by trust policy statement "${policy.name}"`);
    return { ...withPolicy, verified: true, reason: `verification skipped by trust policy statement "${policy.name}"` };
  }

  const { descriptors } = await listReferrers(opts.registry, ref, descriptor.digest, { artifactType: MediaType.NotarySignature, mode: opts.referrers ?? 'auto' });
  if (descriptors.length === 0) {
    return { ...withPolicy, verified: false, reason: `no signature found for ${reference}: the image is unsigned (no Notary Project signature is attached to this digest)` };
  }
  const max = opts.maxSignatures ?? 50;
  if (descriptors.length > max) log.warn(`${reference} has ${descriptors.length} signatures; examining the first ${max}`);

  const anchors: TrustAnchors = (type, name) => opts.trustStore.certificates(type, name);
  for (const sig of descriptors.slice(0, max)) {
    const verdict = await verifySignatureManifest(opts.registry, ref, sig, descriptor, policy, anchors, now, opts.requiredAnnotations);
    withPolicy.signatures.push(verdict);
    for (const r of verdict.results) {
      if (!r.ok && r.action === 'log') {
        const warning = `${reference} signature ${sig.digest}: ${r.type}: ${r.message}`;
        withPolicy.warnings.push(warning);
        log.warn(warning);
      }
    }
    if (verdict.verified) {
      return { ...withPolicy, verified: true, reason: `signature ${sig.digest} by "${verdict.signer}" satisfies trust policy statement "${policy.name}" (${policy.level})` };
    }
    log.info(`${reference}: signature ${sig.digest} rejected: ${verdict.failure}`);
  }
  const n = withPolicy.signatures.length;
  const reasons = withPolicy.signatures.map((s) => s.failure).join('; ');
  return { ...withPolicy, verified: false, reason: `${n === 1 ? 'the only signature' : `none of the ${n} signatures`} of ${reference} passed trust policy statement "${policy.name}": ${reasons}` };
}

/**
 * Fetch a signature manifest and its envelope, checking the manifest is a
 * Notary signature about `target`. A string is the reason it is not usable.
 */
export async function fetchSignatureEnvelope(
  registry: RegistryClient,
  ref: Reference,
  sigDigest: string,
  target: Descriptor,
): Promise<{ mediaType: string; bytes: Buffer; annotations: Record<string, string> } | string> {
  let manifest: { subject?: { digest?: string }; layers?: Descriptor[]; artifactType?: string; config?: { mediaType?: string }; annotations?: Record<string, string> };
  try {
    manifest = JSON.parse((await registry.getManifest(ref, sigDigest)).bytes.toString('utf8'));
  } catch (err) {
    if (err instanceof NotarySignError && err.code !== 'NETWORK' && err.code !== 'AUTH') return `signature manifest ${sigDigest} cannot be read: ${err.message}`;
    if (err instanceof SyntaxError) return `signature manifest ${sigDigest} is not valid JSON`;
    throw err;
  }
  if (manifest.artifactType !== MediaType.NotarySignature && manifest.config?.mediaType !== MediaType.NotarySignature) {
    return `manifest ${sigDigest} is not a Notary Project signature manifest`;
  }
  if (manifest.subject?.digest !== target.digest) {
    return `signature manifest ${sigDigest} names subject ${manifest.subject?.digest ?? '(none)'}, not this image (${target.digest})`;
  }
  const layer = manifest.layers?.length === 1 ? manifest.layers[0] : undefined;
  if (!layer || typeof layer.digest !== 'string' || typeof layer.mediaType !== 'string') return `signature manifest ${sigDigest} must have exactly one envelope layer`;
  if (!SUPPORTED_ENVELOPES.includes(layer.mediaType)) return `signature envelope type ${layer.mediaType} is not supported`;
  if (typeof layer.size !== 'number' || layer.size > LIMITS.signatureBlob) return `signature envelope size ${layer.size} is invalid or over the ${LIMITS.signatureBlob}-byte limit`;
  try {
    return { mediaType: layer.mediaType, bytes: await registry.getBlob(ref, layer.digest, LIMITS.signatureBlob), annotations: manifest.annotations ?? {} };
  } catch (err) {
    if (err instanceof NotarySignError && (err.code === 'NOT_FOUND' || err.code === 'REGISTRY')) return err.message;
    throw err;
  }
}

async function verifySignatureManifest(
  registry: RegistryClient,
  ref: Reference,
  sig: Descriptor,
  target: Descriptor,
  policy: TrustPolicy,
  anchors: TrustAnchors,
  now: Date,
  requiredAnnotations?: Record<string, string>,
): Promise<SignatureVerdict> {
  const fetched = await fetchSignatureEnvelope(registry, ref, sig.digest, target);
  if (typeof fetched === 'string') {
    return { signatureDigest: sig.digest, verified: false, results: [{ type: 'integrity', action: 'enforce', ok: false, message: fetched }], failure: `integrity: ${fetched}` };
  }
  const verdict = await verifyEnvelope({ mediaType: fetched.mediaType, bytes: fetched.bytes, target, policy, anchors, now, ...(requiredAnnotations ? { requiredAnnotations } : {}) });
  return { signatureDigest: sig.digest, ...verdict };
}
