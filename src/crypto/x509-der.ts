import * as asn1js from 'asn1js';

/**
 * The parts of an X.509 certificate (RFC 5280 4.1) that Node's X509Certificate does not expose — names as
 * RDNs, the validity times, the signature algorithm and every extension with its criticality — read with
 * asn1js. Names print as @peculiar/x509 prints them (short names, RFC 4514 escaping), which the messages,
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

type Asn = asn1js.AsnType;

const fail = (what: string): never => {
  throw new Error(`the certificate is malformed: ${what}`);
};

function decode(bytes: Uint8Array, what: string): Asn {
  const parsed = asn1js.fromBER(bytes);
  if (parsed.offset === -1) fail(what);
  return parsed.result;
}

const children = (el: Asn | undefined, what: string): Asn[] =>
  el instanceof asn1js.Sequence || el instanceof asn1js.Set || el instanceof asn1js.Constructed ? el.valueBlock.value : fail(what);
const raw = (el: Asn) => Buffer.from(el.valueBeforeDecodeView);
const isContext = (el: Asn | undefined, tag: number) => el?.idBlock.tagClass === 3 && el.idBlock.tagNumber === tag;
const oidOf = (el: Asn | undefined, what: string) => (el instanceof asn1js.ObjectIdentifier ? el.valueBlock.toString() : fail(what));
const timeOf = (el: Asn | undefined, what: string) =>
  el instanceof asn1js.UTCTime || el instanceof asn1js.GeneralizedTime ? el.toDate() : fail(what);

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
    notBefore: timeOf(notBefore, 'no notBefore'),
    notAfter: timeOf(notAfter, 'no notAfter'),
    signatureAlgorithmOid: oidOf(children(algorithm, 'no signatureAlgorithm')[0], 'no signature algorithm OID'),
    extensions: extensions ? children(children(extensions, 'extensions')[0], 'extensions').map(extensionOf) : [],
  };
}

// Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
function extensionOf(el: Asn): Extension {
  const parts = children(el, 'an extension');
  const critical = parts[1] instanceof asn1js.Boolean ? parts[1].valueBlock.value : false;
  const value = parts[parts.length - 1];
  if (!(value instanceof asn1js.OctetString)) return fail('an extension value');
  return { oid: oidOf(parts[0], 'an extension OID'), critical, value: Buffer.from(value.valueBlock.valueHexView) };
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
const TEXT_TAGS = new Set([12 /* UTF8 */, 19 /* Printable */, 20 /* Teletex */, 22 /* IA5 */, 28 /* Universal */, 30 /* BMP */]);

function rdnsOf(name: Asn): Rdn[] {
  return children(name, 'a name').map((rdn) =>
    children(rdn, 'an RDN').map((atv) => {
      const [type, value] = children(atv, 'an attribute');
      const oid = oidOf(type, 'an attribute type');
      if (!value) return fail('an attribute value');
      const text = value.idBlock.tagClass === 1 && TEXT_TAGS.has(value.idBlock.tagNumber);
      return {
        type: NAMES[oid] ?? oid,
        value: text ? String((value.valueBlock as unknown as { value: string }).value) : `#${raw(value).toString('hex')}`,
      };
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
  if (!(bits instanceof asn1js.BitString)) return fail('key usage');
  const bytes = bits.valueBlock.valueHexView;
  let flags = 0;
  for (let n = 0; n < Math.min(bytes.length * 8, 9); n++) if (bytes[n >> 3]! & (0x80 >> (n & 7))) flags |= 1 << n;
  return flags;
}

/** BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL } */
export function basicConstraintsOf(value: Buffer): { ca: boolean; pathLength?: number } {
  const parts = children(decode(value, 'basic constraints'), 'basic constraints');
  const ca = parts[0] instanceof asn1js.Boolean ? parts[0].valueBlock.value : false;
  const path = parts.find((p) => p instanceof asn1js.Integer);
  return { ca, ...(path ? { pathLength: path.valueBlock.valueDec } : {}) };
}

/** ExtKeyUsageSyntax ::= SEQUENCE OF KeyPurposeId */
export const extendedKeyUsagesOf = (value: Buffer): string[] =>
  children(decode(value, 'extended key usage'), 'extended key usage').map((p) => oidOf(p, 'a key purpose'));

// GeneralName uniformResourceIdentifier [6] IA5String (RFC 5280 4.2.1.6).
const uriOf = (name: Asn | undefined): string[] =>
  isContext(name, 6) && name instanceof asn1js.Primitive ? [Buffer.from(name.valueBlock.valueHexView).toString('latin1')] : [];

/** OCSP responder URLs of AuthorityInfoAccessSyntax (RFC 5280 4.2.2.1), in order. */
export const ocspUrlsOf = (value: Buffer): string[] =>
  children(decode(value, 'authority information access'), 'authority information access').flatMap((d) => {
    const [method, location] = children(d, 'an access description');
    return oidOf(method, 'an access method') === '1.3.6.1.5.5.7.48.1' ? uriOf(location) : [];
  });

/** URIs of the full names of CRLDistributionPoints (RFC 5280 4.2.1.13), in order. */
export const crlUrlsOf = (value: Buffer): string[] =>
  children(decode(value, 'CRL distribution points'), 'CRL distribution points').flatMap((dp) => {
    // DistributionPoint ::= SEQUENCE { distributionPoint [0] DistributionPointName OPTIONAL, … }; fullName [0] GeneralNames
    const name = children(dp, 'a distribution point').find((p) => isContext(p, 0));
    const full = name && children(name, 'a distribution point name').find((p) => isContext(p, 0));
    return full ? children(full, 'general names').flatMap(uriOf) : [];
  });
