/**
 * A DER reader for the few X.509 structures the sign and verify paths read (names, validity, extensions):
 * definite lengths only, as DER requires. asn1js does this too and stays in use for CMS, OCSP and
 * timestamps; on the hot path its loading cost more than the rest of a certificate's checks (README,
 * "Performance"), and test/crypto/x509-der.test.ts holds this reader to @peculiar/x509's results.
 */
export interface Tlv {
  /** 0 universal, 1 application, 2 context-specific, 3 private. */
  tagClass: number;
  constructed: boolean;
  tagNumber: number;
  /** The whole element: identifier, length and content. */
  bytes: Buffer;
  content: Buffer;
}

export class DerError extends Error {}

/** The element at `offset`, which must lie within `buf`. */
export function readTlv(buf: Buffer, offset = 0): Tlv {
  let at = offset;
  const byte = () => {
    if (at >= buf.length) throw new DerError('truncated');
    return buf[at++]!;
  };
  const id = byte();
  let tagNumber = id & 0x1f;
  if (tagNumber === 0x1f) {
    tagNumber = 0;
    for (let b = byte(); ; b = byte()) {
      tagNumber = tagNumber * 128 + (b & 0x7f);
      if (tagNumber > 0xffff) throw new DerError('tag number too large');
      if (!(b & 0x80)) break;
    }
  }
  let length = byte();
  if (length === 0x80) throw new DerError('indefinite length is not DER');
  if (length > 0x80) {
    const n = length & 0x7f;
    if (n > 4) throw new DerError('length too large');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + byte();
  }
  const end = at + length;
  if (end > buf.length) throw new DerError('truncated');
  return { tagClass: id >> 6, constructed: (id & 0x20) !== 0, tagNumber, bytes: buf.subarray(offset, end), content: buf.subarray(at, end) };
}

/** The elements of a constructed element's content, in order. */
export function childrenOf(tlv: Tlv): Tlv[] {
  if (!tlv.constructed) throw new DerError('expected a constructed element');
  const out: Tlv[] = [];
  for (let at = 0; at < tlv.content.length;) {
    const child = readTlv(tlv.content, at);
    out.push(child);
    at += child.bytes.length;
  }
  return out;
}

export const UNIVERSAL = {
  boolean: 1,
  integer: 2,
  bitString: 3,
  octetString: 4,
  oid: 6,
  utf8String: 12,
  sequence: 16,
  set: 17,
  printableString: 19,
  teletexString: 20,
  ia5String: 22,
  utcTime: 23,
  generalizedTime: 24,
  universalString: 28,
  bmpString: 30,
} as const;

export const isUniversal = (tlv: Tlv | undefined, tag: number): tlv is Tlv => tlv?.tagClass === 0 && tlv.tagNumber === tag;
export const isContext = (tlv: Tlv | undefined, tag: number): tlv is Tlv => tlv?.tagClass === 2 && tlv.tagNumber === tag;

/** OBJECT IDENTIFIER as dotted decimal (X.690 8.19). */
export function oidOf(tlv: Tlv): string {
  const arcs: number[] = [];
  let value = 0;
  for (const b of tlv.content) {
    value = value * 128 + (b & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) throw new DerError('OID arc too large');
    if (!(b & 0x80)) {
      if (arcs.length === 0) arcs.push(value < 40 ? 0 : value < 80 ? 1 : 2, value < 80 ? value % 40 : value - 80);
      else arcs.push(value);
      value = 0;
    }
  }
  if (arcs.length === 0 || tlv.content.at(-1)! & 0x80) throw new DerError('malformed OID');
  return arcs.join('.');
}

/** UTCTime (years 1950–2049, RFC 5280 4.1.2.5.1) or GeneralizedTime, as a Date. */
export function timeOf(tlv: Tlv): Date {
  const text = tlv.content.toString('latin1');
  const m =
    tlv.tagNumber === UNIVERSAL.utcTime
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/.exec(text)
      : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(\.\d+)?Z$/.exec(text);
  if (!m) throw new DerError(`malformed time ${JSON.stringify(text)}`);
  let year = Number(m[1]);
  if (tlv.tagNumber === UNIVERSAL.utcTime) year += year < 50 ? 2000 : 1900;
  const ms = m[7] ? Math.round(Number(`0${m[7]}`) * 1000) : 0;
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0), ms));
}

/** A directory string's text (RFC 5280 4.1.2.4, and IA5String); undefined for any other type. */
export function textOf(tlv: Tlv): string | undefined {
  if (tlv.tagClass !== 0) return undefined;
  switch (tlv.tagNumber) {
    case UNIVERSAL.utf8String:
      return tlv.content.toString('utf8');
    case UNIVERSAL.printableString:
    case UNIVERSAL.ia5String:
    case UNIVERSAL.teletexString:
      return tlv.content.toString('latin1');
    case UNIVERSAL.bmpString:
      return Buffer.from(tlv.content).swap16().toString('utf16le');
    case UNIVERSAL.universalString: {
      let out = '';
      for (let i = 0; i + 3 < tlv.content.length; i += 4) out += String.fromCodePoint(tlv.content.readUInt32BE(i));
      return out;
    }
    default:
      return undefined;
  }
}

/** A small non-negative INTEGER (a path length). */
export function smallIntegerOf(tlv: Tlv): number {
  if (tlv.content.length === 0 || tlv.content.length > 6) throw new DerError('integer out of range');
  return tlv.content.readIntBE(0, tlv.content.length);
}
