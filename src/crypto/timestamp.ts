import { createHash, randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import { NotarySignError } from '../errors.js';
import { inputNames, type InputNames } from '../util/input-names.js';
import { httpFetch, NetworkFailure, readBody } from '../util/http.js';
import { Certificate, OID, weakSignatureProblem } from './certificate.js';
import { loadPkijs } from './pkijs.js';
import * as x509 from './x509.js';
import type { HashName } from './key-spec.js';

/**
 * RFC 3161 countersignatures: a TSA's TimeStampToken over the signature
 * bytes (io.cncf.notary.timestampSignature), which keeps a signature valid
 * after its certificate expires.
 */
const HASH_OID: Record<HashName, string> = {
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
};
const OID_HASH = new Map(Object.entries(HASH_OID).map(([k, v]) => [v, k as HashName]));
const SIGNED_DATA = '1.2.840.113549.1.7.2';
const TST_INFO = '1.2.840.113549.1.9.16.1.4';
const MAX_RESPONSE = 1 << 20;
// A TSA answers in well under a second; a stalled one must not hold the signing step.
const TSA_TIMEOUT_MS = 10_000;

export interface TimestampRequest {
  /** The TSA (RFC 3161 over HTTP). */
  url: string;
  /** The signature bytes to countersign. */
  signature: Uint8Array;
  hash: HashName;
  /** The roots the TSA's tokens must chain to. */
  roots: Certificate[];
  name?: InputNames;
}

const statusText = (texts: string[]) => (texts.length > 0 ? ` (${texts.join('; ')})` : '');

/** An RFC 3161 TimeStampReq (§2.4.1) for the signature's hash, with a fresh nonce and certReq set. */
export async function timestampQuery(signature: Uint8Array, hash: HashName): Promise<{ der: Buffer; nonce: Buffer }> {
  const pkijs = await loadPkijs();
  const nonce = randomBytes(8);
  // A positive INTEGER in minimal DER: the first byte 0x01-0x7f (a leading 0x00 is non-minimal, and TSAs
  // such as OpenSSL's refuse the request as malformed, about one time in 256 before this).
  nonce[0] = (nonce[0]! % 0x7f) + 1;
  const req = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: HASH_OID[hash], algorithmParams: new asn1js.Null() }),
      hashedMessage: new asn1js.OctetString({ valueHex: createHash(hash).update(signature).digest() }),
    }),
    nonce: new asn1js.Integer({ valueHex: nonce }),
    certReq: true,
  });
  return { der: Buffer.from(req.toSchema().toBER()), nonce };
}

/** Ask the TSA to timestamp the signature; the token is checked against the roots before it is kept. */
export async function requestTimestamp({ url, signature, hash, roots, name = inputNames(undefined) }: TimestampRequest): Promise<Buffer> {
  const pkijs = await loadPkijs();
  const { der: query, nonce } = await timestampQuery(signature, hash);
  let body: Buffer;
  try {
    const res = await httpFetch(
      url,
      { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: query },
      { timeoutMs: TSA_TIMEOUT_MS },
    );
    if (!res.ok) {
      await res.body?.cancel();
      throw new NotarySignError('TIMESTAMP', `${name('timestamp-url')}: the TSA answered ${res.status} ${res.statusText}`);
    }
    body = await readBody(res, { limit: MAX_RESPONSE, what: `${name('timestamp-url')}: the TSA response`, code: 'TIMESTAMP' });
  } catch (err) {
    if (err instanceof NetworkFailure)
      throw new NotarySignError('NETWORK', `${name('timestamp-url')}: cannot reach ${new URL(url).origin} (${err.code})`, { cause: err });
    throw err;
  }
  let token: Buffer;
  try {
    const resp = pkijs.TimeStampResp.fromBER(new Uint8Array(body).buffer);
    // PKIStatus granted (0) or grantedWithMods (1), RFC 3161 §2.4.2.
    const status = resp.status.status as number;
    if (status !== 0 && status !== 1)
      throw new Error(`status ${status}${statusText(resp.status.statusStrings?.map((s) => s.valueBlock.value) ?? [])}`);
    if (!resp.timeStampToken) throw new Error('no token in the response');
    token = Buffer.from(resp.timeStampToken.toSchema().toBER());
  } catch (err) {
    throw new NotarySignError('TIMESTAMP', `${name('timestamp-url')}: the TSA did not grant a timestamp: ${(err as Error).message}`);
  }
  const checked = await verifyTimestampToken(token, signature, { roots, nonce });
  if (typeof checked === 'string')
    throw new NotarySignError(
      'TIMESTAMP',
      `${name('timestamp-url')}: the TSA's token does not verify against ${name('timestamp-root-cert')}: ${checked}`,
    );
  return token;
}

export interface TimestampInfo {
  time: Date;
  accuracyMs: number;
}

/**
 * Verify a TimeStampToken: CMS signature by a TSA certificate chaining to
 * `roots`, a timeStamping-only (critical) EKU, and a message imprint equal to
 * the hash of `signature`. A string is the reason it failed.
 */
export async function verifyTimestampToken(
  token: Uint8Array,
  signature: Uint8Array,
  { roots, nonce }: { roots: Certificate[]; nonce?: Buffer },
): Promise<TimestampInfo | string> {
  const pkijs = await loadPkijs();
  try {
    const info = pkijs.ContentInfo.fromBER(new Uint8Array(token).buffer);
    if (info.contentType !== SIGNED_DATA) return 'the timestamp token is not CMS SignedData';
    const signed = new pkijs.SignedData({ schema: info.content });
    if (signed.encapContentInfo.eContentType !== TST_INFO || !signed.encapContentInfo.eContent)
      return 'the timestamp token does not hold a TSTInfo';
    const tstBytes = signed.encapContentInfo.eContent.getValue().slice(0);
    const tst = pkijs.TSTInfo.fromBER(tstBytes);
    const hash = OID_HASH.get(tst.messageImprint.hashAlgorithm.algorithmId);
    if (!hash) return `the timestamp uses hash ${tst.messageImprint.hashAlgorithm.algorithmId}, which is not allowed`;
    const expected = createHash(hash).update(signature).digest();
    if (!expected.equals(Buffer.from(tst.messageImprint.hashedMessage.valueBlock.valueHexView)))
      return 'the timestamp is for other content than this signature';
    if (nonce && (!tst.nonce || !Buffer.from(tst.nonce.valueBlock.valueHexView).equals(nonce)))
      return 'the timestamp nonce does not match the request';
    if (roots.length === 0) return 'no TSA root certificate to verify the timestamp against';
    const trusted = roots.map((r) => pkijs.Certificate.fromBER(new Uint8Array(r.der).buffer));
    // For TSTInfo content, pkijs takes `data` as the timestamped content and checks the imprint too.
    let result: Awaited<ReturnType<typeof signed.verify>>;
    try {
      result = await signed.verify({
        signer: 0,
        data: new Uint8Array(signature).slice().buffer,
        trustedCerts: trusted,
        checkChain: true,
        checkDate: tst.genTime,
        extendedMode: true,
      });
    } catch (err) {
      const message = (err as { message?: string }).message ?? String(err);
      return /signer's certificate|certificate paths/i.test(message)
        ? `the TSA certificate does not chain to a trusted TSA root (${message})`
        : `the timestamp signature does not verify (${message})`;
    }
    if (!result.signatureVerified) return `the timestamp signature does not verify (${result.message})`;
    if (!result.signerCertificateVerified) return `the TSA certificate does not chain to a trusted TSA root (${result.message})`;
    const signer = result.signerCertificate ? new Certificate(Buffer.from(result.signerCertificate.toSchema().toBER())) : undefined;
    if (!signer) return 'the TSA signing certificate is missing';
    const path = (result.certificatePath ?? []).map((c) => new Certificate(Buffer.from(c.toSchema().toBER())));
    const weak = weakSignatureProblem([signer, ...path]);
    if (weak) return `the TSA chain is not acceptable: ${weak}`;
    const eku = signer.extension(x509.ExtendedKeyUsageExtension, OID.extKeyUsage);
    if (!eku || !eku.critical || eku.ext.usages.length !== 1 || eku.ext.usages[0] !== OID.ekuTimeStamping) {
      return `TSA certificate "${signer.subject}" must have a critical extended key usage of timeStamping only`;
    }
    const a = tst.accuracy;
    const accuracyMs = a ? (a.seconds ?? 0) * 1000 + (a.millis ?? 0) + (a.micros ?? 0) / 1000 : 0;
    return { time: tst.genTime, accuracyMs };
  } catch (err) {
    return `the timestamp token cannot be parsed (${(err as Error).message})`;
  }
}
