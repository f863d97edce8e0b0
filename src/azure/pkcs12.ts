import * as crypto from 'node:crypto';
import { createDecipheriv, createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type * as Asn1 from 'asn1js';
import { NotarySignError } from '../errors.js';
import { Certificate } from '../crypto/certificate.js';
import { loadAsn1js } from '../crypto/pkijs.js';

/**
 * The certificates of a PKCS#12 file (RFC 7292) as Key Vault stores a
 * certificate's secret (`application/x-pkcs12`, empty password). Key Vault
 * encrypts the bags with the legacy pbeWithSHA1And3-KeyTripleDES-CBC and
 * signs the file with a SHA-1 MAC: both are read with Node's crypto (the
 * PKCS#12 key derivation below, 3DES-CBC). Older Windows-made files use
 * pbeWithSHA1And40BitRC2-CBC, newer OpenSSL ones PBES2: node-forge's
 * password-based encryption reads those (OpenSSL 3 keeps RC2 in its legacy
 * provider, which Node does not load), and loads only for them. Only
 * certificate bags are read: key bags (shrouded or not) are never decrypted,
 * decoded or kept.
 */

const OID = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  certBag: '1.2.840.113549.1.12.10.1.3',
  pbeWithSha1And3KeyTripleDesCbc: '1.2.840.113549.1.12.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
} as const;
type Hash = 'sha1' | 'sha256' | 'sha384' | 'sha512';
const MAC_HASH: Record<string, Hash> = { [OID.sha1]: 'sha1', [OID.sha256]: 'sha256', [OID.sha384]: 'sha384', [OID.sha512]: 'sha512' };
/** Digest and block sizes in bytes: the u and v of RFC 7292 Appendix B.2. */
const HASH_SIZES: Record<Hash, { u: number; v: number }> = {
  sha1: { u: 20, v: 64 },
  sha256: { u: 32, v: 64 },
  sha384: { u: 48, v: 128 },
  sha512: { u: 64, v: 128 },
};
// Bounds against hostile files: Key Vault uses 2000 iterations and a handful of bags.
const MAX_ITERATIONS = 1_000_000;
const MAX_BAGS = 64;

/** What went wrong with the file, before it is phrased for the user. */
class Pkcs12Error extends Error {}

type Forge = typeof import('node-forge');
/** asn1js, loaded on first use and bound before any helper below runs. */
let asn1js: typeof Asn1;
/** node-forge's PBE entry point (not in its published types): a decipher for a PKCS#12 PBE or PBES2 algorithm. */
type PbeCipherFactory = (
  oid: string,
  params: import('node-forge').asn1.Asn1,
  password: string | null,
) => { update(data: unknown): void; finish(): boolean; output: import('node-forge').util.ByteStringBuffer };

/** What reads PKCS#12 (asn1js), loaded once; a caller that knows a file is on its way starts it while it travels. */
export function loadPkcs12Reader(): Promise<void> {
  return loadAsn1js().then((m) => void (asn1js = m));
}

let forgeLoaded: Promise<Forge> | undefined;
/** node-forge (~20 ms to load), for the algorithms Node's crypto lacks here. */
const loadForge = () => (forgeLoaded ??= import('node-forge').then((m) => m.default));

export async function extractPkcs12Certificates(
  pfxBytes: Buffer,
  { source, chainInput = 'certificate-chain' }: { source: string; chainInput?: string },
): Promise<Certificate[]> {
  await loadPkcs12Reader();
  let ders: Buffer[];
  try {
    ders = await readCertificateBags(pfxBytes);
  } catch (err) {
    const why = err instanceof Pkcs12Error ? err.message : `not a readable PKCS#12 file (${(err as Error).message})`;
    throw new NotarySignError('KEY', `${source}: ${why}; re-export it from Key Vault, or pass ${chainInput} (a PEM file)`);
  }
  if (ders.length === 0) throw new NotarySignError('KEY', `${source} holds no certificate`);
  return ders.map((d) => new Certificate(d));
}

async function readCertificateBags(pfxBytes: Buffer): Promise<Buffer[]> {
  const pfx = sequence(der(pfxBytes, 'PFX'), 'PFX');
  const [version, authSafe, macData] = pfx;
  if (!(version instanceof asn1js.Integer) || version.valueBlock.valueDec !== 3) throw new Pkcs12Error('not a PKCS#12 v3 file');
  const authSafeContent = contentInfo(authSafe, 'authSafe');
  if (authSafeContent.type !== OID.data) throw new Pkcs12Error('public-key integrity mode is not supported');
  const authSafeBytes = octets(authSafeContent.content, 'authSafe content');
  // Password integrity (RFC 7292 §5.1): verified when present, as OpenSSL does; Key Vault always includes it.
  // Without a MAC nothing says which empty-password encoding was used: try both when decrypting.
  const passwords = macData ? [verifyMac(macData, authSafeBytes)] : [null, ''];
  const certs: Buffer[] = [];
  let bags = 0;
  for (const item of sequence(der(authSafeBytes, 'AuthenticatedSafe'), 'AuthenticatedSafe')) {
    const info = contentInfo(item, 'AuthenticatedSafe entry');
    let safeContents: Uint8Array;
    if (info.type === OID.data) safeContents = octets(info.content, 'SafeContents');
    else if (info.type === OID.encryptedData) safeContents = await decryptEncryptedData(info.content, passwords);
    else throw new Pkcs12Error(`content type ${info.type} in the authenticated safe is not supported`);
    for (const bag of sequence(der(safeContents, 'SafeContents'), 'SafeContents')) {
      if (++bags > MAX_BAGS) throw new Pkcs12Error(`more than ${MAX_BAGS} bags`);
      const [bagId, bagValue] = sequence(bag, 'SafeBag');
      // Anything but a certificate bag (the private key above all) is passed over unread.
      if (!(bagId instanceof asn1js.ObjectIdentifier) || bagId.valueBlock.toString() !== OID.certBag) continue;
      const [certId, certValue] = sequence(explicit(bagValue, 'CertBag'), 'CertBag');
      if (!(certId instanceof asn1js.ObjectIdentifier) || certId.valueBlock.toString() !== OID.x509Certificate) continue;
      certs.push(Buffer.from(octets(explicit(certValue, 'certValue'), 'certificate')));
    }
  }
  return certs;
}

/**
 * The MAC over the authenticated safe, keyed with the PKCS#12 KDF (ID 3).
 * An empty password has two encodings in the wild (an empty BMPString with
 * its terminator, or no bytes at all); OpenSSL accepts either, so do we.
 * Key Vault's files use no bytes (the notation-azure-kv samples): tried first.
 * Returns the password that verified, for decrypting the bags.
 */
function verifyMac(macData: Asn1.AsnType, content: Uint8Array): string | null {
  const [digestInfo, macSalt, iterationsField] = sequence(macData, 'MacData');
  const [algorithm, digest] = sequence(digestInfo, 'DigestInfo');
  const [hashOid] = sequence(algorithm, 'MAC algorithm');
  const hash = hashOid instanceof asn1js.ObjectIdentifier ? MAC_HASH[hashOid.valueBlock.toString()] : undefined;
  if (!hash) throw new Pkcs12Error('its MAC uses an unsupported hash');
  const salt = octets(macSalt, 'MAC salt');
  const iterations = iterationsField === undefined ? 1 : integer(iterationsField, 'MAC iteration count');
  if (!(iterations >= 1 && iterations <= MAX_ITERATIONS)) throw new Pkcs12Error(`its MAC iteration count ${iterations} is out of bounds`);
  const expected = Buffer.from(octets(digest, 'MAC digest'));
  for (const password of [null, '']) {
    const key = pkcs12Key(hash, { password, salt, id: 3, iterations, size: HASH_SIZES[hash].u });
    const mac = createHmac(hash, key).update(content).digest();
    if (mac.length === expected.length && timingSafeEqual(mac, expected)) return password;
  }
  throw new Pkcs12Error('its MAC does not verify (the file is corrupt, or protected by a password)');
}

/**
 * The PKCS#12 key derivation (RFC 7292 Appendix B.2) on Node's hashes: `id` 1 for a key, 2 for an IV, 3 for a
 * MAC key. A password is its BMPString with the two-byte terminator; null is no bytes at all.
 */
export function pkcs12Key(
  hash: Hash,
  { password, salt, id, iterations, size }: { password: string | null; salt: Uint8Array; id: 1 | 2 | 3; iterations: number; size: number },
): Buffer {
  const { u, v } = HASH_SIZES[hash];
  const repeat = (bytes: Uint8Array, length: number) => {
    const out = Buffer.alloc(length);
    for (let i = 0; i < length; i++) out[i] = bytes[i % bytes.length]!;
    return out;
  };
  const pass = password === null ? Buffer.alloc(0) : Buffer.from(`${password}\0`, 'utf16le').swap16();
  const blocks = (bytes: Uint8Array) => v * Math.ceil(bytes.length / v);
  const I = Buffer.concat([repeat(salt, blocks(salt)), repeat(pass, blocks(pass))]);
  const diversifier = Buffer.alloc(v, id);
  const out: Buffer[] = [];
  for (let produced = 0; produced < size; produced += u) {
    let a: Buffer = createHash(hash).update(diversifier).update(I).digest();
    for (let r = 1; r < iterations; r++) a = digest(hash, a);
    out.push(a);
    // Each v-byte block of I becomes (I_j + B + 1) mod 2^(8v), B being A repeated to v bytes.
    const b = repeat(a, v);
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let l = v - 1; l >= 0; l--) {
        const x = I[j + l]! + b[l]! + carry;
        I[j + l] = x & 0xff;
        carry = x >> 8;
      }
    }
  }
  return Buffer.concat(out).subarray(0, size);
}

/** One hash of a short input: crypto.hash (Node 20.12+) is about three times as fast as a Hash object per call. */
const oneShot = typeof crypto.hash === 'function' ? crypto.hash : undefined;
const digest: (hash: Hash, data: Buffer) => Buffer = oneShot
  ? (hash, data) => oneShot(hash, data, 'buffer')
  : (hash, data) => createHash(hash).update(data).digest();

/** EncryptedData (RFC 5652 §8) holding certificate bags, decrypted with the file's PBE algorithm. */
async function decryptEncryptedData(encryptedData: Asn1.AsnType | undefined, passwords: (string | null)[]): Promise<Uint8Array> {
  const [, encryptedContentInfo] = sequence(encryptedData, 'EncryptedData');
  const [, algorithm, encrypted] = sequence(encryptedContentInfo, 'EncryptedContentInfo');
  const [oid, pbeParams] = sequence(algorithm, 'encryption algorithm');
  if (!(oid instanceof asn1js.ObjectIdentifier)) throw new Pkcs12Error('malformed encryption algorithm');
  const body = encrypted instanceof asn1js.Primitive || encrypted instanceof asn1js.Constructed ? implicitOctets(encrypted) : undefined;
  if (!body) throw new Pkcs12Error('the encrypted certificates are missing');
  if (oid.valueBlock.toString() === OID.pbeWithSha1And3KeyTripleDesCbc) return decryptTripleDes(pbeParams, body, passwords);
  const forge = await loadForge();
  // The iteration count sits in the PBE parameters; refuse absurd ones before deriving any key.
  const params = forge.asn1.fromDer(Buffer.from(algorithm!.toBER()).toString('binary')).value as import('node-forge').asn1.Asn1[];
  const getCipher = (forge.pki as unknown as { pbe: { getCipher: PbeCipherFactory } }).pbe.getCipher;
  const count = iterationCount(params[1]);
  if (count > MAX_ITERATIONS) throw new Pkcs12Error(`its encryption iteration count ${count} is out of bounds`);
  for (const password of passwords) {
    let cipher: ReturnType<PbeCipherFactory>;
    try {
      cipher = getCipher(oid.valueBlock.toString(), params[1]!, password);
    } catch {
      throw new Pkcs12Error(`its certificates are encrypted with ${oid.valueBlock.toString()}, which is not supported`);
    }
    cipher.update(forge.util.createBuffer(Buffer.from(body).toString('binary')));
    // A wrong key shows as bad padding, or as plaintext that is not DER.
    if (!cipher.finish()) continue;
    const plain = Buffer.from(cipher.output.getBytes(), 'binary');
    if (asn1js.fromBER(new Uint8Array(plain).buffer).offset === plain.length) return plain;
  }
  throw new Pkcs12Error('its certificates do not decrypt with the empty password');
}

/** Key Vault's bag encryption, pbeWithSHAAnd3-KeyTripleDES-CBC (RFC 7292 Appendix C): key and IV from the KDF. */
function decryptTripleDes(params: Asn1.AsnType | undefined, body: Uint8Array, passwords: (string | null)[]): Uint8Array {
  const [saltField, iterationsField] = sequence(params, 'PBE parameters');
  const salt = octets(saltField, 'PBE salt');
  const iterations = integer(iterationsField, 'PBE iteration count');
  if (!(iterations >= 1 && iterations <= MAX_ITERATIONS))
    throw new Pkcs12Error(`its encryption iteration count ${iterations} is out of bounds`);
  for (const password of passwords) {
    const key = pkcs12Key('sha1', { password, salt, id: 1, iterations, size: 24 });
    const iv = pkcs12Key('sha1', { password, salt, id: 2, iterations, size: 8 });
    let plain: Buffer;
    try {
      const decipher = createDecipheriv('des-ede3-cbc', key, iv);
      plain = Buffer.concat([decipher.update(body), decipher.final()]);
    } catch {
      continue; // bad padding: the wrong key
    }
    // A wrong key that happens to leave valid padding leaves no DER SEQUENCE spanning the rest; the caller parses it.
    if (isDerSequence(plain)) return plain;
  }
  throw new Pkcs12Error('its certificates do not decrypt with the empty password');
}

/** Whether bytes are one DER SEQUENCE header whose length covers exactly the rest (X.690 8.1.3 definite lengths). */
function isDerSequence(bytes: Uint8Array): boolean {
  if (bytes.length < 2 || bytes[0] !== 0x30) return false;
  const first = bytes[1]!;
  if (first < 0x80) return 2 + first === bytes.length;
  const octetsOfLength = first & 0x7f;
  if (octetsOfLength === 0 || octetsOfLength > 4 || bytes.length < 2 + octetsOfLength) return false;
  let length = 0;
  for (let i = 0; i < octetsOfLength; i++) length = length * 256 + bytes[2 + i]!;
  return 2 + octetsOfLength + length === bytes.length;
}

/** A small non-negative INTEGER (counts): more than six bytes is beyond any sane count, and reads as Infinity. */
function integer(node: Asn1.AsnType | undefined, what: string): number {
  if (!(node instanceof asn1js.Integer)) throw new Pkcs12Error(`its ${what} is not an INTEGER`);
  const bytes = node.valueBlock.valueHexView;
  if (bytes.length > 6) return Infinity;
  return bytes.length === 0 || (bytes[0]! & 0x80) !== 0 ? -1 : parseInt(Buffer.from(bytes).toString('hex'), 16);
}

/** The largest INTEGER inside PBE parameters (PKCS#12 PBE: salt, iterations; PBES2: nested PBKDF2 parameters). */
function iterationCount(node: import('node-forge').asn1.Asn1 | undefined): number {
  if (!node) return 0;
  if (Array.isArray(node.value)) return Math.max(0, ...node.value.map((n) => iterationCount(n)));
  if ((node.type as number) !== 2 /* INTEGER */ || typeof node.value !== 'string') return 0;
  // More than six bytes is beyond any sane count (and beyond exact doubles): treat it as out of bounds.
  return node.value.length > 6 ? Infinity : parseInt(Buffer.from(node.value, 'binary').toString('hex') || '0', 16);
}

// --- DER helpers: each names what it expected, so a malformed file says where. ---

function der(bytes: Uint8Array, what: string): Asn1.AsnType {
  const parsed = asn1js.fromBER(new Uint8Array(bytes).buffer);
  if (parsed.offset === -1 || parsed.offset !== bytes.byteLength) throw new Pkcs12Error(`its ${what} is not valid DER`);
  return parsed.result;
}

function sequence(node: Asn1.AsnType | undefined, what: string): Asn1.AsnType[] {
  if (!(node instanceof asn1js.Sequence)) throw new Pkcs12Error(`its ${what} is not a SEQUENCE`);
  return node.valueBlock.value;
}

function contentInfo(node: Asn1.AsnType | undefined, what: string): { type: string; content: Asn1.AsnType | undefined } {
  const [type, content] = sequence(node, what);
  if (!(type instanceof asn1js.ObjectIdentifier)) throw new Pkcs12Error(`its ${what} has no content type`);
  return { type: type.valueBlock.toString(), content: content && explicit(content, what) };
}

/** The single element inside an EXPLICIT [0] tag. */
function explicit(node: Asn1.AsnType | undefined, what: string): Asn1.AsnType {
  const inner = node instanceof asn1js.Constructed && node.idBlock.tagClass === 3 ? node.valueBlock.value[0] : undefined;
  if (!inner) throw new Pkcs12Error(`its ${what} is missing its [0] content`);
  return inner;
}

function octets(node: Asn1.AsnType | undefined, what: string): Uint8Array {
  if (!(node instanceof asn1js.OctetString)) throw new Pkcs12Error(`its ${what} is not an OCTET STRING`);
  // A constructed (BER) OCTET STRING is the concatenation of its parts.
  if (node.valueBlock.isConstructed) return Buffer.concat(node.valueBlock.value.map((p) => octets(p, what)));
  return node.valueBlock.valueHexView;
}

/** encryptedContent is [0] IMPLICIT OCTET STRING: primitive, or constructed from OCTET STRING parts. */
function implicitOctets(node: Asn1.AsnType): Uint8Array | undefined {
  if (node.idBlock.tagClass !== 3 || node.idBlock.tagNumber !== 0) return undefined;
  if (node instanceof asn1js.Constructed) return Buffer.concat(node.valueBlock.value.map((p) => octets(p, 'encrypted content')));
  return (node as Asn1.Primitive).valueBlock.valueHexView;
}
