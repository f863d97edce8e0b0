/**
 * Distinguished names for `x509.subject:` trusted identities: RFC 4514
 * strings parsed into attribute → value, with the Notary Project's rules
 * (single-valued RDNs, no repeated attribute, C, ST and O required).
 */
export type DistinguishedName = Map<string, string>;

export const MANDATORY_ATTRIBUTES = ['C', 'ST', 'O'] as const;

export function parseDistinguishedName(text: string): DistinguishedName | string {
  const rdns = splitUnescaped(text, ',');
  if (rdns === undefined) return `"${text}" has an unterminated quote or escape`;
  const dn: DistinguishedName = new Map();
  for (const rdn of rdns) {
    const parts = splitUnescaped(rdn, '+')!;
    if (parts.length > 1) return `"${text}" has a multi-valued RDN (${rdn.trim()}), which is not supported`;
    const eq = rdn.indexOf('=');
    if (eq <= 0) return `"${text}" has "${rdn.trim()}", which is not type=value`;
    const type = rdn.slice(0, eq).trim().toUpperCase();
    if (!/^(?:[A-Z][A-Z0-9-]*|\d+(?:\.\d+)*)$/.test(type)) return `"${text}" has an invalid attribute type "${type}"`;
    const value = unescapeValue(rdn.slice(eq + 1).trim());
    if (value === undefined || value === '') return `"${text}" has an empty or malformed value for ${type}`;
    if (dn.has(type)) return `"${text}" repeats the attribute ${type}; each attribute may appear once`;
    dn.set(type, value);
  }
  const missing = MANDATORY_ATTRIBUTES.filter((a) => !dn.has(a));
  if (missing.length > 0) return `"${text}" lacks ${missing.join(', ')}: a trusted identity must contain C, ST and O at a minimum`;
  return dn;
}

/** Split on `sep` outside quotes and escapes; undefined when quoting is broken. */
function splitUnescaped(text: string, sep: string): string[] | undefined {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') {
      if (i + 1 >= text.length) return undefined;
      cur += c + text[++i];
    } else if (c === '"') {
      quoted = !quoted;
      cur += c;
    } else if (c === sep && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (quoted) return undefined;
  out.push(cur);
  return out;
}

function unescapeValue(raw: string): string | undefined {
  let v = raw;
  if (v.startsWith('"')) {
    if (!v.endsWith('"') || v.length < 2) return undefined;
    v = v.slice(1, -1);
  }
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = v.slice(i + 1, i + 3);
    if (/^[0-9a-fA-F]{2}$/.test(next)) {
      out += String.fromCharCode(parseInt(next, 16));
      i += 2;
    } else if (i + 1 < v.length) out += v[++i];
    else return undefined;
  }
  return out;
}

/** Whether every attribute of `identity` is present, once, with an equal value in `subject`. */
export function subjectMatches(identity: DistinguishedName, subject: Map<string, string[]>): boolean {
  for (const [type, value] of identity) {
    const values = subject.get(type);
    if (!values || values.length !== 1 || values[0] !== value) return false;
  }
  return true;
}

export const isSubset = (a: DistinguishedName, b: DistinguishedName): boolean => [...a].every(([k, v]) => b.get(k) === v);
