import { serialHex, type Certificate } from '../crypto/certificate.js';
import type * as X509 from '../crypto/x509.js';
import { rfc3339 } from '../util/encoding.js';
import { fetchRevocationData, Unavailable, type FetchOptions } from './fetch.js';
import type { RevocationCache } from './cache.js';

/**
 * CRLs (RFC 5280 5) as notation-core-go v1.3 uses them (revocation/internal/crl/crl.go): every distribution
 * point the certificate names, base CRLs only (a delta CRL or a base that points to one is refused: status
 * unknown), signed by the certificate's issuer, current by nextUpdate, at most 32 MiB.
 */

/** notation-core-go maxCRLSize. */
export const CRL_MAX_BYTES = 32 * 1024 * 1024;
const SKEW_MS = 5 * 60_000;
const FRESHEST_CRL = '2.5.29.46';
const DELTA_CRL_INDICATOR = '2.5.29.27';
const ISSUING_DISTRIBUTION_POINT = '2.5.29.28';
const REMOVE_FROM_CRL = 8;

export type CrlAnswer =
  | { status: 'good'; url: string }
  | { status: 'revoked'; url: string; revokedAt: Date; reason?: number; invalidityDate?: Date }
  | { status: 'unknown'; url: string; why: string };

export interface CrlCheck extends FetchOptions {
  now: Date;
  cache?: RevocationCache;
}

interface Entry {
  revokedAt: Date;
  reason?: number;
  invalidityDate?: Date;
}

/** A CRL verified for one issuer, with its entries indexed by serial (one pass, then O(1) per certificate). */
interface VerifiedCrl {
  entries: Map<string, Entry>;
  nextUpdate?: Date;
}

/** Per run: each CRL URL downloaded, verified and indexed once, whoever asks. */
export class CrlStore {
  private readonly loaded = new Map<string, Promise<VerifiedCrl>>();

  constructor(private readonly opts: CrlCheck) {}

  /** The certificate's status from every distribution point it names; revoked as soon as one lists it. */
  async status(cert: Certificate, issuer: Certificate): Promise<CrlAnswer> {
    let good: CrlAnswer | undefined;
    for (const url of cert.crlUrls()) {
      let crl: VerifiedCrl;
      try {
        crl = await this.load(url, issuer);
      } catch (err) {
        if (err instanceof Unavailable) return { status: 'unknown', url, why: err.message };
        throw err;
      }
      const entry = crl.entries.get(cert.serial);
      if (entry && entry.reason !== REMOVE_FROM_CRL) return { status: 'revoked', url, ...entry };
      good = { status: 'good', url };
    }
    return good ?? { status: 'unknown', url: '', why: 'the certificate names no CRL distribution point' };
  }

  private load(url: string, issuer: Certificate): Promise<VerifiedCrl> {
    const key = `${url} ${issuer.thumbprint}`;
    let p = this.loaded.get(key);
    if (!p) {
      p = this.fetchVerified(url, issuer);
      this.loaded.set(key, p);
    }
    return p;
  }

  private async fetchVerified(url: string, issuer: Certificate): Promise<VerifiedCrl> {
    const cacheKey = `crl ${url}`;
    const cached = await this.opts.cache?.get(cacheKey, this.opts.now);
    if (cached) {
      const crl = await verifyCrl(cached, issuer, this.opts.now).catch(() => undefined);
      if (crl) return crl;
    }
    const bytes = await fetchRevocationData(url, {}, { ...this.opts, limit: CRL_MAX_BYTES, what: 'the CRL' });
    const crl = await verifyCrl(bytes, issuer, this.opts.now);
    // Until nextUpdate; a CRL without one is used for this run only.
    if (crl.nextUpdate) await this.opts.cache?.put(cacheKey, bytes, crl.nextUpdate);
    return crl;
  }
}

/** Parse, verify (issuer name and signature, freshness, extensions) and index a CRL; Unavailable says why not. */
async function verifyCrl(bytes: Uint8Array, issuer: Certificate, now: Date): Promise<VerifiedCrl> {
  const x509 = await import('../crypto/x509.js');
  let crl: X509.X509Crl;
  try {
    crl = new x509.X509Crl(new Uint8Array(bytes));
  } catch {
    throw new Unavailable('the CRL is not a DER or PEM certificate revocation list');
  }
  if (!Buffer.from(crl.issuerName.toArrayBuffer()).equals(issuer.subjectNameDer))
    throw new Unavailable(`the CRL is issued by "${crl.issuer}", not by "${issuer.subject}" (indirect CRLs are not supported)`);
  if (crl.signatureAlgorithm.hash.name === 'SHA-1') throw new Unavailable('the CRL is signed with SHA-1, which is refused');
  const signedByIssuer = await crl.verify({ publicKey: new x509.X509Certificate(new Uint8Array(issuer.der)).publicKey }).catch(() => false);
  if (!signedByIssuer) throw new Unavailable(`the CRL's signature does not verify with the key of "${issuer.subject}"`);
  if (crl.thisUpdate.getTime() > now.getTime() + SKEW_MS)
    throw new Unavailable(`the CRL's thisUpdate ${rfc3339(crl.thisUpdate)} is in the future`);
  if (crl.nextUpdate && now > crl.nextUpdate)
    throw new Unavailable(`the CRL is stale: its nextUpdate ${rfc3339(crl.nextUpdate)} has passed`);
  for (const ext of crl.extensions) {
    if (ext.type === FRESHEST_CRL || ext.type === DELTA_CRL_INDICATOR)
      throw new Unavailable('delta CRLs are not supported (as in notation): the CRL is or points to one');
    if (ext.critical && ext.type !== ISSUING_DISTRIBUTION_POINT)
      throw new Unavailable(`the CRL has an unsupported critical extension ${ext.type}`);
  }
  const entries = new Map<string, Entry>();
  for (const e of crl.entries) {
    const critical = e.extensions.find((x) => x.critical && x.type !== '2.5.29.21' && x.type !== '2.5.29.24');
    if (critical) throw new Unavailable(`a CRL entry has an unsupported critical extension ${critical.type}`);
    const reason = e.reason;
    const invalidityDate = e.invalidity;
    entries.set(serialHex(e.serialNumber), {
      revokedAt: e.revocationDate,
      ...(reason !== undefined ? { reason } : {}),
      ...(invalidityDate ? { invalidityDate } : {}),
    });
  }
  return { entries, ...(crl.nextUpdate ? { nextUpdate: crl.nextUpdate } : {}) };
}
