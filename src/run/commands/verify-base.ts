import { readFile } from 'node:fs/promises';
import { NotarySignError } from '../../errors.js';
import { parseKeyValues, parsePlatform } from '../inputs.js';
import type { CommonOptions, RunInputs } from '../options.js';
import { failed, type RunReport } from '../report.js';
import type { SessionFactory } from '../session.js';
import { verifyBaseSummary } from '../summary.js';
import { loadTrust, parseTrustOptions, verificationOptions, type TrustOptions } from './verify.js';

/** `verify-base`: every image a Dockerfile's build pulls, then the pinned Dockerfile. */
export interface VerifyBaseCommandOptions extends TrustOptions {
  dockerfile: string;
  buildArgs: Record<string, string>;
  platform?: string;
  pinOutput?: string;
}

export function parseOptions(inputs: RunInputs, common: CommonOptions): VerifyBaseCommandOptions {
  const { name } = common;
  if (!inputs.dockerfile)
    throw new NotarySignError('INPUT', `${name('dockerfile')} is required: the Dockerfile whose base images are verified`);
  return {
    ...parseTrustOptions(inputs, common),
    dockerfile: inputs.dockerfile,
    buildArgs: parseKeyValues(inputs.buildArgs, name('build-args')),
    ...(inputs.platform?.trim() ? { platform: parsePlatform(inputs.platform, name('platform')) } : {}),
    ...(inputs.pinOutput ? { pinOutput: inputs.pinOutput } : {}),
  };
}

export async function run(options: VerifyBaseCommandOptions, session: SessionFactory): Promise<RunReport> {
  const { baseImages, loadDockerfileParser } = await import('../../verify-base/dockerfile.js');
  await loadDockerfileParser();
  // Explicit registry credentials go only to the registries the Dockerfile names.
  const registries = session.hasExplicitCredentials
    ? baseImages(await readFile(options.dockerfile, 'utf8').catch(() => ''), {
        buildArgs: options.buildArgs,
        ...(options.platform ? { platform: options.platform } : {}),
        source: options.dockerfile,
      }).map((b) => b.ref.registry)
    : [];
  const s = session.forRegistries(registries);
  const trust = await loadTrust(options, s);
  const registry = await s.registry();
  const { verifyBaseImages } = await import('../../verify-base/verify-base.js');
  const base = await verifyBaseImages({
    ...verificationOptions(options, { trust, registry }),
    dockerfile: options.dockerfile,
    inputName: options.name,
    buildArgs: options.buildArgs,
    ...(options.platform ? { platform: options.platform } : {}),
    ...(options.pinOutput ? { pinOutput: options.pinOutput } : {}),
  });
  const rejected = base.images.filter((i) => !i.verified);
  const failures = rejected.map((i) => ({
    subject: i.uses.includes('syntax') ? `${i.image} (the build frontend)` : i.image,
    reason: i.reason,
  }));
  const headline = base.pinFailure
    ? `the base images of ${options.dockerfile} verified, but the pinned Dockerfile was not written`
    : `${rejected.length} base image${rejected.length === 1 ? '' : 's'} of ${options.dockerfile} failed verification`;
  if (base.pinFailure) failures.push({ subject: options.name('pin-output'), reason: base.pinFailure.replace(/^[^:]+: /, '') });
  return {
    command: 'verify-base',
    ok: base.verified && !base.pinFailure,
    ...failed(headline, failures),
    base,
    outputs: {
      verified: String(base.verified),
      'base-images': JSON.stringify(
        base.images.map((i) => ({
          image: i.image,
          digest: i.descriptor.digest,
          verified: i.verified,
          lines: i.lines,
          uses: i.uses,
          ...(i.platformManifest ? { platformDigest: i.platformManifest.digest } : {}),
        })),
      ),
      'pinned-dockerfile': base.verified && options.pinOutput && !base.pinFailure ? options.pinOutput : '',
    },
    summary: verifyBaseSummary(base, {
      ...(trust.description ? { trust: trust.description } : {}),
      ...(options.pinOutput ? { pinOutput: options.pinOutput } : {}),
    }),
  };
}
