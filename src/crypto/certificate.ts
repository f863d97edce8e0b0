import { X509Certificate as NodeX509, createHash, type KeyObject } from 'node:crypto';
import { NotarySignError } from '../errors.js';
import { keySpecOf, type KeySpec } from './key-spec.js';
import {
  basicConstraintsOf,
  crlUrlsOf,
  extendedKeyUsagesOf,
  formatName,
  keyUsageFlags,
  ocspUrlsOf,
  parseCertificateFields,
  type CertificateFields,
  type Extension,
} from './x509-der.js';

/** KeyUsage bits (RFC 5280 4.2.1.3) as flags: bit n is 1 << n. */
export const KeyUsage = {
  digitalSignature: 1,
  nonRepudiation: 2,
  keyEncipherment: 4,
  dataEncipherment: 8,
  keyAgreement: 16,
  keyCertSign: 32,
  cRLSign: 64,
  encipherOnly: 128,
  decipherOnly: 256,
} as const;

/**
 * A certificate parsed once: Node's (OpenSSL) for signatures and keys, asn1js for the names, times and
 * extensions Node does not expose (key usage bits, criticality). No X.509 library loads for this: the sign and
 * verify paths pay only for Node's parser and asn1js.
 */
export class Certificate {
  readonly der: Buffer;
  readonly node: NodeX509;
  /** Decoded up front: a certificate whose key cannot be decoded is not a certificate. */
  readonly publicKey: KeyObject;
  /** SHA-256 of the DER, lowercase hex, as notation writes it in the thumbprint annotation. */
  readonly thumbprint: string;
  private readonly fields: CertificateFields;

  constructor(der: Uint8Array) {
    this.der = Buffer.from(der);
    this.thumbprint = createHash('sha256').update(this.der).digest('hex');
    // The same certificate recurs in every signature of a chain and in the trust store: parse each once per run.
    const parsed = PARSED.get(this.thumbprint) ?? parse(this.der);
    if (PARSED.size >= CACHE_LIMIT) PARSED.clear();
    PARSED.set(this.thumbprint, parsed);
    ({ node: this.node, fields: this.fields, publicKey: this.publicKey } = parsed);
  }

  get subject(): string {
    return formatName(this.fields.subject);
  }
  get notBefore(): Date {
    return this.fields.notBefore;
  }
  get notAfter(): Date {
    return this.fields.notAfter;
  }
  /** The OID of the algorithm this certificate was signed with. */
  get signatureAlgorithmOid(): string {
    return this.fields.signatureAlgorithmOid;
  }
  get keySpec(): { spec: KeySpec } | { problem: string } {
    return keySpecOf(this.publicKey);
  }
  /** The subject's RDNs in order, each a list of attributes (short names such as C, ST, O, CN, else the OID). */
  subjectRdns(): { type: string; value: string }[][] {
    // Attributes of one type within an RDN come together, as @peculiar/x509's toJSON grouped them.
    return this.fields.subject.map((rdn) => [...new Set(rdn.map((a) => a.type))].flatMap((type) => rdn.filter((a) => a.type === type)));
  }

  private extension(oid: string): Extension | undefined {
    return this.fields.extensions.find((e) => e.oid === oid);
  }

  /** Each parsed only when asked for: a malformed value is a malformed certificate. */
  private read<T>(oid: string, parse: (value: Buffer) => T): { value: T; critical: boolean } | undefined {
    const ext = this.extension(oid);
    if (!ext) return undefined;
    try {
      return { value: parse(ext.value), critical: ext.critical };
    } catch {
      throw new NotarySignError('INPUT', `certificate "${this.subject}" has a malformed extension ${oid}`);
    }
  }

  basicConstraints(): { ca: boolean; pathLength?: number; critical: boolean } | undefined {
    const bc = this.read(OID.basicConstraints, basicConstraintsOf);
    return bc && { ...bc.value, critical: bc.critical };
  }
  /** KeyUsage flags (see `KeyUsage`). */
  keyUsage(): { flags: number; critical: boolean } | undefined {
    const ku = this.read(OID.keyUsage, keyUsageFlags);
    return ku && { flags: ku.value, critical: ku.critical };
  }
  extendedKeyUsage(): { usages: string[]; critical: boolean } | undefined {
    const eku = this.read(OID.extKeyUsage, extendedKeyUsagesOf);
    return eku && { usages: eku.value, critical: eku.critical };
  }

  hasRevocationEndpoints(): boolean {
    return this.ocspUrls().length > 0 || this.crlUrls().length > 0;
  }

  /** OCSP responder URLs of the authority information access extension (RFC 5280 4.2.2.1), in order. */
  ocspUrls(): string[] {
    return this.read(OID.authorityInfoAccess, ocspUrlsOf)?.value ?? [];
  }

  /** URIs of the CRL distribution points (RFC 5280 4.2.1.13), in order; other name forms are not fetchable. */
  crlUrls(): string[] {
    return this.read(OID.crlDistributionPoints, crlUrlsOf)?.value ?? [];
  }

  /** The serial number as lowercase hex without leading zeros (how CRL entries and OCSP answers are matched). */
  get serial(): string {
    return serialHex(this.node.serialNumber);
  }

  /** DER of the issuer and subject names (for OCSP CertIDs and CRL issuer matching). */
  get issuerNameDer(): Buffer {
    return this.fields.issuerDer;
  }
  get subjectNameDer(): Buffer {
    return this.fields.subjectDer;
  }

  /** Extended key usages named, e.g. id-kp-OCSPSigning for a delegated OCSP responder. */
  extendedKeyUsages(): string[] {
    return this.extendedKeyUsage()?.usages ?? [];
  }

  /** Whether `issuer`'s subject is this certificate's issuer name (names only, no signature check). */
  namesIssuer(issuer: Certificate): boolean {
    return this.fields.issuerDer.equals(issuer.fields.subjectDer);
  }
  /**
   * Issued by `issuer` as notation decides it: the issuer's subject is this
   * certificate's issuer name, byte for byte, and its key verifies our
   * signature. (OpenSSL's checkIssued would also demand keyCertSign, which a
   * self-signed signing certificate lacks.)
   */
  isIssuedBy(issuer: Certificate): boolean {
    // A pure function of the two DERs, so remembered by their digests (verify-base checks one chain per image).
    const key = `${this.thumbprint}>${issuer.thumbprint}`;
    let issued = ISSUED.get(key);
    if (issued === undefined) {
      try {
        issued = this.namesIssuer(issuer) && this.node.verify(issuer.publicKey);
      } catch {
        issued = false;
      }
      if (ISSUED.size >= CACHE_LIMIT) ISSUED.clear();
      ISSUED.set(key, issued);
    }
    return issued;
  }
  isSelfSigned(): boolean {
    return this.isIssuedBy(this);
  }
  validAt(time: Date): boolean {
    return time >= this.notBefore && time <= this.notAfter;
  }
  equals(other: Certificate): boolean {
    return this.der.equals(other.der);
  }
  toPem(): string {
    return this.node.toString();
  }
}

interface Parsed {
  node: NodeX509;
  fields: CertificateFields;
  publicKey: KeyObject;
}

// Bounded: hostile input can name any number of distinct certificates.
const CACHE_LIMIT = 1024;
const PARSED = new Map<string, Parsed>();
const ISSUED = new Map<string, boolean>();

function parse(der: Buffer): Parsed {
  // One DER SEQUENCE and nothing after it: the parsers below would ignore trailing bytes.
  if (derLength(der) !== der.length) throw new Error('the certificate is not exactly one DER structure (trailing or missing bytes)');
  const node = new NodeX509(der);
  const fields = parseCertificateFields(der);
  // RFC 5280 4.2: "A certificate MUST NOT include more than one instance of a particular extension";
  // Go's x509 (and so notation) refuses to parse one that does, and two key usages could each tell a verifier something else.
  const seen = new Set<string>();
  for (const { oid } of fields.extensions) {
    if (seen.has(oid)) throw new Error(`the certificate has extension ${oid} more than once (RFC 5280 4.2 forbids it)`);
    seen.add(oid);
  }
  if (Number.isNaN(fields.notBefore.getTime()) || Number.isNaN(fields.notAfter.getTime()))
    throw new Error('the certificate validity period is malformed');
  return { node, fields, publicKey: node.publicKey };
}

/** Total length of the DER element at the start of `buf` (tag, length, content), or -1. */
function derLength(buf: Buffer): number {
  if (buf.length < 2 || buf[0] !== 0x30) return -1;
  const first = buf[1]!;
  if (first < 0x80) return 2 + first;
  const n = first & 0x7f;
  if (n === 0 || n > 4 || buf.length < 2 + n) return -1;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + buf[2 + i]!;
  return 2 + n + len;
}

/** A serial number as lowercase hex without leading zeros, however it was written (Node, a CRL entry, a CertID). */
export const serialHex = (hex: string): string => hex.toLowerCase().replace(/^0+(?=.)/, '');

export const OID = {
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
  extKeyUsage: '2.5.29.37',
  crlDistributionPoints: '2.5.29.31',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  ekuAny: '2.5.29.37.0',
  ekuServerAuth: '1.3.6.1.5.5.7.3.1',
  ekuClientAuth: '1.3.6.1.5.5.7.3.2',
  ekuCodeSigning: '1.3.6.1.5.5.7.3.3',
  ekuEmailProtection: '1.3.6.1.5.5.7.3.4',
  ekuTimeStamping: '1.3.6.1.5.5.7.3.8',
  ekuOcspSigning: '1.3.6.1.5.5.7.3.9',
} as const;

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** Certificates from PEM text (any number of blocks) or a single DER blob. */
export function parseCertificates(data: Uint8Array | string, source: string): Certificate[] {
  const text = typeof data === 'string' ? data : Buffer.from(data).toString('latin1');
  const certs: Certificate[] = [];
  try {
    if (text.includes('-----BEGIN')) {
      for (const m of text.matchAll(PEM_BLOCK)) {
        if (m[1] !== 'CERTIFICATE') continue;
        certs.push(new Certificate(Buffer.from(m[2]!.replace(/\s+/g, ''), 'base64')));
      }
    } else if (text.length > 0) {
      certs.push(new Certificate(typeof data === 'string' ? Buffer.from(data, 'latin1') : data));
    }
  } catch (err) {
    if (!text.includes('-----BEGIN'))
      throw new NotarySignError('INPUT', `${source} is neither PEM (no -----BEGIN CERTIFICATE----- line) nor a DER certificate`);
    throw new NotarySignError('INPUT', `${source} holds a certificate that cannot be parsed: ${(err as Error).message}`);
  }
  if (certs.length === 0) {
    const labels = [...new Set([...text.matchAll(PEM_BLOCK)].map((m) => m[1]))];
    throw new NotarySignError(
      'INPUT',
      labels.length > 0
        ? `${source} holds ${labels.join(', ')} but no CERTIFICATE block; expected the PEM certificates, signing certificate first`
        : `${source} contains no certificate (expected PEM "CERTIFICATE" blocks or DER)`,
    );
  }
  return certs;
}

const LEAF_FORBIDDEN_USAGES: [number, string][] = [
  [KeyUsage.keyEncipherment, 'KeyEncipherment'],
  [KeyUsage.dataEncipherment, 'DataEncipherment'],
  [KeyUsage.keyAgreement, 'KeyAgreement'],
  [KeyUsage.keyCertSign, 'CertSign'],
  [KeyUsage.cRLSign, 'CRLSign'],
  [KeyUsage.encipherOnly, 'EncipherOnly'],
  [KeyUsage.decipherOnly, 'DecipherOnly'],
];

const FORBIDDEN_CODE_SIGNING_EKUS: [string, string][] = [
  [OID.ekuAny, 'Any'],
  [OID.ekuServerAuth, 'ServerAuth'],
  [OID.ekuClientAuth, 'ClientAuth'],
  [OID.ekuEmailProtection, 'EmailProtection'],
  [OID.ekuOcspSigning, 'OCSPSigning'],
  [OID.ekuTimeStamping, 'TimeStamping'],
];

const validity = (c: Certificate) => `(valid from ${c.notBefore.toISOString()} to ${c.notAfter.toISOString()})`;

// Signature algorithms no certificate of a signing or timestamping chain may use (signature specification,
// "Other requirements": no SHA-1 or MD5).
const WEAK_SIGNATURE_ALGORITHMS: Record<string, string> = {
  '1.2.840.113549.1.1.2': 'MD2 with RSA',
  '1.2.840.113549.1.1.4': 'MD5 with RSA',
  '1.2.840.113549.1.1.5': 'SHA-1 with RSA',
  '1.2.840.10045.4.1': 'ECDSA with SHA-1',
  '1.2.840.10040.4.3': 'DSA with SHA-1',
  '1.3.14.3.2.29': 'SHA-1 with RSA (OIW)',
};

/** The name of a SHA-1 or MD5 signature algorithm, or undefined for any other OID. */
export const weakSignatureAlgorithm = (oid: string): string | undefined => WEAK_SIGNATURE_ALGORITHMS[oid];

/** A certificate of the chain signed with MD5 or SHA-1, named; undefined when there is none. */
function weakSignatureProblem(chain: Certificate[]): string | undefined {
  for (const cert of chain) {
    const weak = weakSignatureAlgorithm(cert.signatureAlgorithmOid);
    if (weak) return `certificate "${cert.subject}" is signed with ${weak}, which the Notary Project does not accept (no SHA-1 or MD5)`;
  }
  return undefined;
}

/**
 * The Notary Project certificate requirements for a code-signing chain
 * (signature specification, "Certificate Requirements"), checked in the order
 * notation checks them. Returns the first violation, or undefined.
 */
export function codeSigningChainProblem(chain: Certificate[], signingTime?: Date): string | undefined {
  return chainProblem(chain, { at: signingTime && { time: signingTime, name: 'signing time' }, leaf: codeSigningLeafProblem });
}

/**
 * The same requirements for a TSA chain, leaf first and ending with its root (notation-core-go
 * `ValidateTimestampingCertChain`): the leaf is a timestamping certificate, every certificate valid at `genTime`.
 */
export function timestampingChainProblem(chain: Certificate[], genTime: Date): string | undefined {
  return chainProblem(chain, { at: { time: genTime, name: 'timestamp time' }, leaf: timestampingLeafProblem });
}

function chainProblem(
  chain: Certificate[],
  { at, leaf: leafProblem }: { at: { time: Date; name: string } | undefined; leaf: (cert: Certificate) => string | undefined },
): string | undefined {
  if (chain.length === 0) return 'the certificate chain is empty';
  const weak = weakSignatureProblem(chain);
  if (weak) return weak;
  const timeProblem = (c: Certificate): string | undefined =>
    at && !c.validAt(at.time)
      ? `certificate "${c.subject}" was not valid at ${at.name} ${at.time.toISOString()} ${validity(c)}`
      : undefined;

  if (chain.length === 1) {
    const leaf = chain[0]!;
    if (!leaf.isSelfSigned()) {
      return (
        `certificate "${leaf.subject}" is alone in the chain but not self-signed: ` +
        `include its issuing certificates, leaf first, ending with the root`
      );
    }
    return timeProblem(leaf) ?? leafProblem(leaf);
  }
  for (const [i, cert] of chain.entries()) {
    const t = timeProblem(cert);
    if (t) return t;
    if (i === chain.length - 1) {
      if (!cert.isSelfSigned())
        return `the last certificate "${cert.subject}" is not a self-signed root: the chain must be leaf first and end with its root`;
    } else {
      if (cert.isSelfSigned()) {
        return i === 0
          ? `leaf certificate "${cert.subject}" is self-signed but followed by other certificates`
          : `intermediate certificate "${cert.subject}" is self-signed`;
      }
      const parent = chain[i + 1]!;
      if (!cert.isIssuedBy(parent)) {
        return (
          `certificate "${cert.subject}" is not issued by the next certificate in the chain, ` +
          `"${parent.subject}": order the chain leaf first, then each issuer`
        );
      }
    }
    const p = i === 0 ? leafProblem(cert) : caProblem(cert, i - 1);
    if (p) return p;
  }
  return undefined;
}

/** Basic constraints and key usage of a leaf, as notation-core-go checks both signing and TSA leaves. */
function leafUsageProblem(cert: Certificate, role: string): string | undefined {
  if (cert.basicConstraints()?.ca)
    return `${role} "${cert.subject}" is a CA certificate (basicConstraints CA=true); a ${role} must not be a CA`;
  const ku = cert.keyUsage();
  if (!ku) return `${role} "${cert.subject}" has no key usage extension; it must have a critical keyUsage of digitalSignature`;
  if (!ku.critical) return `${role} "${cert.subject}" has a key usage extension that is not marked critical`;
  if (!(ku.flags & KeyUsage.digitalSignature)) return `${role} "${cert.subject}" key usage lacks digitalSignature`;
  const extra = LEAF_FORBIDDEN_USAGES.filter(([flag]) => ku.flags & flag).map(([, name]) => name);
  if (extra.length > 0) return `${role} "${cert.subject}" key usage must be digitalSignature only, but also has ${extra.join(', ')}`;
  return undefined;
}

function keyProblem(cert: Certificate, role: string): string | undefined {
  const spec = cert.keySpec;
  return 'problem' in spec ? `${role} "${cert.subject}" has an unsupported ${spec.problem}` : undefined;
}

function codeSigningLeafProblem(cert: Certificate): string | undefined {
  const usage = leafUsageProblem(cert, 'signing certificate');
  if (usage) return usage;
  const eku = cert.extendedKeyUsage();
  if (eku) {
    for (const usage of eku.usages) {
      const bad = FORBIDDEN_CODE_SIGNING_EKUS.find(([oid]) => oid === usage);
      // The specification forbids anyExtendedKeyUsage outright; notation v1.3.2 accepts it (README, "Differences from notation").
      if (bad?.[0] === OID.ekuAny) return anyEkuProblem(cert);
      if (bad) return `signing certificate "${cert.subject}" extended key usage must not contain ${bad[1]}`;
    }
  }
  return keyProblem(cert, 'signing certificate');
}

// RFC 3161 2.3: exactly one extended key usage, timeStamping, in a critical extension.
function timestampingLeafProblem(cert: Certificate): string | undefined {
  const usage = leafUsageProblem(cert, 'TSA certificate');
  if (usage) return usage;
  const eku = cert.extendedKeyUsage();
  if (!eku || !eku.critical || eku.usages.length !== 1 || eku.usages[0] !== OID.ekuTimeStamping) {
    return `TSA certificate "${cert.subject}" must have a critical extended key usage of timeStamping only`;
  }
  return keyProblem(cert, 'TSA certificate');
}

const anyEkuProblem = (cert: Certificate) =>
  `signing certificate "${cert.subject}" has extended key usage anyExtendedKeyUsage, which the Notary Project signature ` +
  `specification ("Certificate Requirements") forbids for signing certificates; issue it with codeSigning only`;

function caProblem(cert: Certificate, expectedPathLen: number): string | undefined {
  const bc = cert.basicConstraints();
  if (!bc?.ca) return `CA certificate "${cert.subject}" must have basicConstraints CA=true`;
  // The signature specification says "MUST be marked as critical"; notation (Go's x509) does not check it.
  if (!bc.critical)
    return (
      `CA certificate "${cert.subject}" has a basicConstraints extension that is not marked critical, ` +
      `as the signature specification requires`
    );
  if (bc.pathLength !== undefined && bc.pathLength < expectedPathLen) {
    return `CA certificate "${cert.subject}" has path length ${bc.pathLength} but ${expectedPathLen} is needed`;
  }
  const ku = cert.keyUsage();
  if (!ku) return `CA certificate "${cert.subject}" has no key usage extension`;
  if (!ku.critical) return `CA certificate "${cert.subject}" has a key usage extension that is not marked critical`;
  if (!(ku.flags & KeyUsage.keyCertSign)) return `CA certificate "${cert.subject}" key usage lacks keyCertSign`;
  return undefined;
}
