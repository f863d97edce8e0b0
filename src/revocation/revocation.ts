import type { Certificate } from '../crypto/certificate.js';
import { silentLogger, type Logger } from '../log.js';
import { rfc3339 } from '../util/encoding.js';
import { RevocationCache } from './cache.js';
import { CrlStore, type CrlAnswer } from './crl.js';
import { ocspStatus, type OcspAnswer } from './ocsp.js';

/**
 * Revocation checking of a certificate chain as the Notary Project specifies it (trust-store-trust-policy.md,
 * "Revocation Checking") and notation-core-go v1.3 does it (revocation/revocation.go): every certificate but the
 * root, OCSP when it names a responder, CRL when OCSP gives no answer and it names distribution points, CRL
 * alone without OCSP, "non-revokable" when it names neither. The certificates are checked in parallel.
 */

export interface RevocationOptions {
  /** Per OCSP request (default 2 s, as notation). */
  ocspTimeoutMs?: number;
  /** Per CRL download (default 5 s, as notation). */
  crlTimeoutMs?: number;
  /** Directory keeping CRLs and OCSP responses between runs; none: nothing is kept. */
  cacheDir?: string;
  logger?: Logger;
  now?: () => Date;
  /** Called before each request (counting, in tests and the bench). */
  onRequest?: (url: URL) => void;
}

export type CertStatus = 'good' | 'revoked' | 'unknown' | 'non-revokable';

/** One certificate's result, with what was asked and what each source said. */
export interface CertRevocation {
  subject: string;
  status: CertStatus;
  /** Human account of the answer: the URL(s) asked and their answers. */
  detail: string;
}

const REASONS = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  '(7)',
  'removeFromCRL',
  'privilegeWithdrawn',
  'aACompromise',
];

export class RevocationChecker {
  private readonly crls: CrlStore;
  private readonly ocspTimeoutMs: number;
  private readonly cache?: RevocationCache;
  private readonly log: Logger;
  private readonly now: () => Date;

  constructor(private readonly opts: RevocationOptions = {}) {
    this.log = opts.logger ?? silentLogger;
    this.now = opts.now ?? (() => new Date());
    this.ocspTimeoutMs = opts.ocspTimeoutMs ?? 2_000;
    if (opts.cacheDir) this.cache = new RevocationCache(opts.cacheDir);
    this.crls = new CrlStore({
      timeoutMs: opts.crlTimeoutMs ?? 5_000,
      limit: 0,
      logger: this.log,
      now: this.now(),
      ...(this.cache ? { cache: this.cache } : {}),
      ...(opts.onRequest ? { onRequest: opts.onRequest } : {}),
    });
  }

  /**
   * The status of each certificate of `chain` (leaf first, root last). `signingTime` is the authentic signing
   * time when there is one: a revocation whose invalidity date comes after it does not count (the key was
   * still good when it signed).
   */
  async check(chain: Certificate[], signingTime?: Date): Promise<CertRevocation[]> {
    const checks = chain.slice(0, -1).map((cert, i) => this.checkOne(cert, chain[i + 1]!, signingTime));
    const root = chain[chain.length - 1]!;
    return [...(await Promise.all(checks)), { subject: root.subject, status: 'non-revokable', detail: 'the trusted root is not checked' }];
  }

  private async checkOne(cert: Certificate, issuer: Certificate, signingTime?: Date): Promise<CertRevocation> {
    const ocsp = cert.ocspUrls().length > 0;
    const crl = cert.crlUrls().length > 0;
    const subject = cert.subject;
    if (!ocsp && !crl) return { subject, status: 'non-revokable', detail: 'it names no OCSP responder and no CRL' };
    let ocspNote = '';
    if (ocsp) {
      const answer = await ocspStatus(cert, issuer, {
        timeoutMs: this.ocspTimeoutMs,
        limit: 0,
        logger: this.log,
        now: this.now(),
        ...(this.cache ? { cache: this.cache } : {}),
        ...(this.opts.onRequest ? { onRequest: this.opts.onRequest } : {}),
      });
      if (answer.status !== 'unknown') return judge({ subject, method: 'OCSP' }, answer, signingTime);
      ocspNote = `OCSP ${answer.url}: ${answer.why}`;
      if (!crl) return { subject, status: 'unknown', detail: ocspNote };
      this.log.debug(`revocation of "${subject}": ${ocspNote}; falling back to its CRL`);
    }
    const answer = await this.crls.status(cert, issuer);
    const judged =
      answer.status === 'unknown'
        ? { subject, status: 'unknown' as const, detail: `CRL ${answer.url}: ${answer.why}` }
        : judge({ subject, method: 'CRL' }, answer, signingTime);
    return ocspNote ? { ...judged, detail: `${ocspNote}; ${judged.detail}` } : judged;
  }
}

/** Good, or revoked unless the invalidity date comes after the authentic signing time (the spec's timestamp rule). */
function judge(
  { subject, method }: { subject: string; method: 'OCSP' | 'CRL' },
  answer: Exclude<OcspAnswer | CrlAnswer, { status: 'unknown' }>,
  signingTime?: Date,
): CertRevocation {
  if (answer.status === 'good') return { subject, status: 'good', detail: `${method} ${answer.url}: good` };
  const reason = answer.reason !== undefined ? `, reason ${REASONS[answer.reason] ?? answer.reason}` : '';
  const what = `${method} ${answer.url}: revoked at ${rfc3339(answer.revokedAt)}${reason}`;
  if (answer.invalidityDate && signingTime && signingTime < answer.invalidityDate)
    return {
      subject,
      status: 'good',
      detail: `${what}, invalid only from ${rfc3339(answer.invalidityDate)}, after the authentic signing time ${rfc3339(signingTime)}`,
    };
  return { subject, status: 'revoked', detail: what };
}

/**
 * The chain's verdict as notation-go's verifier reaches it (revocationFinalResult): revoked if any certificate is,
 * else unknown if any is, else good; undefined when good, else the problem naming the certificate and the source.
 */
export function revocationProblem(
  results: CertRevocation[],
  role: 'signing' | 'TSA',
): { status: 'revoked' | 'unknown'; problem: string } | undefined {
  const revoked = results.find((r) => r.status === 'revoked');
  if (revoked) return { status: 'revoked', problem: `${role} certificate "${revoked.subject}" is revoked (${revoked.detail})` };
  const unknown = results.find((r) => r.status === 'unknown');
  if (unknown)
    return { status: 'unknown', problem: `${role} certificate "${unknown.subject}" revocation status is unknown (${unknown.detail})` };
  return undefined;
}
