import { EnvelopeError, type SigningScheme } from './types.js';

/** Header names the Notary Project defines for both envelope formats. */
export const H = {
  signingScheme: 'io.cncf.notary.signingScheme',
  signingTime: 'io.cncf.notary.signingTime',
  authenticSigningTime: 'io.cncf.notary.authenticSigningTime',
  expiry: 'io.cncf.notary.expiry',
  verificationPlugin: 'io.cncf.notary.verificationPlugin',
  verificationPluginMinVersion: 'io.cncf.notary.verificationPluginMinVersion',
  signingAgent: 'io.cncf.notary.signingAgent',
  timestampSignature: 'io.cncf.notary.timestampSignature',
} as const;

const KNOWN_CRITICAL = new Set<string>([H.signingScheme, H.authenticSigningTime, H.expiry]);

/** A protected header, whatever its encoding (JSON object or CBOR map). */
export interface HeaderView {
  has(name: string): boolean;
  get(name: string): unknown;
}

export interface SignedAttributes {
  signingScheme: SigningScheme;
  signingTime: Date;
  expiry?: Date;
}

/**
 * The signed attributes, checked by one set of rules for JWS and COSE: a
 * known signing scheme; every critical header present and understood (an
 * unknown one, or a verification plugin, rejects the signature); the headers
 * the specification requires to be critical marked so; the time header the
 * scheme calls for, and only that one. `time` decodes the format's time value.
 */
export function signedAttributes(
  h: HeaderView,
  crit: readonly unknown[],
  time: { parse(v: unknown): Date | undefined; kind: string },
): SignedAttributes {
  const scheme = h.get(H.signingScheme);
  if (scheme !== 'notary.x509' && scheme !== 'notary.x509.signingAuthority')
    throw new EnvelopeError(`unsupported signing scheme ${JSON.stringify(scheme)}`);
  for (const name of crit) {
    if (typeof name !== 'string') throw new EnvelopeError(`critical header ${JSON.stringify(name)} is not a header name`);
    if (!h.has(name)) throw new EnvelopeError(`header "${name}" is marked critical but not present`);
    if (name === H.verificationPlugin || name === H.verificationPluginMinVersion) {
      throw new EnvelopeError(
        `the signature requires verification plugin ${JSON.stringify(h.get(H.verificationPlugin))}, which notary-sign does not run`,
      );
    }
    if (!KNOWN_CRITICAL.has(name))
      throw new EnvelopeError(`unknown critical header "${name}": notary-sign does not understand it, so the signature is rejected`);
  }
  const mustBeCritical = [
    H.signingScheme,
    ...(h.has(H.expiry) ? [H.expiry] : []),
    ...(scheme === 'notary.x509.signingAuthority' ? [H.authenticSigningTime] : []),
  ];
  for (const name of mustBeCritical) if (!crit.includes(name)) throw new EnvelopeError(`header "${name}" must be marked critical`);

  const [wanted, forbidden] = scheme === 'notary.x509' ? [H.signingTime, H.authenticSigningTime] : [H.authenticSigningTime, H.signingTime];
  if (h.has(forbidden)) throw new EnvelopeError(`"${forbidden}" must not be present for the ${scheme} scheme`);
  const signingTime = time.parse(h.get(wanted));
  if (!signingTime) throw new EnvelopeError(`"${wanted}" is missing or not ${time.kind}`);
  let expiry: Date | undefined;
  if (h.has(H.expiry)) {
    expiry = time.parse(h.get(H.expiry));
    if (!expiry) throw new EnvelopeError(`"${H.expiry}" is not ${time.kind}`);
  }
  return { signingScheme: scheme, signingTime, ...(expiry ? { expiry } : {}) };
}
