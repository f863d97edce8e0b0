import { NotarySignError } from '../../errors.js';
import { mapLimit } from '../../util/concurrency.js';
import { progress } from '../../log.js';
import type { TrustPolicyDocument } from '../../verify/trust-policy.js';
import type { TrustAnchorSource } from '../../verify/trust-store.js';
import type { VerifyImageOptions } from '../../verify/verify.js';
import type { RegistryClient } from '../../registry/client.js';
import type { Certificate } from '../../crypto/certificate.js';
import { parseDuration, parseKeyValues, parseList } from '../inputs.js';
import { Revocation, type RevocationOptions } from '../../revocation/index.js';
import { defaultCacheDir } from '../../revocation/cache.js';
import { parseSignatureSources, type SourceRule } from '../../verify/signature-source.js';
import type { CommonOptions, RunInputs } from '../options.js';
import { failed, type RunReport } from '../report.js';
import type { Session, SessionFactory } from '../session.js';
import { verifySummary } from '../summary.js';

/** Where the trust comes from: notation's files, or inputs that make the same policy in memory. */
export type TrustSource =
  | { kind: 'files'; policyPath: string; storePath: string }
  | {
      kind: 'inline';
      certificates: string;
      tsaCertificates: string;
      identities: string[];
      registryScopes: string[];
      verificationLevel: string;
      keyVaultCertificates: string[];
    };

/** What `verify` and `verify-base` share: the trust to verify with, and the user metadata required. */
export interface TrustOptions extends CommonOptions {
  trust: TrustSource;
  requiredAnnotations: Record<string, string>;
  /** OCSP and CRL timeouts and the cache directory (src/revocation). */
  revocation: RevocationOptions;
  /** Mirror → source rules for signatures (signature-source). */
  signatureSources: SourceRule[];
}

/** `ocsp-timeout`, `crl-timeout` (notation's 2 s and 5 s by default) and `revocation-cache` (default: the user cache). */
function parseRevocationOptions(inputs: RunInputs, { name, logger }: CommonOptions): RevocationOptions {
  const timeout = (value: string | undefined, input: string, fallback: number) => {
    if (!value?.trim()) return fallback;
    const ms = parseDuration(value, input);
    if (ms > 600_000)
      throw new NotarySignError('INPUT', `${input}: "${value}" is over 10 minutes; a revocation source that slow is unavailable`);
    return ms;
  };
  return {
    ocspTimeoutMs: timeout(inputs.ocspTimeout, name('ocsp-timeout'), 2_000),
    crlTimeoutMs: timeout(inputs.crlTimeout, name('crl-timeout'), 5_000),
    cacheDir: inputs.revocationCache?.trim() || defaultCacheDir(),
    logger,
  };
}

const lines = (v: string | readonly string[] | undefined) =>
  (typeof v === 'string' ? v.split(/\r?\n/) : (v ?? [])).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));

export function parseTrustOptions(inputs: RunInputs, common: CommonOptions): TrustOptions {
  const { name } = common;
  const inline = {
    certificates: inputs.trustedCertificates?.trim() ?? '',
    tsaCertificates: inputs.trustedTsaCertificates?.trim() ?? '',
    // One identity per line: a distinguished name holds commas.
    identities: lines(inputs.trustedIdentities),
    registryScopes: parseList(inputs.registryScopes),
    verificationLevel: inputs.verificationLevel?.trim() ?? '',
    keyVaultCertificates: parseList(inputs.trustedKeyVaultCertificates),
  };
  const inlineGiven = Object.values(inline).some((v) => v.length > 0);
  const filesGiven = Boolean(inputs.trustPolicy || inputs.trustStore);
  const requiredAnnotations = parseKeyValues(inputs.requiredAnnotations, name('required-annotations'));
  if (inlineGiven && filesGiven) {
    throw new NotarySignError(
      'INPUT',
      `give either ${name('trust-policy')} and ${name('trust-store')} (files) or the inline trust inputs ` +
        `(${name('trusted-certificates')}, ${name('trusted-key-vault-certificates')}, ${name('trusted-identities')}), not both`,
    );
  }
  const revocation = parseRevocationOptions(inputs, common);
  const signatureSources = parseSignatureSources(lines(inputs.signatureSources), name('signature-source'));
  if (inlineGiven) return { ...common, trust: { kind: 'inline', ...inline }, requiredAnnotations, revocation, signatureSources };
  if (!inputs.trustPolicy)
    throw new NotarySignError(
      'INPUT',
      `${name('trust-policy')} is required to verify: the path of a Notary Project trustpolicy.json ` +
        `(or give ${name('trusted-certificates')} or ${name('trusted-key-vault-certificates')} instead of files)`,
    );
  if (!inputs.trustStore)
    throw new NotarySignError('INPUT', `${name('trust-store')} is required to verify: a directory with x509/ca/<name>/ certificates`);
  return {
    ...common,
    trust: { kind: 'files', policyPath: inputs.trustPolicy, storePath: inputs.trustStore },
    requiredAnnotations,
    revocation,
    signatureSources,
  };
}

/** The trust policy (validated as notation validates it) and its trust stores, loaded, with a line saying what is trusted. */
export interface LoadedTrust {
  trustPolicy: TrustPolicyDocument;
  trustStore: TrustAnchorSource;
  /** Which anchors and identities this run trusts, in one line. */
  description: string;
  /** The policy as notation's JSON. */
  policyJson: string;
  /** Stores built from inline inputs (empty for files). */
  stores: { type: 'ca' | 'tsa'; name: string; certificates: Certificate[] }[];
}

export async function loadTrust(options: TrustOptions, session: Session): Promise<LoadedTrust> {
  const { trust, name } = options;
  if (trust.kind === 'files') {
    const { readTrustPolicy } = await import('../../verify/trust-policy.js');
    const { TrustStore } = await import('../../verify/trust-store.js');
    const { readFile, stat } = await import('node:fs/promises');
    const store = await stat(trust.storePath).catch(() => undefined);
    if (!store?.isDirectory())
      throw new NotarySignError(
        'INPUT',
        `${name('trust-store')}: ${trust.storePath} ${store ? 'is a file' : 'does not exist'}; ` +
          'give the trust store directory, the one that holds x509/ca/<name>/ (notary-sign policy init writes one)',
      );
    return {
      trustPolicy: await readTrustPolicy(trust.policyPath, name('trust-policy')),
      trustStore: new TrustStore(trust.storePath),
      description: `trust policy ${trust.policyPath}, trust store ${trust.storePath}`,
      policyJson: await readFile(trust.policyPath, 'utf8'),
      stores: [],
    };
  }
  const { inlineCertificates, identityOf, resolveInlineTrust } = await import('../../verify/inline-trust.js');
  const certificates = trust.certificates ? inlineCertificates(trust.certificates, name('trusted-certificates'), 'ca') : [];
  const identities = [...trust.identities];
  if (trust.keyVaultCertificates.length > 0) {
    const { keyVaultCertificateChain } = await import('../../azure/keyvault-signer.js');
    const { credential } = await session.azureCredential();
    const input = name('trusted-key-vault-certificates');
    for (const url of trust.keyVaultCertificates) {
      const chain = await keyVaultCertificateChain(url, { credential, input, inputName: name });
      const root = chain.at(-1)!;
      if (!root.isSelfSigned()) throw new NotarySignError('KEY', `${input}: the chain of ${url} does not end with a root certificate`);
      if (!certificates.some((c) => c.equals(root))) certificates.push(root);
      // By default, trust exactly the certificate's own subject.
      if (trust.identities.length === 0) identities.push(identityOf(chain[0]!, input));
    }
  }
  const resolved = resolveInlineTrust(
    {
      certificates,
      tsaCertificates: trust.tsaCertificates ? inlineCertificates(trust.tsaCertificates, name('trusted-tsa-certificates'), 'tsa') : [],
      identities,
      registryScopes: trust.registryScopes,
      verificationLevel: trust.verificationLevel,
    },
    name,
  );
  options.logger.info(`trust: ${resolved.description}`);
  return resolved;
}

/** `verify`: each image against the trust policy. */
export interface VerifyCommandOptions extends TrustOptions {
  images: readonly string[];
}

export function parseOptions(inputs: RunInputs, common: CommonOptions): VerifyCommandOptions {
  const images = inputs.images ?? [];
  if (images.length === 0) throw new NotarySignError('INPUT', `${common.name('image')} is required: the image(s) to verify`);
  return { ...parseTrustOptions(inputs, common), images };
}

/** What verifying an image takes, from the trust options: the same for verify, verify-base and a copy's gate. */
export function verificationOptions(options: TrustOptions, { trust, registry }: { trust: LoadedTrust; registry: RegistryClient }) {
  return {
    registry,
    ...trust,
    referrers: options.referrers,
    requiredAnnotations: options.requiredAnnotations,
    logger: options.logger,
    revocation: new Revocation(options.revocation),
    signatureSources: options.signatureSources,
  } satisfies VerifyImageOptions;
}

export async function run(options: VerifyCommandOptions, session: SessionFactory): Promise<RunReport> {
  const s = session.forImages(options.images);
  const trust = await loadTrust(options, s);
  const registry = await s.registry();
  const { verifyImage } = await import('../../verify/verify.js');
  const common = verificationOptions(options, { trust, registry });
  const step = progress(options.logger, options.images.length);
  const verified = await mapLimit(options.images, 4, async (image) => {
    const v = await verifyImage(image, common);
    step(`${v.verified ? 'verified' : 'rejected'} ${image}`);
    return v;
  });
  const rejected = verified.filter((v) => !v.verified);
  const headline = `${rejected.length} of ${verified.length} image${verified.length === 1 ? '' : 's'} failed verification`;
  return {
    command: 'verify',
    ok: rejected.length === 0,
    ...failed(
      headline,
      rejected.map((v) => ({ subject: v.image, reason: v.reason })),
    ),
    verified,
    outputs: {
      verified: String(rejected.length === 0),
      'verified-digests': JSON.stringify(verified.filter((v) => v.verified).map((v) => v.reference)),
    },
    summary: verifySummary(verified, trust.description),
  };
}
