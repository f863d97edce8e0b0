import { codeSigningChainProblem } from '../crypto/certificate.js';
import { jwsAlgorithm, verifyRaw } from '../crypto/key-spec.js';
import { MediaType, type Descriptor } from '../oci/media-types.js';
import { isDigest } from '../oci/reference.js';
import { parseJws } from './jws.js';
import { numberLiteralAt } from './json-literal.js';
import { EnvelopeError, type EnvelopeContent, type SignaturePayload } from './types.js';

export { SIGNATURE_ENVELOPE_TYPES as SUPPORTED_ENVELOPES } from '../oci/media-types.js';

// COSE (and its CBOR library) is loaded only by a run that meets a COSE envelope.
let cose: typeof import('./cose.js') | undefined;

/** Load what parsing `mediaType` needs; call before parseEnvelope (JWS needs nothing). */
export async function loadEnvelopeFormat(mediaType: string): Promise<void> {
  if (mediaType !== MediaType.Cose) return;
  cose ??= await import('./cose.js');
  await cose.loadCbor();
}

export function parseEnvelope(mediaType: string, bytes: Uint8Array): EnvelopeContent {
  if (mediaType === MediaType.Jws) return parseJws(bytes);
  if (mediaType === MediaType.Cose) {
    if (!cose) throw new Error('COSE parsing used before loadEnvelopeFormat()');
    return cose.parseCose(bytes);
  }
  throw new EnvelopeError(`unsupported signature envelope media type "${mediaType}"`);
}

/**
 * Integrity as notation defines it: the algorithm is the one the signing
 * certificate's key dictates, the signature is valid over the exact signed
 * bytes, and the chain meets the certificate requirements at signing time.
 */
export function verifyIntegrity(content: EnvelopeContent): void {
  const leaf = content.certificateChain[0]!;
  const spec = leaf.keySpec;
  if ('problem' in spec) throw new EnvelopeError(`the signing certificate "${leaf.subject}" has an unsupported ${spec.problem}`);
  const expected = jwsAlgorithm(spec.spec);
  if (content.algorithm !== expected) {
    throw new EnvelopeError(
      `signature algorithm ${content.algorithm} does not match the signing certificate's ${spec.spec} key, which requires ${expected}`,
    );
  }
  if (!verifyRaw(spec.spec, leaf.publicKey, { data: content.signedBytes, signature: content.signature })) {
    throw new EnvelopeError('the signature does not match the signed content: the envelope was altered or signed by another key');
  }
  const problem = codeSigningChainProblem(content.certificateChain, content.signingTime);
  if (problem) throw new EnvelopeError(`invalid certificate chain: ${problem}`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The signed payload `{"targetArtifact": descriptor}`, validated field by field. */
export function parsePayload(content: EnvelopeContent): SignaturePayload {
  let p: unknown;
  try {
    p = JSON.parse(content.payload.toString('utf8'));
  } catch {
    throw new EnvelopeError('the signed payload is not valid JSON');
  }
  const t = isObject(p) ? p.targetArtifact : undefined;
  if (!isObject(t)) throw new EnvelopeError('the signed payload has no "targetArtifact" descriptor');
  const { mediaType, digest, size, annotations } = t;
  if (typeof mediaType !== 'string' || mediaType === '') throw new EnvelopeError('targetArtifact.mediaType is missing');
  if (typeof digest !== 'string' || !isDigest(digest)) throw new EnvelopeError('targetArtifact.digest is missing or malformed');
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    throw new EnvelopeError('targetArtifact.size is missing or not a non-negative integer');
  const literal = numberLiteralAt(content.payload.toString('utf8'), ['targetArtifact', 'size']);
  if (literal !== undefined && !/^(0|[1-9][0-9]*)$/.test(literal))
    throw new EnvelopeError(`targetArtifact.size is written ${literal}; write the integer ${size} (no fraction or exponent)`);
  if (annotations !== undefined && (!isObject(annotations) || !Object.values(annotations).every((v) => typeof v === 'string'))) {
    throw new EnvelopeError('targetArtifact.annotations must map strings to strings');
  }
  const target: Descriptor = { mediaType, digest, size, ...(annotations ? { annotations: annotations as Record<string, string> } : {}) };
  return { targetArtifact: target };
}
