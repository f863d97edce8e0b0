import { NotarySignError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { parseDuration, parseReferrersMode } from './inputs.js';
import { Session, type SessionInputs } from './session.js';
import type { SignResult } from '../sign/sign.js';
import { provenanceAnnotations, type CiProvenance } from './provenance.js';
import type { ImageVerification } from '../verify/verify.js';
import type { VerifyBaseResult } from '../verify-base/verify-base.js';

/**
 * One run of the pipeline step, whatever the CI: the adapters parse their
 * inputs into RunOptions, call `run`, and publish the report's outputs and
 * summary. Every decision is made here.
 */
export type Command = 'sign' | 'verify' | 'verify-base';

export interface RunOptions {
  command: string;
  images: string[];
  session: SessionInputs;
  signatureFormat?: string;
  expiry?: string;
  annotations?: Record<string, string>;
  referrers?: string;
  requiredAnnotations?: Record<string, string>;
  dockerfile?: string;
  buildArgs?: Record<string, string>;
  platform?: string;
  trustPolicy?: string;
  trustStore?: string;
  pinOutput?: string;
  /** Also sign each platform manifest of an index. */
  recursive?: boolean;
  /** RFC 3161 TSA URL and the PEM file of the root its tokens must chain to. */
  timestampUrl?: string;
  timestampRootCert?: string;
  /** Sign the CI provenance (below) into the payload annotations. */
  annotateCi?: boolean;
  ciProvenance?: CiProvenance;
  logger?: Logger;
  /** How the adapter spells an input in messages (kebab-case here). */
  inputName?: (kebab: string) => string;
}

export interface RunReport {
  command: Command;
  ok: boolean;
  /** One line: why the step failed. */
  failure?: string;
  signed?: SignResult[];
  verified?: ImageVerification[];
  base?: VerifyBaseResult;
  /** Output name (kebab-case) → value. */
  outputs: Record<string, string>;
  /** Markdown for the job/build summary. */
  summary: string;
}

export async function run(opts: RunOptions): Promise<RunReport> {
  const name = opts.inputName ?? ((s: string) => s);
  const log = opts.logger ?? silentLogger;
  const command = (opts.command.trim() || 'sign').toLowerCase().replace(/^verifybase$/, 'verify-base') as Command;
  if (!['sign', 'verify', 'verify-base'].includes(command)) {
    throw new NotarySignError('INPUT', `${name('command')}: "${opts.command}" is not one of sign, verify, verify-base`);
  }
  const session = new Session({ ...opts.session, logger: log, ...(opts.inputName ? { inputName: opts.inputName } : {}) });
  const referrers = parseReferrersMode(opts.referrers, name('referrers'));

  if (command === 'sign') {
    const format = ((opts.signatureFormat ?? '').trim() || 'jws').toLowerCase();
    if (format !== 'jws' && format !== 'cose') throw new NotarySignError('INPUT', `${name('signature-format')}: "${opts.signatureFormat}" is not jws or cose`);
    if (opts.images.length === 0) throw new NotarySignError('INPUT', `${name('image')} is required: the pushed image(s) to sign, ideally registry/repo@sha256:<digest>`);
    const expiryMs = opts.expiry?.trim() ? parseDuration(opts.expiry, name('expiry')) : undefined;
    const timestamp = await timestampOptions(opts, name);
    const signer = await session.signer();
    const { sign } = await import('../sign/sign.js');
    const annotations = { ...(opts.annotateCi ? provenanceAnnotations(opts.ciProvenance ?? {}) : {}), ...opts.annotations };
    if (opts.annotateCi && Object.keys(annotations).length === Object.keys(opts.annotations ?? {}).length) log.warn('annotate-ci is set but this CI exposed no provenance values');
    const signed = await sign({ images: opts.images, signer, registry: await session.registry(), ...(expiryMs ? { expiryMs } : {}), annotations, referrers, recursive: opts.recursive ?? false, signatureFormat: format, ...(timestamp ? { timestamp } : {}), logger: log });
    return {
      command,
      ok: true,
      signed,
      outputs: {
        'signed-digest': signed[0]?.signedDigest ?? '',
        'signed-digests': JSON.stringify(signed.map((s) => s.signedReference)),
        'signature-digest': signed[0]?.signatureDigest ?? '',
        'signature-digests': JSON.stringify(signed.map((s) => s.signatureDigest)),
      },
      summary: signSummary(signed),
    };
  }

  if (!opts.trustPolicy) throw new NotarySignError('INPUT', `${name('trust-policy')} is required to verify: the path of a Notary Project trustpolicy.json`);
  if (!opts.trustStore) throw new NotarySignError('INPUT', `${name('trust-store')} is required to verify: a directory with x509/ca/<name>/ certificates`);
  const { readTrustPolicy } = await import('../verify/trust-policy.js');
  const { TrustStore } = await import('../verify/trust-store.js');
  const common = {
    registry: await session.registry(),
    trustPolicy: await readTrustPolicy(opts.trustPolicy),
    trustStore: new TrustStore(opts.trustStore),
    referrers,
    requiredAnnotations: opts.requiredAnnotations ?? {},
    logger: log,
  };

  if (command === 'verify') {
    if (opts.images.length === 0) throw new NotarySignError('INPUT', `${name('image')} is required: the image(s) to verify`);
    const { verifyImage } = await import('../verify/verify.js');
    const { mapLimit } = await import('../util/concurrency.js');
    const verified = await mapLimit(opts.images, 4, (image) => verifyImage(image, common));
    const failed = verified.filter((v) => !v.verified);
    return {
      command,
      ok: failed.length === 0,
      ...(failed.length > 0 ? { failure: failed.map((f) => `${f.image}: ${f.reason}`).join('; ') } : {}),
      verified,
      outputs: { verified: String(failed.length === 0), 'verified-digests': JSON.stringify(verified.filter((v) => v.verified).map((v) => v.reference)) },
      summary: verifySummary(verified.map((v) => ({ ...v, lines: undefined }))),
    };
  }

  if (!opts.dockerfile) throw new NotarySignError('INPUT', `${name('dockerfile')} is required for verify-base: the Dockerfile whose base images are checked`);
  const { verifyBaseImages } = await import('../verify-base/verify-base.js');
  const base = await verifyBaseImages({
    ...common,
    dockerfile: opts.dockerfile,
    buildArgs: opts.buildArgs ?? {},
    ...(opts.platform ? { platform: opts.platform } : {}),
    ...(opts.pinOutput ? { pinOutput: opts.pinOutput } : {}),
  });
  const failed = base.images.filter((i) => !i.verified);
  return {
    command,
    ok: base.verified,
    ...(failed.length > 0 ? { failure: `${failed.length} base image${failed.length === 1 ? '' : 's'} of ${opts.dockerfile} failed verification: ${failed.map((f) => `${f.image} (${f.reason})`).join('; ')}` } : {}),
    base,
    outputs: {
      verified: String(base.verified),
      'base-images': JSON.stringify(base.images.map((i) => ({ image: i.image, digest: i.descriptor.digest, verified: i.verified, lines: i.lines, ...(i.platformManifest ? { platformDigest: i.platformManifest.digest } : {}) }))),
      'pinned-dockerfile': base.verified && opts.pinOutput ? opts.pinOutput : '',
    },
    summary: verifySummary(base.images),
  };
}

async function timestampOptions(opts: RunOptions, name: (s: string) => string) {
  const url = opts.timestampUrl?.trim();
  const root = opts.timestampRootCert?.trim();
  if (!url && !root) return undefined;
  if (!url || !root) throw new NotarySignError('INPUT', `${name('timestamp-url')} and ${name('timestamp-root-cert')} go together: the TSA URL and the PEM root its timestamps chain to`);
  try {
    if (!['http:', 'https:'].includes(new URL(url).protocol)) throw new Error();
  } catch {
    throw new NotarySignError('INPUT', `${name('timestamp-url')}: "${url}" is not an http(s) URL`);
  }
  const { readFile } = await import('node:fs/promises');
  const { parseCertificates } = await import('../crypto/certificate.js');
  const text = await readFile(root, 'utf8').catch(() => {
    throw new NotarySignError('INPUT', `${name('timestamp-root-cert')}: cannot read ${root}`);
  });
  return { url, rootCertificates: parseCertificates(text, `${name('timestamp-root-cert')} ${root}`) };
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const short = (digest: string) => (digest ? `\`${digest.slice(0, 19)}…\`` : '—');

function signSummary(results: SignResult[]): string {
  const rows = results.map((r) => `| ${cell(r.signedReference.split('@')[0]!)} | ${short(r.signedDigest)} | ${short(r.signatureDigest)} | ${cell(r.keyId)} | ${r.storage} |`);
  return ['### notary-sign: signed', '', '| image | digest | signature | key | stored via |', '| --- | --- | --- | --- | --- |', ...rows, ''].join('\n');
}

function verifySummary(results: (ImageVerification & { lines?: number[] | undefined })[]): string {
  const rows = results.map((r) => {
    const passing = r.signatures.find((s) => s.verified);
    return `| ${cell(r.image)} | ${short(r.descriptor.digest)} | ${r.verified ? '✅ verified' : '❌ failed'} | ${cell(passing?.signer ?? r.signatures[0]?.signer ?? '—')} | ${cell(r.reason)} |`;
  });
  return ['### notary-sign: verification', '', '| image | digest | verdict | signer | reason |', '| --- | --- | --- | --- | --- |', ...rows, ''].join('\n');
}

