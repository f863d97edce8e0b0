/**
 * One encoding per meaning for COSE: what go-cose's decoder (fxamacker/cbor with DupMapKeyEnforcedAPF and
 * IndefLengthForbidden, go-cose `cbor.go`) refuses, refused here before cbor-x decodes, since cbor-x keeps the
 * last of two equal map keys and reads indefinite lengths.
 */
const MAX_DEPTH = 32;

interface Scan {
  bytes: Uint8Array;
  /** The top-level map's values: key (raw encoding, hex) → the tag number wrapping the value, if any. */
  topTags: Map<string, number | undefined>;
}

class Malformed extends Error {}

/** Why `bytes` is not one well-formed, definite-length CBOR item without duplicate map keys; undefined when it is. */
export function strictCborProblem(bytes: Uint8Array, what: string): string | undefined {
  try {
    const scan: Scan = { bytes, topTags: new Map() };
    if (item(scan, 0, 0) !== bytes.length) return `${what} has bytes after its CBOR item`;
    return undefined;
  } catch (err) {
    if (err instanceof Malformed) return `${what} ${err.message}`;
    throw err;
  }
}

/** For a CBOR map, the tag number (or undefined) of the value under each key given in its encoded form. */
export function topLevelValueTags(bytes: Uint8Array): Map<string, number | undefined> {
  const scan: Scan = { bytes, topTags: new Map() };
  item(scan, 0, 0);
  return scan.topTags;
}

/** The encoded form of a text-string map key, as `topLevelValueTags` names keys. */
export const textKey = (key: string): string => {
  const utf8 = Buffer.from(key, 'utf8');
  const head =
    utf8.length < 24 ? [0x60 | utf8.length] : utf8.length < 256 ? [0x78, utf8.length] : [0x79, utf8.length >> 8, utf8.length & 255];
  return Buffer.concat([Buffer.from(head), utf8]).toString('hex');
};

/** Parse the head at `pos`: major type, argument, and where the content starts. */
function head(scan: Scan, pos: number): { major: number; arg: number; next: number } {
  const { bytes } = scan;
  if (pos >= bytes.length) throw new Malformed('is truncated');
  const first = bytes[pos]!;
  const major = first >> 5;
  const info = first & 31;
  if (info < 24) return { major, arg: info, next: pos + 1 };
  if (info === 31) throw new Malformed('uses an indefinite-length item, which COSE signatures must not');
  if (info > 27) throw new Malformed(`has a reserved additional-information value ${info}`);
  const size = 1 << (info - 24);
  if (pos + 1 + size > bytes.length) throw new Malformed('is truncated');
  let arg = 0;
  for (let i = 0; i < size; i++) arg = arg * 256 + bytes[pos + 1 + i]!;
  return { major, arg, next: pos + 1 + size };
}

/** A map key for messages: its integer or text, else its encoding in hex. */
function keyName(scan: Scan, pos: number): string {
  const { major, arg, next } = head(scan, pos);
  if (major === 0) return String(arg);
  if (major === 1) return String(-1 - arg);
  if (major === 3) return JSON.stringify(Buffer.from(scan.bytes.subarray(next, next + arg)).toString('utf8'));
  return Buffer.from(scan.bytes.subarray(pos, item(scan, pos, 0))).toString('hex');
}

/** Walk one item at `pos`, return where it ends. */
function item(scan: Scan, pos: number, depth: number): number {
  if (depth > MAX_DEPTH) throw new Malformed(`nests deeper than ${MAX_DEPTH} levels`);
  const { major, arg, next } = head(scan, pos);
  switch (major) {
    case 0:
    case 1:
    case 7:
      return next; // integers, simple values and floats: the argument is the whole item
    case 2:
    case 3:
      if (next + arg > scan.bytes.length) throw new Malformed('is truncated');
      return next + arg;
    case 4: {
      let at = next;
      for (let i = 0; i < arg; i++) at = item(scan, at, depth + 1);
      return at;
    }
    case 5: {
      const keys = new Set<string>();
      let at = next;
      for (let i = 0; i < arg; i++) {
        const keyEnd = item(scan, at, depth + 1);
        const key = Buffer.from(scan.bytes.subarray(at, keyEnd)).toString('hex');
        if (keys.has(key)) throw new Malformed(`has a map with the key ${keyName(scan, at)} twice`);
        keys.add(key);
        const value = head(scan, keyEnd);
        if (depth === 0) scan.topTags.set(key, value.major === 6 ? value.arg : undefined);
        at = item(scan, keyEnd, depth + 1);
      }
      return at;
    }
    default: // 6: a tag and the item it wraps
      return item(scan, next, depth + 1);
  }
}
