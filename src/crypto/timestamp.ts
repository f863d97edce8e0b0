import { createHash, randomBytes } from 'node:crypto';
import type * as Asn1 from 'asn1js';
import { NotarySignError } from '../errors.js';
import { inputNames, type InputNames } from '../util/input-names.js';
import { httpFetch, NetworkFailure, readBody } from '../util/http.js';
import { Certificate, timestampingChainProblem, weakSignatureAlgorithm } from './certificate.js';
import { loadAsn1js, loadPkijs } from './pkijs.js';
import { HASH_OID, type HashName } from './key-spec.js';

/**
 * RFC 3161 countersignatures: a TSA's TimeStampToken over the signature
 * bytes (io.cncf.notary.timestampSignature), which keeps a signature valid
 * after its certificate expires.
 */
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
  const [pkijs, asn1js] = await Promise.all([loadPkijs(), loadAsn1js()]);
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
  /** The TSA chain, leaf to trusted root, for the revocation check. */
  chain: Certificate[];
}

// Bounds on what a token may ask of us: a TSA sends its leaf and perhaps an intermediate or two.
const MAX_TOKEN_CERTIFICATES = 16;
const MAX_TSA_CHAIN = 8;
const ESS_SIGNING_CERTIFICATE_V2 = '1.2.840.113549.1.9.16.2.47';
const BASELINE_TIMESTAMP_POLICY = '0.4.0.2023.1.1';

/**
 * Verify a TimeStampToken as the trust-store-trust-policy specification's "Validate Trusted Timestamp" and
 * notation's tspclient-go do: the CMS signature first, then the ESS signingCertificateV2 binding to the signing
 * certificate, then a path to `roots` built by us with hard bounds (pkijs's own path search loops forever on
 * certificates that issue each other), then the TSA certificate profile. A string is the reason it failed.
 */
export async function verifyTimestampToken(
  token: Uint8Array,
  signature: Uint8Array,
  { roots, nonce }: { roots: Certificate[]; nonce?: Buffer },
): Promise<TimestampInfo | string> {
  const [pkijs, asn1js] = await Promise.all([loadPkijs(), loadAsn1js()]);
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
    const signerInfo = signed.signerInfos[0];
    if (signed.signerInfos.length !== 1 || !signerInfo) return 'the timestamp token must have exactly one signer';
    const algorithms = [signerInfo.digestAlgorithm.algorithmId, signerInfo.signatureAlgorithm.algorithmId];
    const weakAlgorithm =
      algorithms.map(weakSignatureAlgorithm).find(Boolean) ?? (OID_HASH.has(algorithms[0]!) ? undefined : algorithms[0]);
    if (weakAlgorithm) return `the timestamp token is signed with ${weakAlgorithm}, which is not allowed (no SHA-1 or MD5)`;
    const certificates = (signed.certificates ?? []).filter((c) => c instanceof pkijs.Certificate);
    if (certificates.length > MAX_TOKEN_CERTIFICATES)
      return `the timestamp token carries ${certificates.length} certificates; at most ${MAX_TOKEN_CERTIFICATES} are accepted`;
    const pool = certificates.map((c) => new Certificate(Buffer.from(c.toSchema().toBER())));

    // The signature over the signed attributes and the TSTInfo, by the certificate the signer identifier names.
    let result: Awaited<ReturnType<typeof signed.verify>>;
    try {
      result = await signed.verify({ signer: 0, data: new Uint8Array(signature).slice().buffer, checkChain: false, extendedMode: true });
    } catch (err) {
      return `the timestamp signature does not verify (${(err as { message?: string }).message ?? String(err)})`;
    }
    if (!result.signatureVerified) return `the timestamp signature does not verify (${result.message})`;
    if (!result.signerCertificate) return 'the TSA signing certificate is missing';
    const signer = new Certificate(Buffer.from(result.signerCertificate.toSchema().toBER()));
    const ess = essProblem({ pkijs, asn1js }, signerInfo, signer);
    if (ess) return ess;

    const chain = tsaChain(signer, pool, roots);
    if (typeof chain === 'string') return chain;
    const profile = timestampingChainProblem(chain, tst.genTime);
    if (profile) return `the TSA chain is not acceptable: ${profile}`;
    const a = tst.accuracy;
    // tspclient-go: a baseline-policy token without accuracy is accurate to one second (RFC 3628 5.1).
    const accuracyMs = a
      ? (a.seconds ?? 0) * 1000 + (a.millis ?? 0) + (a.micros ?? 0) / 1000
      : tst.policy === BASELINE_TIMESTAMP_POLICY
        ? 1000
        : 0;
    return { time: tst.genTime, accuracyMs, chain };
  } catch (err) {
    return `the timestamp token cannot be parsed (${(err as Error).message})`;
  }
}

type Pkijs = Awaited<ReturnType<typeof loadPkijs>>;

/**
 * RFC 5816 / tspclient-go `SigningCertificate`: the signed signingCertificateV2 attribute's first ESSCertIDv2 hashes
 * the certificate that signed the token (SHA-256 unless it names SHA-384 or SHA-512).
 */
function essProblem(
  { pkijs, asn1js }: { pkijs: Pkijs; asn1js: typeof Asn1 },
  signerInfo: InstanceType<Pkijs['SignerInfo']>,
  signer: Certificate,
): string | undefined {
  const attribute = signerInfo.signedAttrs?.attributes.find((a) => a.type === ESS_SIGNING_CERTIFICATE_V2);
  if (!attribute) return 'the timestamp token has no signed ESS signingCertificateV2 attribute binding its signing certificate';
  // SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, ... }
  // ESSCertIDv2 ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier DEFAULT sha256, certHash OCTET STRING, issuerSerial OPTIONAL }
  const certs = (attribute.values[0] as Asn1.Sequence | undefined)?.valueBlock.value[0] as Asn1.Sequence | undefined;
  const first = certs?.valueBlock.value[0] as Asn1.Sequence | undefined;
  const fields = first?.valueBlock.value ?? [];
  const algorithm = fields[0] instanceof asn1js.Sequence ? new pkijs.AlgorithmIdentifier({ schema: fields[0] }).algorithmId : undefined;
  const certHash = fields[algorithm ? 1 : 0];
  if (!(certHash instanceof asn1js.OctetString)) return "the timestamp token's signingCertificateV2 attribute names no certificate";
  const hash = algorithm === undefined ? 'sha256' : OID_HASH.get(algorithm);
  if (!hash) return `the timestamp token's signingCertificateV2 attribute uses hash ${algorithm}, which is not allowed`;
  if (!createHash(hash).update(signer.der).digest().equals(Buffer.from(certHash.valueBlock.valueHexView)))
    return `the timestamp token's signingCertificateV2 attribute does not match its signing certificate "${signer.subject}"`;
  return undefined;
}

/**
 * Leaf to trusted root through the token's certificates: each step an issuer whose key verifies the certificate,
 * never a certificate twice, at most MAX_TSA_CHAIN long; so at most MAX_TSA_CHAIN × (pool + roots) signature checks.
 */
function tsaChain(signer: Certificate, pool: Certificate[], roots: Certificate[]): Certificate[] | string {
  const chain = [signer];
  while (chain.length <= MAX_TSA_CHAIN) {
    const last = chain[chain.length - 1]!;
    if (roots.some((r) => r.equals(last))) return chain;
    const root = roots.find((r) => last.isIssuedBy(r));
    if (root) return [...chain, root];
    const next = pool.find((c) => !chain.some((seen) => seen.equals(c)) && last.isIssuedBy(c));
    if (!next)
      return `the TSA certificate does not chain to a trusted TSA root (no issuer of "${last.subject}" in the token or the TSA roots)`;
    chain.push(next);
  }
  return `the TSA certificate "${signer.subject}" does not reach a trusted TSA root within ${MAX_TSA_CHAIN} certificates`;
}
