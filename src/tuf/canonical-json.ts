/**
 * TUF canonical JSON exactly as notary signs it (docker/go canonical/json encode.go): object keys sorted by
 * their UTF-8 bytes, no whitespace, integers only, and in strings only `"` and `\` escaped (control characters
 * are written raw) except U+2028/U+2029, which are written as \u escapes.
 */
export function canonicalJson(value: unknown): Buffer {
  return Buffer.from(encode(value), 'utf8');
}

function encode(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    // docker/go refuses non-integral numbers; beyond 2^53 a JSON number no longer names one integer.
    if (!Number.isSafeInteger(value)) throw new CanonicalJsonError(`number ${value} is not an integer canonical JSON can carry`);
    return String(value);
  }
  if (typeof value === 'string') return encodeString(value);
  if (Array.isArray(value)) return `[${value.map(encode).join(',')}]`;
  if (typeof value === 'object') {
    const keys = Object.keys(value).sort(byUtf8);
    return `{${keys.map((k) => `${encodeString(k)}:${encode((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  throw new CanonicalJsonError(`${typeof value} has no canonical JSON form`);
}

function encodeString(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`)}"`;
}

// Go sorts map keys as byte strings; JavaScript's default sort compares UTF-16 units, which differs past U+FFFF.
const byUtf8 = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

export class CanonicalJsonError extends Error {}
