import { childrenOf, isContext, isUniversal, oidOf, readTlv, smallIntegerOf, textOf, timeOf, UNIVERSAL, type Tlv } from './der.js';

/**
 * The parts of an X.509 certificate (RFC 5280 4.1) that Node's X509Certificate does not expose — names as
 * RDNs, the validity times, the signature algorithm and every extension with its criticality — read with
 * the DER reader. Names print as @peculiar/x509 prints them (short names, RFC 4514 escaping), which the messages,
 * trusted identities and the earlier releases use.
 */
export interface CertificateFields {
  issuerDer: Buffer;
  subjectDer: Buffer;
  subject: Rdn[];
  notBefore: Date;
  notAfter: Date;
  signatureAlgorithmOid: string;
  extensions: Extension[];
}

export type Rdn = { type: string; value: string }[];

export interface Extension {
  oid: string;
  critical: boolean;
  /** The extnValue OCTET STRING's content: the extension's own DER. */
  value: Buffer;
}

const fail = (what: string): never => {
  throw new Error(`the certificate is malformed: ${what}`);
};

function decode(bytes: Uint8Array, what: string): Tlv {
  try {
    return readTlv(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch {
    return fail(what);
  }
}

const children = (el: Tlv | undefined, what: string): Tlv[] => {
  if (!el?.constructed) return fail(what);
  try {
    return childrenOf(el);
  } catch {
    return fail(what);
  }
};
const raw = (el: Tlv) => Buffer.from(el.bytes);
const oid = (el: Tlv | undefined, what: string) => (isUniversal(el, UNIVERSAL.oid) ? oidOf(el) : fail(what));
const time = (el: Tlv | undefined, what: string) =>
  isUniversal(el, UNIVERSAL.utcTime) || isUniversal(el, UNIVERSAL.generalizedTime) ? timeOf(el) : fail(what);
const bool = (el: Tlv | undefined) => (isUniversal(el, UNIVERSAL.boolean) ? el.content[0] !== 0 : undefined);

export function parseCertificateFields(der: Uint8Array): CertificateFields {
  // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }
  const [tbs, algorithm] = children(decode(der, 'not DER'), 'not a SEQUENCE');
  const fields = children(tbs, 'no tbsCertificate');
  // TBSCertificate ::= SEQUENCE { [0] version OPTIONAL, serialNumber, signature, issuer, validity, subject, spki, … [3] extensions }
  const offset = isContext(fields[0], 0) ? 1 : 0;
  const [, , issuer, validity, subject] = fields.slice(offset);
  const [notBefore, notAfter] = children(validity, 'no validity');
  const extensions = fields.slice(offset + 6).find((f) => isContext(f, 3));
  return {
    issuerDer: raw(issuer ?? fail('no issuer')),
    subjectDer: raw(subject ?? fail('no subject')),
    subject: rdnsOf(subject!),
    notBefore: time(notBefore, 'no notBefore'),
    notAfter: time(notAfter, 'no notAfter'),
    signatureAlgorithmOid: oid(children(algorithm, 'no signatureAlgorithm')[0], 'no signature algorithm OID'),
    extensions: extensions ? children(children(extensions, 'extensions')[0], 'extensions').map(extensionOf) : [],
  };
}

// Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
function extensionOf(el: Tlv): Extension {
  const parts = children(el, 'an extension');
  const value = parts[parts.length - 1];
  if (!isUniversal(value, UNIVERSAL.octetString)) return fail('an extension value');
  return { oid: oid(parts[0], 'an extension OID'), critical: bool(parts[1]) ?? false, value: Buffer.from(value.content) };
}

// The short names @peculiar/x509 gives attribute types; others print as their OID.
const NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.6': 'C',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'E',
  '2.5.4.42': 'G',
  '2.5.4.43': 'I',
  '2.5.4.4': 'SN',
  '2.5.4.12': 'T',
};
// DirectoryString (RFC 5280 4.1.2.4) and IA5String read as text; any other value prints as #<hex of its DER>.
function rdnsOf(name: Tlv): Rdn[] {
  return children(name, 'a name').map((rdn) =>
    children(rdn, 'an RDN').map((atv) => {
      const [type, value] = children(atv, 'an attribute');
      const id = oid(type, 'an attribute type');
      if (!value) return fail('an attribute value');
      const text = textOf(value);
      return { type: NAMES[id] ?? id, value: text ?? `#${raw(value).toString('hex')}` };
    }),
  );
}

/** A name as @peculiar/x509 writes it: RDNs joined with ", ", attributes with "+", values escaped (RFC 4514). */
export function formatName(rdns: Rdn[]): string {
  return rdns.map((rdn) => rdn.map(({ type, value }) => `${type}=${value.startsWith('#') ? value : escape(value)}`).join('+')).join(', ');
}

function escape(value: string): string {
  return value
    .replace(/([,+"\\<>;])/g, '\\$1')
    .replace(/^([ #])/, '\\$1')
    .replace(/([ ]$)/, '\\$1')
    .replace(/([\r\n\t])/, (c) => `\\${Buffer.from(c).toString('hex').toUpperCase()}`);
}

/** KeyUsage BIT STRING (RFC 5280 4.2.1.3) as flags: bit n (digitalSignature is 0) is 1 << n. */
export function keyUsageFlags(value: Buffer): number {
  const bits = decode(value, 'key usage');
  if (!isUniversal(bits, UNIVERSAL.bitString)) return fail('key usage');
  const bytes = bits.content.subarray(1); // after the unused-bits count
  let flags = 0;
  for (let n = 0; n < Math.min(bytes.length * 8, 9); n++) if (bytes[n >> 3]! & (0x80 >> (n & 7))) flags |= 1 << n;
  return flags;
}

/** BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL } */
export function basicConstraintsOf(value: Buffer): { ca: boolean; pathLength?: number } {
  const parts = children(decode(value, 'basic constraints'), 'basic constraints');
  const path = parts.find((p) => isUniversal(p, UNIVERSAL.integer));
  return { ca: bool(parts[0]) ?? false, ...(path ? { pathLength: smallIntegerOf(path) } : {}) };
}

/** ExtKeyUsageSyntax ::= SEQUENCE OF KeyPurposeId */
export const extendedKeyUsagesOf = (value: Buffer): string[] =>
  children(decode(value, 'extended key usage'), 'extended key usage').map((p) => oid(p, 'a key purpose'));

// GeneralName uniformResourceIdentifier [6] IA5String (RFC 5280 4.2.1.6).
const uriOf = (name: Tlv | undefined): string[] => (isContext(name, 6) && !name.constructed ? [name.content.toString('latin1')] : []);

/** OCSP responder URLs of AuthorityInfoAccessSyntax (RFC 5280 4.2.2.1), in order. */
export const ocspUrlsOf = (value: Buffer): string[] =>
  children(decode(value, 'authority information access'), 'authority information access').flatMap((d) => {
    const [method, location] = children(d, 'an access description');
    return oid(method, 'an access method') === '1.3.6.1.5.5.7.48.1' ? uriOf(location) : [];
  });

/** URIs of the full names of CRLDistributionPoints (RFC 5280 4.2.1.13), in order. */
export const crlUrlsOf = (value: Buffer): string[] =>
  children(decode(value, 'CRL distribution points'), 'CRL distribution points').flatMap((dp) => {
    // DistributionPoint ::= SEQUENCE { distributionPoint [0] DistributionPointName OPTIONAL, … }; fullName [0] GeneralNames
    const name = children(dp, 'a distribution point').find((p) => isContext(p, 0));
    const full = name && children(name, 'a distribution point name').find((p) => isContext(p, 0));
    return full ? children(full, 'general names').flatMap(uriOf) : [];
  });
