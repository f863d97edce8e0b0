import type { Certificate } from '../crypto/certificate.js';
import type { Descriptor } from '../oci/media-types.js';

export type SigningScheme = 'notary.x509' | 'notary.x509.signingAuthority';

/** A parsed signature envelope, independent of JWS or COSE. */
export interface EnvelopeContent {
  readonly mediaType: string;
  readonly payload: Buffer;
  readonly payloadContentType: string;
  readonly signingScheme: SigningScheme;
  /** signingTime (untrusted) or authenticSigningTime, per the scheme. */
  readonly signingTime: Date;
  readonly expiry?: Date;
  /** The JWS `alg` (or COSE alg, mapped to its JWS name). */
  readonly algorithm: string;
  readonly certificateChain: Certificate[];
  readonly signingAgent?: string;
  readonly timestampSignature?: Buffer;
  readonly signature: Buffer;
  /** The exact bytes the signature covers. */
  readonly signedBytes: Buffer;
}

export interface SignaturePayload {
  targetArtifact: Descriptor;
}

export class EnvelopeError extends Error {
  override readonly name = 'EnvelopeError';
}
