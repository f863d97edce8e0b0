import { MediaType } from '../oci/media-types.js';
import { base64url, decodeBase64, decodeBase64url, parseRfc3339, rfc3339 } from '../util/encoding.js';
import { Certificate } from '../crypto/certificate.js';
import { ALLOWED_JWS_ALGORITHMS, jwsAlgorithm } from '../crypto/key-spec.js';
import type { Signer } from '../crypto/signer.js';
import { EnvelopeError, type EnvelopeContent } from './types.js';
import { H, signedAttributes } from './attributes.js';

export interface SignOptions {
  payload: Uint8Array;
  signer: Signer;
  signingTime: Date;
  expiry?: Date;
  signingAgent: string;
  /** RFC 3161: returns a TimeStampToken (DER) over the signature bytes. */
  timestamp?: (signature: Uint8Array) => Promise<Buffer>;
}

/** Build a Notary Project JWS envelope (flattened JSON serialization). */
export async function signJws(opts: SignOptions): Promise<Buffer> {
  const alg = jwsAlgorithm(opts.signer.keySpec);
  const crit = [H.signingScheme, ...(opts.expiry ? [H.expiry] : [])];
  // Keys in lexical order, like notation's Go marshalling of a map.
  const header: Record<string, unknown> = {
    alg,
    crit,
    cty: MediaType.NotaryPayload,
    ...(opts.expiry ? { [H.expiry]: rfc3339(opts.expiry) } : {}),
    [H.signingScheme]: 'notary.x509',
    [H.signingTime]: rfc3339(opts.signingTime),
  };
  const protectedB64 = base64url(JSON.stringify(header));
  const payloadB64 = base64url(opts.payload);
  const signature = await opts.signer.sign(Buffer.from(`${protectedB64}.${payloadB64}`, 'ascii'));
  const chain = await opts.signer.certificateChain();
  const token = opts.timestamp ? await opts.timestamp(signature) : undefined;
  const envelope = {
    payload: payloadB64,
    protected: protectedB64,
    header: {
      x5c: chain.map((c) => c.der.toString('base64')),
      [H.signingAgent]: opts.signingAgent,
      ...(token ? { [H.timestampSignature]: token.toString('base64') } : {}),
    },
    signature: base64url(signature),
  };
  return Buffer.from(JSON.stringify(envelope), 'utf8');
}

const TOP_LEVEL = new Set(['payload', 'protected', 'header', 'signature']);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Parse and structurally validate a JWS envelope. Every rule of the Notary
 * Project JWS envelope specification is enforced here; the signature itself
 * is checked by verifyIntegrity.
 */
export function parseJws(bytes: Uint8Array): EnvelopeContent {
  let env: unknown;
  try {
    env = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new EnvelopeError('the JWS envelope is not valid JSON');
  }
  if (!isObject(env)) throw new EnvelopeError('the JWS envelope is not a JSON object');
  for (const key of Object.keys(env)) {
    if (!TOP_LEVEL.has(key))
      throw new EnvelopeError(`the JWS envelope has an unsupported top-level field "${key}" (only the flattened serialization is allowed)`);
  }
  const { payload, protected: prot, header, signature } = env;
  if (typeof payload !== 'string' || typeof prot !== 'string' || typeof signature !== 'string') {
    throw new EnvelopeError('the JWS envelope must have string "payload", "protected" and "signature" fields');
  }
  if (!isObject(header)) throw new EnvelopeError('the JWS envelope has no unprotected "header" object');

  const protectedJson = decodeBase64url(prot);
  if (!protectedJson) throw new EnvelopeError('the protected header is not base64url');
  let h: unknown;
  try {
    h = JSON.parse(protectedJson.toString('utf8'));
  } catch {
    throw new EnvelopeError('the protected header is not valid JSON');
  }
  if (!isObject(h)) throw new EnvelopeError('the protected header is not a JSON object');

  const alg = h.alg;
  if (typeof alg !== 'string') throw new EnvelopeError('the protected header has no "alg"');
  if (!ALLOWED_JWS_ALGORITHMS.has(alg)) {
    throw new EnvelopeError(`signature algorithm "${alg}" is not allowed (allowed: ${[...ALLOWED_JWS_ALGORITHMS].join(', ')})`);
  }
  if (h.cty !== MediaType.NotaryPayload) {
    throw new EnvelopeError(`the protected header "cty" is ${JSON.stringify(h.cty)}, expected "${MediaType.NotaryPayload}"`);
  }

  const crit = h.crit;
  if (!Array.isArray(crit) || crit.length === 0)
    throw new EnvelopeError('the protected header "crit" must be a non-empty list of header names');
  const view = { has: (name: string) => Object.hasOwn(h, name), get: (name: string) => h[name] };
  const { signingScheme, signingTime, expiry } = signedAttributes(view, crit, { parse: parseRfc3339, kind: 'an RFC 3339 time' });

  const x5c = header.x5c;
  if (!Array.isArray(x5c) || x5c.length === 0) throw new EnvelopeError('the unprotected header has no "x5c" certificate chain');
  const certificateChain = x5c.map((entry, i) => {
    const der = typeof entry === 'string' ? decodeBase64(entry) : undefined;
    if (!der || der.length === 0) throw new EnvelopeError(`x5c[${i}] is not a base64 DER certificate`);
    try {
      return new Certificate(der);
    } catch (err) {
      throw new EnvelopeError(`x5c[${i}] is not a valid X.509 certificate: ${(err as Error).message}`);
    }
  });
  const agent = header[H.signingAgent];
  if (agent !== undefined && typeof agent !== 'string') throw new EnvelopeError(`"${H.signingAgent}" must be a string`);
  let timestampSignature: Buffer | undefined;
  const ts = header[H.timestampSignature];
  if (ts !== undefined) {
    timestampSignature = typeof ts === 'string' ? decodeBase64(ts) : undefined;
    if (!timestampSignature) throw new EnvelopeError(`"${H.timestampSignature}" must be base64`);
  }

  const payloadBytes = decodeBase64url(payload);
  if (!payloadBytes) throw new EnvelopeError('the payload is not base64url');
  const sig = decodeBase64url(signature);
  if (!sig || sig.length === 0) throw new EnvelopeError('the signature is not base64url');

  return {
    mediaType: MediaType.Jws,
    payload: payloadBytes,
    payloadContentType: h.cty,
    signingScheme,
    signingTime,
    ...(expiry ? { expiry } : {}),
    algorithm: alg,
    certificateChain,
    ...(agent !== undefined ? { signingAgent: agent } : {}),
    ...(timestampSignature ? { timestampSignature } : {}),
    signature: sig,
    signedBytes: Buffer.from(`${prot}.${payload}`, 'ascii'),
  };
}
