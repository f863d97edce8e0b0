import { silentLogger, type Logger } from '../log.js';
import type { Descriptor } from '../oci/media-types.js';
import { rfc3339 } from '../util/encoding.js';
import { formatReference, parseReference, repositoryName, withDigest, type Reference } from '../oci/reference.js';
import type { RegistryClient } from '../registry/client.js';
import type { ReferrersMode } from '../registry/referrers.js';
import { RegistryRepository, type SignatureRepository } from '../registry/repository.js';
import { loadEnvelopeFormat, parseEnvelope, parsePayload, verifyIntegrity } from '../envelope/envelope.js';
import { EnvelopeError, type EnvelopeContent } from '../envelope/types.js';
import type { Certificate } from '../crypto/certificate.js';
import { certificateSubjectDN, isSubset } from './dn.js';
import {
  applicablePolicy,
  type LevelName,
  type TrustPolicy,
  type TrustPolicyDocument,
  type TrustStoreType,
  type ValidationAction,
  type ValidationType,
} from './trust-policy.js';
import type { TrustAnchorSource } from './trust-store.js';
import { signatureSource, type SourceRule } from './signature-source.js';
import { Revocation } from '../revocation/index.js';

/** A check of the verification procedure: the policy's validation types, plus the user metadata the run requires. */
export type CheckType = ValidationType | 'userMetadata';

/** The result of one validation, and what the trust policy did with it. */
export interface ValidationResult {
  type: CheckType;
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
  /** The enforced check that rejected it, as data. */
  failedCheck?: CheckType;
  /** The same, as one line: `<check>: <why>`. */
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
  logger?: Logger;
  /** OCSP/CRL checking (timeouts, cache); by default notation's timeouts and no disk cache. */
  revocation?: Revocation;
}

/** A validation's finding: undefined when it passed, else why not. */
type Problem = string | undefined;

/**
 * The Notary Project verification procedure for one signature envelope
 * (trust-store-trust-policy.md, "Signature Verification"; notation-go
 * verifier.go processSignature): integrity first, since nothing can be read
 * from an envelope that fails it, then each validation type in notation's
 * order, every finding enforced, logged or skipped as the trust policy
 * statement's verification level says.
 */
export async function verifyEnvelope(check: EnvelopeCheck): Promise<SignatureVerdict> {
  const { policy, now } = check;
  await loadEnvelopeFormat(check.mediaType);
  const integrity = validateIntegrity(check);
  if (typeof integrity === 'string')
    return rejected({ verified: false, results: [] }, { type: 'integrity', action: 'enforce', problem: integrity });
  const { content, annotations } = integrity;
  const verdict: SignatureVerdict = {
    verified: false,
    signer: content.certificateChain[0]!.subject,
    signingTime: rfc3339(content.signingTime),
    ...(content.expiry ? { expiry: rfc3339(content.expiry) } : {}),
    results: [{ type: 'integrity', action: policy.enforcement.integrity, ok: true }],
  };
  const required = check.requiredAnnotations ?? {};
  // The authentic signing time the revocation check compares invalidity dates with, once a timestamp proved it.
  const proven: { signingTime?: Date } =
    content.signingScheme === 'notary.x509.signingAuthority' ? { signingTime: content.signingTime } : {};
  type Step = [CheckType, ValidationAction, () => Problem | Promise<Problem>];
  const userMetadata: Step = ['userMetadata', 'enforce', () => validateUserMetadata(annotations, required)];
  const steps: Step[] = [
    ...(Object.keys(required).length > 0 ? [userMetadata] : []),
    ['authenticity', policy.enforcement.authenticity, () => validateAuthenticity(content, policy, check.anchors)],
    ['expiry', policy.enforcement.expiry, () => validateExpiry(content, now)],
    [
      'authenticTimestamp',
      policy.enforcement.authenticTimestamp,
      () => validateAuthenticTimestamp(content, { ...check, proven, ...(check.logger ? { log: check.logger } : {}) }),
    ],
    [
      'revocation',
      policy.enforcement.revocation,
      () => validateRevocation(content.certificateChain, { ...check, role: 'signing', ...proven }),
    ],
  ];
  for (const [type, action, validate] of steps) {
    if (action === 'skip') continue;
    const problem = await validate();
    if (problem && action === 'enforce') return rejected(verdict, { type, action, problem });
    verdict.results.push({ type, action, ok: !problem, ...(problem ? { message: problem } : {}) });
  }
  return { ...verdict, verified: true };
}

/** The verdict once an enforced check failed: that check, and why, recorded as data and as one line. */
function rejected(
  verdict: SignatureVerdict,
  { type, action, problem }: { type: CheckType; action: ValidationAction; problem: string },
): SignatureVerdict {
  return {
    ...verdict,
    results: [...verdict.results, { type, action, ok: false, message: problem }],
    failedCheck: type,
    failure: `${type}: ${problem}`,
  };
}

/**
 * Integrity (signature-specification.md; trust-store-trust-policy.md step
 * "Validate signature envelope integrity"): the envelope is well formed, its
 * signature verifies with its signing certificate, and its payload describes
 * exactly this image. Always enforced.
 */
function validateIntegrity(check: EnvelopeCheck): { content: EnvelopeContent; annotations: Record<string, string> } | string {
  try {
    const content = parseEnvelope(check.mediaType, check.bytes);
    verifyIntegrity(content);
    const { targetArtifact } = parsePayload(content);
    const t = check.target;
    if (targetArtifact.digest !== t.digest) return `the signature is for ${targetArtifact.digest}, not this image (${t.digest})`;
    if (targetArtifact.size !== t.size) return `the signed size ${targetArtifact.size} differs from the image manifest size ${t.size}`;
    if (targetArtifact.mediaType !== t.mediaType)
      return `the signed media type ${targetArtifact.mediaType} differs from the image's ${t.mediaType}`;
    return { content, annotations: targetArtifact.annotations ?? {} };
  } catch (err) {
    if (err instanceof EnvelopeError) return err.message;
    throw err;
  }
}

/** User metadata (trust-store-trust-policy.md, "Verification of user metadata"): every required annotation, exactly. */
function validateUserMetadata(annotations: Record<string, string>, required: Record<string, string>): Problem {
  for (const [key, value] of Object.entries(required)) {
    const got = annotations[key];
    if (got !== value) return `the signature lacks the required annotation ${key}=${value}${got === undefined ? '' : ` (it has ${got})`}`;
  }
  return undefined;
}

/**
 * Authenticity (trust-store-trust-policy.md, "Validate signature
 * authenticity"): a certificate of the chain is in one of the statement's
 * trust stores of the type the signing scheme calls for, and the signing
 * certificate's subject is a trusted identity.
 */
async function validateAuthenticity(content: EnvelopeContent, policy: TrustPolicy, anchors: TrustAnchors): Promise<Problem> {
  const storeType: TrustStoreType = content.signingScheme === 'notary.x509' ? 'ca' : 'signingAuthority';
  const stores = policy.trustStores.filter((s) => s.type === storeType);
  if (stores.length === 0)
    return `trust policy statement "${policy.name}" has no ${storeType} trust store for ${content.signingScheme} signatures`;
  const trusted = (await Promise.all(stores.map((s) => anchors(s.type, s.name)))).flat();
  const leaf = content.certificateChain[0]!;
  if (!content.certificateChain.some((c) => trusted.some((a) => a.equals(c)))) {
    const names = stores.map((s) => `${s.type}:${s.name}`).join(', ');
    return (
      `the signing certificate chain ("${leaf.subject}") does not chain to a certificate in trust store ${names}: ` +
      `the signature was not produced by a trusted signer`
    );
  }
  if (policy.trustedIdentities.some((id) => id.raw === '*')) return undefined;
  // notation-go verifyX509TrustedIdentities: only x509.subject identities count; other prefixes are not ours.
  const identities = policy.trustedIdentities.flatMap((id) => (id.dn ? [id.dn] : []));
  if (identities.length === 0) return `no x509 trusted identities are configured in trust policy statement "${policy.name}"`;
  const subject = certificateSubjectDN(leaf);
  if (typeof subject === 'string') {
    return (
      `signing certificate subject "${leaf.subject}" cannot be compared with x509.subject identities: ${subject} ` +
      '(notation refuses it too; trust "*" to accept any subject)'
    );
  }
  if (identities.some((dn) => isSubset(dn, subject))) return undefined;
  return `signing certificate subject "${leaf.subject}" matches none of the trusted identities of statement "${policy.name}"`;
}

/** Expiry (trust-store-trust-policy.md, "Validate signature expiry"): the signature's own expiry, if it has one, has not passed. */
function validateExpiry(content: EnvelopeContent, now: Date): Problem {
  return content.expiry && now >= content.expiry ? `the signature expired at ${rfc3339(content.expiry)}` : undefined;
}

/**
 * Authentic timestamp (trust-store-trust-policy.md, "Validate the authentic
 * timestamp"), decided case by case as notation-go does (verifier/verifier.go
 * verifyAuthenticTimestamp and verifyTimestamp):
 * - signingAuthority: every certificate valid at the authentic signing time;
 * - notary.x509 with no `tsa:` store in the statement: timestamp verification
 *   is disabled (a timestamp present is ignored) and every certificate must be
 *   valid now;
 * - `verifyTimestamp: afterCertExpiry` while no certificate has expired: the
 *   same, certificates valid now;
 * - otherwise a timestamp is required, must verify against the `tsa:` stores,
 *   and every certificate must be valid over the whole timestamp range.
 */
async function validateAuthenticTimestamp(
  content: EnvelopeContent,
  {
    now,
    policy,
    anchors,
    log,
    revocation: checker,
    proven,
  }: Pick<EnvelopeCheck, 'now' | 'policy' | 'anchors' | 'revocation'> & {
    log?: Logger;
    proven: { signingTime?: Date };
  },
): Promise<Problem> {
  const chain = content.certificateChain;
  if (content.signingScheme === 'notary.x509.signingAuthority') {
    const bad = chain.find((c) => !c.validAt(content.signingTime));
    return bad && `certificate "${bad.subject}" was not valid at the authentic signing time ${rfc3339(content.signingTime)}`;
  }
  const tsaStores = policy.trustStores.filter((s) => s.type === 'tsa');
  let verifyTimestamp = tsaStores.length > 0;
  if (!verifyTimestamp && content.timestampSignature) {
    log?.info(`timestamp verification disabled: trust policy statement "${policy.name}" names no tsa trust store`);
  }
  if (verifyTimestamp && policy.verifyTimestamp === 'afterCertExpiry' && !chain.some((c) => now > c.notAfter)) verifyTimestamp = false;
  if (!verifyTimestamp) return outsideValidity(chain, { earliest: now, latest: now, what: 'verification time is' });
  if (!content.timestampSignature) return 'no timestamp countersignature was found in the signature envelope';
  const roots = (await Promise.all(tsaStores.map((s) => anchors(s.type, s.name)))).flat();
  const { verifyTimestampToken } = await import('../crypto/timestamp.js');
  const ts = await verifyTimestampToken(content.timestampSignature, content.signature, { roots });
  if (typeof ts === 'string') return `timestamp: ${ts}`;
  // The TSA chain's revocation under the signing chain's rule (trust-store-trust-policy.md, "Validate Trusted Timestamp").
  const revocation =
    policy.enforcement.revocation !== 'skip'
      ? await validateRevocation(ts.chain, { revocation: checker, logger: log, role: 'TSA', signingTime: ts.time })
      : undefined;
  if (revocation && policy.enforcement.revocation === 'enforce') return `timestamp: ${revocation}`;
  if (revocation) log?.warn(`timestamp: ${revocation} (logged: revocation is "${policy.enforcement.revocation}")`);
  // Proven: the signature existed by the latest time the timestamp allows.
  proven.signingTime = new Date(ts.time.getTime() + ts.accuracyMs);
  return outsideValidity(chain, {
    earliest: new Date(ts.time.getTime() - ts.accuracyMs),
    latest: new Date(ts.time.getTime() + ts.accuracyMs),
    what: 'timestamp can be',
  });
}

/** The first certificate whose validity period does not cover [earliest, latest], in notation-go's words. */
function outsideValidity(chain: Certificate[], { earliest, latest, what }: { earliest: Date; latest: Date; what: string }): Problem {
  for (const c of chain) {
    if (earliest < c.notBefore)
      return `${what} before certificate "${c.subject}" validity period, it will be valid from ${rfc3339(c.notBefore)}`;
    if (latest > c.notAfter) return `${what} after certificate "${c.subject}" validity period, it was expired at ${rfc3339(c.notAfter)}`;
  }
  return undefined;
}

/**
 * Revocation (trust-store-trust-policy.md, "Validate revocation status"): OCSP, else CRL, for every certificate
 * of the chain but the root (src/revocation). Nothing is fetched, nor the module loaded, for a chain that
 * names no OCSP responder or CRL: every certificate is then non-revokable.
 */
async function validateRevocation(
  chain: Certificate[],
  opts: { revocation?: Revocation | undefined; logger?: Logger | undefined; role: 'signing' | 'TSA'; signingTime?: Date },
): Promise<Problem> {
  if (!chain.some((c) => c.hasRevocationEndpoints())) return undefined;
  const checker = await (opts.revocation ?? new Revocation(opts.logger ? { logger: opts.logger } : {})).get();
  const { revocationProblem } = await import('../revocation/revocation.js');
  const results = await checker.check(chain, opts.signingTime);
  for (const r of results) opts.logger?.debug(`revocation of ${opts.role} certificate "${r.subject}": ${r.status} (${r.detail})`);
  return revocationProblem(results, opts.role)?.problem;
}

export interface VerifyImageOptions {
  registry: RegistryClient;
  /** Signature I/O; default: the registry's. */
  repository?: SignatureRepository;
  trustPolicy: TrustPolicyDocument;
  trustStore: TrustAnchorSource;
  referrers?: ReferrersMode;
  requiredAnnotations?: Record<string, string>;
  logger?: Logger;
  now?: () => Date;
  /** Signatures examined at most (default 50), against referrer floods. */
  maxSignatures?: number;
  /** OCSP/CRL settings shared by every image of the run (default: notation's timeouts, no disk cache). */
  revocation?: Revocation;
  /** Mirror → source rules: a mirrored image's signatures are looked up at its source (signature-source). */
  signatureSources?: SourceRule[];
}

/** Say whether the mirror itself carries the signatures, and how to make it carry them when it does not. */
async function mirrorCarries(o: {
  repository: SignatureRepository;
  ref: Reference;
  descriptor: Descriptor;
  source: Reference;
  log: Logger;
  mode: ReferrersMode;
}): Promise<void> {
  const atMirror = await o.repository.listSignatures(o.ref, o.descriptor, { mode: o.mode }).catch(() => ({ descriptors: [] }));
  if (atMirror.descriptors.length > 0) return;
  o.log.info(
    `${repositoryName(o.ref)} has no signature of ${o.descriptor.digest}; its source ${repositoryName(o.source)} does. ` +
      `To carry them to the mirror: notary-sign copy ${repositoryName(o.source)}@${o.descriptor.digest} ${repositoryName(o.ref)}`,
  );
}

/**
 * The verification outcome of an image, kept apart as notation-go keeps them:
 * verified; skipped by the policy; no statement applies; no signature; every
 * signature rejected; the image or its signatures could not be retrieved.
 */
export type Outcome = 'verified' | 'skipped' | 'no-policy' | 'unsigned' | 'rejected' | 'unavailable';

export interface ImageVerification {
  image: string;
  outcome: Outcome;
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
  const resolved = (opts.repository ?? opts.registry).resolve(ref);
  const listing = listingAhead(ref, opts);
  const descriptor = await resolved;
  if (!ref.digest) log.warn(`${image} is a tag; verifying the digest it points to now, ${descriptor.digest}`);
  return verifyDescriptor({ image, ref, descriptor, ...(listing ? { listing } : {}) }, opts);
}

type Listing = Awaited<ReturnType<SignatureRepository['listSignatures']>>;

/** Where an image's signatures are looked up (its source, for a mirror) and the statement that applies there. */
function signaturesOf(ref: Reference, opts: VerifyImageOptions) {
  // A mirrored image is vouched for by its source's signatures of the same digest, under the source's scope.
  const source = opts.signatureSources ? signatureSource(ref, opts.signatureSources) : undefined;
  const signedAt = source ?? ref;
  return { source, signedAt, policy: applicablePolicy(opts.trustPolicy, repositoryName(signedAt)) };
}

/**
 * For a digest reference, the signature listing verifyDescriptor will make, started now, beside the request that
 * resolves the image (started first, so it is the one that learns the registry's challenge).
 */
export function listingAhead(ref: Reference, opts: VerifyImageOptions): Promise<Listing> | undefined {
  const { signedAt, policy } = signaturesOf(ref, opts);
  if (!ref.digest || !policy || policy.level === 'skip') return undefined;
  const repository = opts.repository ?? new RegistryRepository(opts.registry);
  const listing = repository.listSignatures(signedAt, { digest: ref.digest }, { mode: opts.referrers ?? 'auto' });
  listing.catch(() => undefined); // its failure is reported where it is awaited
  return listing;
}

export async function verifyDescriptor(
  { image, ref, descriptor, listing }: { image: string; ref: Reference; descriptor: Descriptor; listing?: Promise<Listing> },
  opts: VerifyImageOptions,
): Promise<ImageVerification> {
  const log = opts.logger ?? silentLogger;
  const now = (opts.now ?? (() => new Date()))();
  const reference = formatReference(withDigest(ref, descriptor.digest));
  const base = { image, reference, descriptor, signatures: [] as SignatureVerdict[], warnings: [] as string[] };

  const { source, signedAt, policy } = signaturesOf(ref, opts);
  if (source) log.info(`${reference}: looking up its signatures at the source, ${repositoryName(source)}@${descriptor.digest}`);
  if (!policy) {
    return {
      ...base,
      outcome: 'no-policy',
      verified: false,
      reason:
        `no trust policy statement applies to ${repositoryName(signedAt)}: ` +
        `add it to a statement's registryScopes, or add a "*" statement`,
    };
  }
  const withPolicy = { ...base, policy: policy.name, level: policy.level };
  if (policy.level === 'skip') {
    log.warn(`${reference}: signature verification skipped by trust policy statement "${policy.name}"`);
    return { ...withPolicy, outcome: 'skipped', verified: true, reason: `verification skipped by trust policy statement "${policy.name}"` };
  }

  const repository = opts.repository ?? new RegistryRepository(opts.registry);
  const { descriptors } = await (listing ?? repository.listSignatures(signedAt, descriptor, { mode: opts.referrers ?? 'auto' }));
  if (descriptors.length === 0) {
    const where = source ? `${repositoryName(source)}@${descriptor.digest}, the source of ${reference}` : reference;
    return {
      ...withPolicy,
      outcome: 'unsigned',
      verified: false,
      reason: `no signature found for ${where}: the image is unsigned (no Notary Project signature is attached to this digest)`,
    };
  }
  if (source) await mirrorCarries({ repository, ref, descriptor, source, log, mode: opts.referrers ?? 'auto' });
  const max = opts.maxSignatures ?? 50;
  if (descriptors.length > max) log.warn(`${reference} has ${descriptors.length} signatures; examining the first ${max}`);

  const anchors: TrustAnchors = (type, name) => opts.trustStore.certificates(type, name);
  const revocation = opts.revocation ?? new Revocation({ logger: log });
  for (const sig of descriptors.slice(0, max)) {
    const verdict = await verifySignatureManifest({
      repository,
      ref: signedAt,
      signature: sig,
      target: descriptor,
      policy,
      anchors,
      now,
      logger: log,
      revocation,
      ...(opts.requiredAnnotations ? { requiredAnnotations: opts.requiredAnnotations } : {}),
    });
    withPolicy.signatures.push(verdict);
    for (const r of verdict.results) {
      if (!r.ok && r.action === 'log') {
        const warning = `${reference} signature ${sig.digest}: ${r.type}: ${r.message}`;
        withPolicy.warnings.push(warning);
        log.warn(warning);
      }
    }
    if (verdict.verified) {
      return {
        ...withPolicy,
        outcome: 'verified',
        verified: true,
        reason: `signature ${sig.digest} by "${verdict.signer}" satisfies trust policy statement "${policy.name}" (${policy.level})`,
      };
    }
    log.info(`${reference}: signature ${sig.digest} rejected: ${verdict.failure}`);
  }
  const n = withPolicy.signatures.length;
  const statement = `trust policy statement "${policy.name}" (${policy.level})`;
  if (n === 1) {
    const only = withPolicy.signatures[0]!;
    const reason = `rejected: its only signature ${only.signatureDigest} fails ${statement}: ${only.failure}`;
    return { ...withPolicy, outcome: 'rejected', verified: false, reason };
  }
  const reasons = withPolicy.signatures.map((s) => `${s.signatureDigest}: ${s.failure}`).join('; ');
  const reason = `rejected: none of its ${n} signatures satisfies ${statement}: ${reasons}`;
  return { ...withPolicy, outcome: 'rejected', verified: false, reason };
}

/** One signature manifest: its envelope fetched and verified; one that cannot be used fails integrity. */
async function verifySignatureManifest(
  opts: Omit<EnvelopeCheck, 'mediaType' | 'bytes'> & { repository: SignatureRepository; ref: Reference; signature: Descriptor },
): Promise<SignatureVerdict> {
  const { repository, ref, signature, ...check } = opts;
  const fetched = await repository.fetchSignatureBlob(ref, signature.digest, check.target);
  if (typeof fetched === 'string')
    return {
      signatureDigest: signature.digest,
      ...rejected({ verified: false, results: [] }, { type: 'integrity', action: 'enforce', problem: fetched }),
    };
  return { signatureDigest: signature.digest, ...(await verifyEnvelope({ ...check, mediaType: fetched.mediaType, bytes: fetched.bytes })) };
}
