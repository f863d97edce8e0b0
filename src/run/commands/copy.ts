import { NotarySignError } from '../../errors.js';
import { parseBoolean } from '../inputs.js';
import type { CommonOptions, RunInputs } from '../options.js';
import { failed, type RunReport } from '../report.js';
import type { SessionFactory } from '../session.js';
import { copySummary } from '../summary.js';
import { loadTrust, parseTrustOptions, verificationOptions, type TrustOptions } from './verify.js';

/** `copy`: an image and its signatures (or all referrers) from one repository to another, optionally gated. */
export interface CopyCommandOptions extends CommonOptions {
  source: string;
  destination: string;
  allReferrers: boolean;
  /** With trust inputs: the source must verify first (a promotion step that is also a gate). */
  gate?: TrustOptions;
}

export function parseOptions(inputs: RunInputs, common: CommonOptions): CopyCommandOptions {
  const { name } = common;
  const images = inputs.images ?? [];
  if (images.length !== 1)
    throw new NotarySignError(
      'INPUT',
      `${name('image')}: copy takes exactly one source image (registry/repo@sha256:<digest>), not ${images.length}`,
    );
  if (!inputs.destination?.trim())
    throw new NotarySignError('INPUT', `${name('destination')} is required for copy: the registry/repository[:tag] to copy to`);
  const trustGiven = Boolean(
    inputs.trustPolicy || inputs.trustStore || inputs.trustedCertificates || inputs.trustedKeyVaultCertificates?.length,
  );
  return {
    ...common,
    source: images[0]!,
    destination: inputs.destination.trim(),
    allReferrers: typeof inputs.allReferrers === 'boolean' ? inputs.allReferrers : parseBoolean(inputs.allReferrers, name('all-referrers')),
    ...(trustGiven ? { gate: parseTrustOptions(inputs, common) } : {}),
  };
}

export async function run(options: CopyCommandOptions, session: SessionFactory): Promise<RunReport> {
  const s = session.forImages([options.source, options.destination]);
  const registry = await s.registry();
  if (options.gate) {
    const trust = await loadTrust(options.gate, s);
    const { verifyImage } = await import('../../verify/verify.js');
    const verdict = await verifyImage(options.source, verificationOptions(options.gate, { trust, registry }));
    if (!verdict.verified) {
      return {
        command: 'copy',
        ok: false,
        ...failed('the source did not verify, so nothing was copied', [{ subject: options.source, reason: verdict.reason }]),
        verified: [verdict],
        outputs: { 'copied-digest': '', 'copied-digests': '[]', 'signature-digests': '[]' },
        summary: copySummary(undefined, { source: options.source, refused: verdict.reason }),
      };
    }
    options.logger.info(`${options.source} verified (${verdict.reason}); copying`);
  }
  const { copyImage } = await import('../../copy/copy.js');
  const copied = await copyImage({
    source: options.source,
    destination: options.destination,
    registry,
    allReferrers: options.allReferrers,
    referrers: options.referrers,
    logger: options.logger,
    inputName: options.name,
  });
  return {
    command: 'copy',
    ok: true,
    failures: [],
    copied,
    outputs: {
      'copied-digest': copied.destination,
      'copied-digests': JSON.stringify(copied.manifests.filter((m) => m.copied).map((m) => m.digest)),
      'signature-digests': JSON.stringify(copied.referrers.map((r) => r.digest)),
    },
    summary: copySummary(copied, { source: options.source }),
  };
}
