import { readFile } from 'node:fs/promises';
import { NotarySignError } from '../../errors.js';
import type { Certificate } from '../../crypto/certificate.js';
import { parseDuration, parseKeyValues } from '../inputs.js';
import type { CommonOptions, RunInputs } from '../options.js';
import { provenanceAnnotations } from '../provenance.js';
import { failed, type RunReport } from '../report.js';
import type { Session, SessionFactory } from '../session.js';
import type { SignOptions } from '../../sign/sign.js';
import { signSummary } from '../summary.js';

/** `sign`: sign each image's digest and attach the signature as a referrer. */
export interface SignCommandOptions extends CommonOptions {
  images: readonly string[];
  signatureFormat: 'jws' | 'cose';
  /** Signature validity in milliseconds; absent = no expiry. */
  expiryMs?: number;
  /** User metadata, including the CI provenance when annotate-ci is set. */
  annotations: Record<string, string>;
  recursive: boolean;
  timestamp?: { url: string; rootCertPath: string };
}

export function parseOptions(inputs: RunInputs, common: CommonOptions): SignCommandOptions {
  const { name } = common;
  const format = (inputs.signatureFormat?.trim() || 'jws').toLowerCase();
  if (format !== 'jws' && format !== 'cose')
    throw new NotarySignError('INPUT', `${name('signature-format')}: "${inputs.signatureFormat}" is not jws or cose`);
  const images = inputs.images ?? [];
  if (images.length === 0)
    throw new NotarySignError('INPUT', `${name('image')} is required: the pushed image(s) to sign, ideally registry/repo@sha256:<digest>`);
  const user = parseKeyValues(inputs.annotations, name('annotations'));
  // notation refuses these too: the io.cncf.notary. prefix is the specification's, with meanings verifiers enforce.
  const reserved = Object.keys(user).find((k) => k.startsWith('io.cncf.notary.'));
  if (reserved)
    throw new NotarySignError(
      'INPUT',
      `${name('annotations')}: "${reserved}" uses the reserved io.cncf.notary. prefix; choose your own prefix`,
    );
  const ci = inputs.annotateCi ? provenanceAnnotations(inputs.ciProvenance ?? {}) : {};
  if (inputs.annotateCi && Object.keys(ci).length === 0)
    common.logger.warn(`${name('annotate-ci')} is set but this CI exposed no provenance values`);
  const expiryMs = inputs.expiry !== undefined ? parseExpiry(inputs.expiry, name('expiry')) : undefined;
  const timestamp = timestampInputs(inputs, common);
  return {
    ...common,
    images,
    signatureFormat: format,
    ...(expiryMs ? { expiryMs } : {}),
    annotations: { ...ci, ...user },
    recursive: inputs.recursive ?? false,
    ...(timestamp ? { timestamp } : {}),
  };
}

/** The signature's validity: absent or blank means no expiry (a CI input left empty); at least a minute. */
function parseExpiry(value: string, input: string): number | undefined {
  if (value.trim() === '') return undefined;
  const ms = parseDuration(value, input);
  if (ms < 60_000)
    throw new NotarySignError('INPUT', `${input}: "${value}" is under a minute; the signature would expire before anyone verifies it`);
  return ms;
}

function timestampInputs({ timestampUrl, timestampRootCert }: RunInputs, { name }: CommonOptions) {
  const url = timestampUrl?.trim();
  const rootCertPath = timestampRootCert?.trim();
  if (!url && !rootCertPath) return undefined;
  if (!url || !rootCertPath) {
    throw new NotarySignError(
      'INPUT',
      `${name('timestamp-url')} and ${name('timestamp-root-cert')} go together: the TSA URL and the PEM root its timestamps chain to`,
    );
  }
  if (!isHttpUrl(url)) throw new NotarySignError('INPUT', `${name('timestamp-url')}: "${url}" is not an http(s) URL`);
  return { url, rootCertPath };
}

function isHttpUrl(text: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}

async function readTimestampRoots(path: string, input: string): Promise<Certificate[]> {
  const text = await readFile(path, 'utf8').catch(() => {
    throw new NotarySignError('INPUT', `${input}: cannot read ${path}`);
  });
  const { parseCertificates } = await import('../../crypto/certificate.js');
  return parseCertificates(text, `${input} ${path}`);
}

/** What signing needs beyond the images: the signer, the registry and the parsed options (shared with migrate-dct). */
export async function signingContext(options: SignCommandOptions, s: Session): Promise<Omit<SignOptions, 'images'>> {
  const { name, logger } = options;
  const timestamp = options.timestamp && {
    url: options.timestamp.url,
    rootCertificates: await readTimestampRoots(options.timestamp.rootCertPath, name('timestamp-root-cert')),
  };
  // Not awaited: the registry work starts while the signer is set up (signEach waits for both), and stops when the
  // signer fails, so a run ends with its error instead of lingering in registry retries.
  const signer = s.signer();
  const stop = new AbortController();
  signer.catch(() => stop.abort());
  return {
    signer,
    registry: await s.registry({ signal: stop.signal }),
    ...(options.expiryMs ? { expiryMs: options.expiryMs } : {}),
    annotations: options.annotations,
    referrers: options.referrers,
    recursive: options.recursive,
    signatureFormat: options.signatureFormat,
    ...(timestamp ? { timestamp } : {}),
    logger,
    inputName: name,
  };
}

export async function run(options: SignCommandOptions, session: SessionFactory): Promise<RunReport> {
  const context = await signingContext(options, session.forImages(options.images));
  const { signEach } = await import('../../sign/sign.js');
  const { signed, failed: notSigned } = await signEach({ ...context, images: options.images });
  const total = signed.length + notSigned.length;
  return {
    command: 'sign',
    ok: notSigned.length === 0,
    ...failed(
      `${notSigned.length} of ${total} image${total === 1 ? '' : 's'} not signed`,
      notSigned.map((f) => ({ subject: f.signedReference ?? f.image, reason: f.reason })),
    ),
    signed,
    notSigned: notSigned.map(({ error: _error, ...f }) => f),
    outputs: {
      'signed-digest': signed[0]?.signedDigest ?? '',
      'signed-digests': JSON.stringify(signed.map((r) => r.signedReference)),
      'signature-digest': signed[0]?.signatureDigest ?? '',
      'signature-digests': JSON.stringify(signed.map((r) => r.signatureDigest)),
    },
    summary: signSummary(signed, notSigned),
  };
}
