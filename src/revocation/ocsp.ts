import type * as Asn1 from 'asn1js';
import { createHash } from 'node:crypto';
import { Certificate, OID, serialHex } from '../crypto/certificate.js';
import { HASH_OID } from '../crypto/key-spec.js';
import { loadAsn1js, loadPkijs } from '../crypto/pkijs.js';
import { rfc3339 } from '../util/encoding.js';
import { fetchRevocationData, Unavailable, verifiesWith, type FetchOptions } from './fetch.js';
import type { RevocationCache } from './cache.js';

/**
 * OCSP (RFC 6960) as notation-core-go v1.3 asks it (revocation/internal/ocsp/ocsp.go): a SHA-1 CertID (what
 * every public CA answers), GET when the encoded request is short, else POST; responses of at most 20 KiB.
 * Unlike Go's parser the answer is checked here step by step so each failure can say what was wrong.
 */

/** notation-core-go ocspMaxResponseSize: typical responses are ~4 KiB. */
export const OCSP_MAX_BYTES = 20 * 1024;
const GET_LIMIT = 255;
const SKEW_MS = 5 * 60_000;
const INVALIDITY_DATE = '2.5.29.24';
const OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';
const STATUS = ['successful', 'malformedRequest', 'internalError', 'tryLater', '(4)', 'sigRequired', 'unauthorized'];

export type OcspAnswer =
  | { status: 'good'; url: string }
  | { status: 'revoked'; url: string; revokedAt: Date; reason?: number; invalidityDate?: Date }
  /** The responder answered `unknown` for this certificate: a definite answer, which stops trying other responders. */
  | { status: 'unknown'; url: string; why: string; definite: boolean };

export interface OcspCheck extends FetchOptions {
  now: Date;
  cache?: RevocationCache;
}

/** Ask each responder the certificate names, in order, until one gives a definite answer. */
export async function ocspStatus(cert: Certificate, issuer: Certificate, opts: OcspCheck): Promise<OcspAnswer> {
  let last: OcspAnswer | undefined;
  for (const url of cert.ocspUrls()) {
    last = await askResponder({ cert, issuer, url }, opts);
    if (last.status !== 'unknown' || last.definite) return last;
  }
  return last ?? { status: 'unknown', url: '', why: 'the certificate names no OCSP responder', definite: false };
}

async function askResponder(
  { cert, issuer, url }: { cert: Certificate; issuer: Certificate; url: string },
  opts: OcspCheck,
): Promise<OcspAnswer> {
  const key = `ocsp ${url} ${issuer.thumbprint} ${cert.serial}`;
  const cached = await opts.cache?.get(key, opts.now);
  if (cached) {
    const answer = await readResponse(cached, { cert, issuer, url, now: opts.now }).catch(() => undefined);
    if (answer && answer.answer.status !== 'unknown') return answer.answer;
  }
  try {
    const request = await buildRequest(cert, issuer);
    const encoded = encodeURIComponent(request.toString('base64'));
    const bytes =
      encoded.length < GET_LIMIT
        ? await fetchRevocationData(
            `${url.replace(/\/+$/, '')}/${encoded}`,
            {},
            { ...opts, limit: OCSP_MAX_BYTES, what: 'the OCSP response' },
          )
        : await fetchRevocationData(
            url,
            { method: 'POST', body: request, contentType: 'application/ocsp-request' },
            { ...opts, limit: OCSP_MAX_BYTES, what: 'the OCSP response' },
          );
    const { answer, nextUpdate } = await readResponse(bytes, { cert, issuer, url, now: opts.now });
    if (answer.status !== 'unknown' && nextUpdate) await opts.cache?.put(key, bytes, nextUpdate);
    return answer;
  } catch (err) {
    if (err instanceof Unavailable) return { status: 'unknown', url, why: err.message, definite: false };
    throw err;
  }
}

async function buildRequest(cert: Certificate, issuer: Certificate): Promise<Buffer> {
  const pkijs = await loadPkijs();
  const request = new pkijs.OCSPRequest();
  await request.createForCertificate(pkijs.Certificate.fromBER(new Uint8Array(cert.der)), {
    hashAlgorithm: 'SHA-1',
    issuerCertificate: pkijs.Certificate.fromBER(new Uint8Array(issuer.der)),
  });
  return Buffer.from(request.toSchema(true).toBER(false));
}

// CertID hashes: SHA-1, as every public CA answers (RFC 5019), or SHA-2.
const HASHES: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  ...Object.fromEntries(Object.entries(HASH_OID).map(([h, oid]) => [oid, h])),
};

const certIdSerial = (certID: import('pkijs').CertID) =>
  serialHex(Buffer.from(certID.serialNumber.valueBlock.valueHexView).toString('hex'));

/** RFC 6960 4.1.1 CertID: hashes of the issuer's name and key, and the serial: is this answer about `cert`? */
function aboutCertificate(
  certID: import('pkijs').CertID,
  { cert, issuer, issuerKeyBits }: { cert: Certificate; issuer: Certificate; issuerKeyBits: Uint8Array },
): boolean {
  const hash = HASHES[certID.hashAlgorithm.algorithmId];
  if (!hash) return false;
  const digest = (data: Uint8Array) => createHash(hash).update(data).digest();
  return (
    certIdSerial(certID) === cert.serial &&
    digest(issuer.subjectNameDer).equals(Buffer.from(certID.issuerNameHash.valueBlock.valueHexView)) &&
    digest(issuerKeyBits).equals(Buffer.from(certID.issuerKeyHash.valueBlock.valueHexView))
  );
}

/**
 * A response checked as RFC 6960 3.2 and the Notary Project's "Revocation Checking with OCSP" require: signed by
 * the issuing CA, or by a responder certificate that CA issued for id-kp-OCSPSigning and that is valid now;
 * about this certificate; current (thisUpdate not in the future, nextUpdate not passed, as notation demands one).
 */
async function readResponse(
  bytes: Uint8Array,
  { cert, issuer, url, now }: { cert: Certificate; issuer: Certificate; url: string; now: Date },
): Promise<{ answer: OcspAnswer; nextUpdate?: Date }> {
  const [pkijs, asn1js] = await Promise.all([loadPkijs(), loadAsn1js()]);
  const unknown = (why: string, definite = false): { answer: OcspAnswer } => ({ answer: { status: 'unknown', url, why, definite } });
  let basic: import('pkijs').BasicOCSPResponse;
  try {
    const response = pkijs.OCSPResponse.fromBER(new Uint8Array(bytes));
    const status = response.responseStatus.valueBlock.valueDec;
    if (status !== 0) return unknown(`the responder answered ${STATUS[status] ?? status}`);
    if (response.responseBytes?.responseType !== OCSP_BASIC) return unknown('the response is not a basic OCSP response');
    basic = pkijs.BasicOCSPResponse.fromBER(new Uint8Array(response.responseBytes.response.valueBlock.valueHexView));
  } catch {
    return unknown('the response is not a DER OCSP response');
  }
  const issuerKeyBits = pkijs.Certificate.fromBER(new Uint8Array(issuer.der)).subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView;
  const single = basic.tbsResponseData.responses.find((r) => aboutCertificate(r.certID, { cert, issuer, issuerKeyBits }));
  if (!single) {
    const serials = basic.tbsResponseData.responses.map((r) => certIdSerial(r.certID));
    return unknown(`the response is about another certificate (serial ${serials.join(', ') || 'none'}, not ${cert.serial})`);
  }
  const signerProblem = responseSigner(basic, issuer, now);
  if (signerProblem) return unknown(signerProblem);
  if (single.thisUpdate.getTime() > now.getTime() + SKEW_MS)
    return unknown(`the response's thisUpdate ${rfc3339(single.thisUpdate)} is in the future`);
  if (!single.nextUpdate) return unknown('the response has no nextUpdate, so it cannot be known to be current');
  if (now > single.nextUpdate) return unknown(`the response is stale: its nextUpdate ${rfc3339(single.nextUpdate)} has passed`);
  const nextUpdate = single.nextUpdate;
  const status = (single.certStatus as Asn1.BaseBlock).idBlock.tagNumber;
  if (status === 0) return { answer: { status: 'good', url }, nextUpdate };
  if (status === 2) return { ...unknown('the responder does not know the certificate (status unknown)', true), nextUpdate };
  // RevokedInfo ::= SEQUENCE { revocationTime GeneralizedTime, revocationReason [0] EXPLICIT CRLReason OPTIONAL }
  const info = (single.certStatus as Asn1.Constructed).valueBlock.value;
  const revokedAt = info[0] instanceof asn1js.GeneralizedTime ? info[0].toDate() : undefined;
  if (!revokedAt) return unknown('the response says revoked but carries no revocation time');
  const reasonBlock = (info[1] as Asn1.Constructed | undefined)?.valueBlock.value[0];
  const reason = reasonBlock instanceof asn1js.Enumerated ? reasonBlock.valueBlock.valueDec : undefined;
  const invalidity = single.singleExtensions?.find((e) => e.extnID === INVALIDITY_DATE);
  const invalidityDate = invalidity ? generalizedTime(asn1js, invalidity.extnValue.valueBlock.valueHexView) : undefined;
  return {
    answer: {
      status: 'revoked',
      url,
      revokedAt,
      ...(reason !== undefined ? { reason } : {}),
      ...(invalidityDate ? { invalidityDate } : {}),
    },
    nextUpdate,
  };
}

function generalizedTime(asn1js: typeof Asn1, der: Uint8Array): Date | undefined {
  const parsed = asn1js.fromBER(der).result;
  return parsed instanceof asn1js.GeneralizedTime ? parsed.toDate() : undefined;
}

/** Who signed the response, and whether that party may speak for `issuer`; undefined when it may. */
function responseSigner(basic: import('pkijs').BasicOCSPResponse, issuer: Certificate, now: Date): string | undefined {
  const data = basic.tbsResponseData.tbsView;
  const signature = basic.signature.valueBlock.valueHexView;
  const oid = basic.signatureAlgorithm.algorithmId;
  const byIssuer = verifiesWith(oid, { data, signature, key: issuer.publicKey });
  if (typeof byIssuer === 'string') return `the response cannot be checked: ${byIssuer}`;
  if (byIssuer) return undefined;
  // A delegated responder (RFC 6960 4.2.2.2) travels in the response's certs; a handful at most is looked at.
  for (const raw of (basic.certs ?? []).slice(0, 8)) {
    let responder: Certificate;
    try {
      responder = new Certificate(new Uint8Array(raw.toSchema().toBER(false)));
    } catch {
      continue;
    }
    if (verifiesWith(oid, { data, signature, key: responder.publicKey }) !== true) continue;
    if (!responder.isIssuedBy(issuer)) return `the response is signed by "${responder.subject}", which "${issuer.subject}" did not issue`;
    if (!responder.extendedKeyUsages().includes(OID.ekuOcspSigning))
      return (
        `the response is signed by "${responder.subject}", which lacks id-kp-OCSPSigning, ` + `so it may not answer for "${issuer.subject}"`
      );
    if (!responder.validAt(now)) return `the response is signed by "${responder.subject}", which is not valid now`;
    return undefined;
  }
  return `the response's signature verifies neither with "${issuer.subject}" nor with a responder certificate it issued`;
}
