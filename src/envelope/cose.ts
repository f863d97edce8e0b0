import type { Encoder, Tag } from 'cbor-x';
import { strictCborProblem, textKey, topLevelValueTags } from './cbor-strict.js';
import { MediaType } from '../oci/media-types.js';
import { Certificate } from '../crypto/certificate.js';
import { jwsAlgorithm } from '../crypto/key-spec.js';
import type { SignOptions } from './jws.js';
import { EnvelopeError, type EnvelopeContent } from './types.js';
import { H, signedAttributes } from './attributes.js';

/**
 * The Notary Project COSE_Sign1_Tagged envelope (media type application/cose):
 * protected {1: alg, 2: crit, 3: cty, signing scheme and times as tag-1 epoch
 * seconds}, unprotected {33: x5chain, signing agent}, signature over the
 * Sig_structure ["Signature1", protected, h'', payload].
 */
let cborX: { encoder: Encoder; Tag: typeof Tag } | undefined;

/** cbor-x, loaded on first use (loadEnvelopeFormat calls this before any COSE envelope is read). */
export async function loadCbor(): Promise<void> {
  if (cborX) return;
  const { Encoder: CborEncoder, Tag: CborTag } = await import('cbor-x');
  cborX = {
    encoder: new CborEncoder({ useRecords: false, mapsAsObjects: false, tagUint8Array: false, variableMapSize: true }),
    Tag: CborTag,
  };
}

function cbor(): NonNullable<typeof cborX> {
  if (!cborX) throw new Error('COSE used before loadCbor()');
  return cborX;
}

const COSE_ALG: Record<string, number> = { PS256: -37, PS384: -38, PS512: -39, ES256: -7, ES384: -35, ES512: -36 };
const ALG_NAME = new Map(Object.entries(COSE_ALG).map(([k, v]) => [v, k]));
const LABEL = { alg: 1, crit: 2, cty: 3, x5chain: 33 } as const;
const epoch = (d: Date) => new (cbor().Tag)(Math.floor(d.getTime() / 1000), 1);

const sigStructure = (protectedBytes: Uint8Array, payload: Uint8Array): Buffer =>
  Buffer.from(cbor().encoder.encode(['Signature1', Buffer.from(protectedBytes), Buffer.alloc(0), Buffer.from(payload)]));

export async function signCose(opts: SignOptions): Promise<Buffer> {
  await loadCbor();
  const alg = COSE_ALG[jwsAlgorithm(opts.signer.keySpec)]!;
  const protectedHeader = new Map<number | string, unknown>([
    [LABEL.alg, alg],
    [LABEL.crit, [H.signingScheme, ...(opts.expiry ? [H.expiry] : [])]],
    [LABEL.cty, MediaType.NotaryPayload],
    [H.signingScheme, 'notary.x509'],
    [H.signingTime, epoch(opts.signingTime)],
    ...(opts.expiry ? ([[H.expiry, epoch(opts.expiry)]] as [string, unknown][]) : []),
  ]);
  const protectedBytes = Buffer.from(cbor().encoder.encode(protectedHeader));
  const payload = Buffer.from(opts.payload);
  const signature = Buffer.from(await opts.signer.sign(sigStructure(protectedBytes, payload)));
  const chain = await opts.signer.certificateChain();
  const token = opts.timestamp ? await opts.timestamp(signature) : undefined;
  const unprotected = new Map<number | string, unknown>([
    [LABEL.x5chain, chain.map((c) => c.der)],
    [H.signingAgent, opts.signingAgent],
    ...(token ? ([[H.timestampSignature, token]] as [string, unknown][]) : []),
  ]);
  return Buffer.from(cbor().encoder.encode(new (cbor().Tag)([protectedBytes, unprotected, payload, signature], 18)));
}

const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;
const asDate = (v: unknown): Date | undefined => (v instanceof Date && !Number.isNaN(v.getTime()) ? v : undefined);

/** Parse and structurally validate a COSE envelope, with the same rules as JWS. */
export function parseCose(bytes: Uint8Array): EnvelopeContent {
  const malformed = strictCborProblem(bytes, 'the COSE envelope');
  if (malformed) throw new EnvelopeError(malformed);
  let top: unknown;
  try {
    top = cbor().encoder.decode(Buffer.from(bytes));
  } catch {
    throw new EnvelopeError('the COSE envelope is not valid CBOR');
  }
  if (!(top instanceof cbor().Tag) || top.tag !== 18)
    throw new EnvelopeError('the COSE envelope is not a COSE_Sign1_Tagged (tag 18) object');
  const arr = top.value as unknown;
  if (!Array.isArray(arr) || arr.length !== 4) throw new EnvelopeError('COSE_Sign1 must be an array of 4 items');
  const [protectedBytes, unprotected, payload, signature] = arr as unknown[];
  if (!isBytes(protectedBytes) || !isBytes(payload) || !isBytes(signature) || signature.length === 0) {
    throw new EnvelopeError(
      'COSE_Sign1 protected header, payload and signature must be byte strings (detached payloads are not supported)',
    );
  }
  if (!(unprotected instanceof Map)) throw new EnvelopeError('the COSE unprotected header must be a map');
  const malformedHeader = strictCborProblem(protectedBytes, 'the COSE protected header');
  if (malformedHeader) throw new EnvelopeError(malformedHeader);
  let h: unknown;
  try {
    h = cbor().encoder.decode(Buffer.from(protectedBytes));
  } catch {
    throw new EnvelopeError('the COSE protected header is not valid CBOR');
  }
  if (!(h instanceof Map)) throw new EnvelopeError('the COSE protected header must be a map');
  const header: Map<unknown, unknown> = h;
  const unprotectedHeader: Map<unknown, unknown> = unprotected;

  const alg = ALG_NAME.get(header.get(LABEL.alg) as number);
  if (!alg)
    throw new EnvelopeError(
      `COSE algorithm ${JSON.stringify(header.get(LABEL.alg))} is not allowed (allowed: ${[...ALG_NAME.keys()].join(', ')})`,
    );
  if (header.get(LABEL.cty) !== MediaType.NotaryPayload)
    throw new EnvelopeError(`the COSE content type is ${JSON.stringify(header.get(LABEL.cty))}, expected "${MediaType.NotaryPayload}"`);
  const crit = header.get(LABEL.crit);
  if (!Array.isArray(crit) || crit.length === 0) throw new EnvelopeError('the COSE crit header must be a non-empty list');
  for (const label of crit as unknown[]) {
    if (typeof label === 'number' && label >= 0 && label <= 8)
      throw new EnvelopeError(`crit must not list the common header label ${label}`);
  }
  // RFC 9052 3: alg and crit belong in the protected bucket, and no label may sit in both buckets.
  for (const label of [LABEL.alg, LABEL.crit]) {
    if (unprotectedHeader.has(label))
      throw new EnvelopeError(`the COSE unprotected header carries label ${label}, which must be protected`);
  }
  const both = [...unprotectedHeader.keys()].find((label) => header.has(label));
  if (both !== undefined)
    throw new EnvelopeError(`the COSE header label ${JSON.stringify(both)} is in both the protected and unprotected buckets`);
  // COSE envelope specification: signing time and expiry are tag 1 (epoch-based) date/times, never tag 0 strings.
  const tags = topLevelValueTags(protectedBytes);
  for (const name of [H.signingTime, H.expiry]) {
    const key = textKey(name);
    if (tags.has(key) && tags.get(key) !== 1)
      throw new EnvelopeError(`"${name}" must be a tag-1 date/time, not tag ${tags.get(key) ?? 'none'}`);
  }
  const view = { has: (name: string) => header.has(name), get: (name: string) => header.get(name) };
  const { signingScheme, signingTime, expiry } = signedAttributes(view, crit, { parse: asDate, kind: 'a tag-1 date/time' });

  const rawChain = header.get(LABEL.x5chain) ?? unprotectedHeader.get(LABEL.x5chain);
  const chainItems = isBytes(rawChain) ? [rawChain] : rawChain;
  if (!Array.isArray(chainItems) || chainItems.length === 0) throw new EnvelopeError('the COSE envelope has no x5chain certificate chain');
  const certificateChain = chainItems.map((der, i) => {
    if (!isBytes(der)) throw new EnvelopeError(`x5chain[${i}] is not a byte string`);
    try {
      return new Certificate(der);
    } catch (err) {
      throw new EnvelopeError(`x5chain[${i}] is not a valid X.509 certificate: ${(err as Error).message}`);
    }
  });
  const agent = unprotectedHeader.get(H.signingAgent);
  if (agent !== undefined && typeof agent !== 'string') throw new EnvelopeError(`"${H.signingAgent}" must be a text string`);
  const ts = unprotectedHeader.get(H.timestampSignature);
  if (ts !== undefined && !isBytes(ts)) throw new EnvelopeError(`"${H.timestampSignature}" must be a byte string`);

  return {
    mediaType: MediaType.Cose,
    payload: Buffer.from(payload),
    payloadContentType: MediaType.NotaryPayload,
    signingScheme,
    signingTime,
    ...(expiry ? { expiry } : {}),
    algorithm: alg,
    certificateChain,
    ...(agent !== undefined ? { signingAgent: agent } : {}),
    ...(ts !== undefined ? { timestampSignature: Buffer.from(ts) } : {}),
    signature: Buffer.from(signature),
    signedBytes: sigStructure(protectedBytes, payload),
  };
}
