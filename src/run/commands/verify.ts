import { NotarySignError } from '../../errors.js';
import { mapLimit } from '../../util/concurrency.js';
import type { TrustPolicyDocument } from '../../verify/trust-policy.js';
import type { TrustStore } from '../../verify/trust-store.js';
import { parseKeyValues } from '../inputs.js';
import type { CommonOptions, RunInputs } from '../options.js';
import { failed, type RunReport } from '../report.js';
import type { SessionFactory } from '../session.js';
import { verifySummary } from '../summary.js';

/** What `verify` and `verify-base` share: where the trust policy and store are, and the user metadata required. */
export interface TrustOptions extends CommonOptions {
  trustPolicyPath: string;
  trustStorePath: string;
  requiredAnnotations: Record<string, string>;
}

export function parseTrustOptions(inputs: RunInputs, common: CommonOptions): TrustOptions {
  const { name } = common;
  if (!inputs.trustPolicy)
    throw new NotarySignError('INPUT', `${name('trust-policy')} is required to verify: the path of a Notary Project trustpolicy.json`);
  if (!inputs.trustStore)
    throw new NotarySignError('INPUT', `${name('trust-store')} is required to verify: a directory with x509/ca/<name>/ certificates`);
  return {
    ...common,
    trustPolicyPath: inputs.trustPolicy,
    trustStorePath: inputs.trustStore,
    requiredAnnotations: parseKeyValues(inputs.requiredAnnotations, name('required-annotations')),
  };
}

/** The trust policy (validated as notation validates it) and the trust store, loaded. */
export async function loadTrust(options: TrustOptions): Promise<{ trustPolicy: TrustPolicyDocument; trustStore: TrustStore }> {
  const { readTrustPolicy } = await import('../../verify/trust-policy.js');
  const { TrustStore } = await import('../../verify/trust-store.js');
  return {
    trustPolicy: await readTrustPolicy(options.trustPolicyPath, options.name('trust-policy')),
    trustStore: new TrustStore(options.trustStorePath),
  };
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

export async function run(options: VerifyCommandOptions, session: SessionFactory): Promise<RunReport> {
  const trust = await loadTrust(options);
  const registry = await session.forImages(options.images).registry();
  const { verifyImage } = await import('../../verify/verify.js');
  const common = {
    registry,
    ...trust,
    referrers: options.referrers,
    requiredAnnotations: options.requiredAnnotations,
    logger: options.logger,
  };
  const verified = await mapLimit(options.images, 4, (image) => verifyImage(image, common));
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
    summary: verifySummary(verified),
  };
}
