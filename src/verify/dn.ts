import type { Certificate } from '../crypto/certificate.js';

/**
 * Distinguished names of `x509.subject:` trusted identities, read exactly as
 * notation v1.3.2 reads them, so one trust policy means the same in both
 * tools: notation-go internal/pkix/pkix.go ParseDistinguishedName over go-ldap
 * v3 ParseDN (dn.go). That is RFC 4514 with go-ldap's reading: `,` or `;`
 * between RDNs, `\` escapes, no quoting, attribute types kept as written (so
 * `c=US` is not `C=US`), no `#`-hex values; then notation's rules: single-
 * valued RDNs, no attribute twice, C, ST and O present.
 */
export type DistinguishedName = Map<string, string>;

export const MANDATORY_ATTRIBUTES = ['C', 'ST', 'O'] as const;
const MANDATORY_RULE = 'a trusted identity must contain C, ST and O at a minimum (attribute types are case-sensitive)';

/** A DN string as notation parses a trusted identity; a string result is why it is refused. */
export function parseDistinguishedName(text: string): DistinguishedName | string {
  if (text.includes('=#')) return `"${text}" uses a #-hex value, which x509.subject identities do not support (as in notation)`;
  const rdns = splitRdns(text);
  if (typeof rdns === 'string') return `"${text}" is not a valid distinguished name: ${rdns}`;
  const dn: DistinguishedName = new Map();
  for (const rdn of rdns) {
    if (rdn.length > 1)
      return `"${text}" has a multi-valued RDN (${rdn.map((a) => `${a.type}=${a.value}`).join('+')}), which is not supported`;
    // notation v1.3.2 reads S as the short name of stateOrProvinceName (ST).
    const type = rdn[0]!.type === 'S' ? 'ST' : rdn[0]!.type;
    if (dn.get(type)) return `"${text}" repeats the attribute ${type}; each attribute may appear once`;
    dn.set(type, rdn[0]!.value);
  }
  const missing = MANDATORY_ATTRIBUTES.filter((a) => !dn.get(a));
  if (missing.length > 0) {
    return `"${text}" lacks ${missing.join(', ')}: ${MANDATORY_RULE}`;
  }
  return dn;
}

type Rdn = { type: string; value: string }[];

/** go-ldap ParseDN: RDNs split on unescaped `,` or `;`, attributes on `+`, the type ending at the first `=`. */
function splitRdns(text: string): Rdn[] | string {
  const rdns: Rdn[] = [];
  let rdn: Rdn = [];
  let type: string | undefined;
  let start = 0;
  let escaping = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (escaping) escaping = false;
    else if (c === '\\') escaping = true;
    else if (c === '=' && type === undefined) {
      const t = decode(text.slice(start, i));
      if (typeof t !== 'string' || t === '') return typeof t === 'string' ? 'an attribute type is empty' : t.error;
      type = t;
      start = i + 1;
    } else if (c === ',' || c === ';' || c === '+') {
      if (type === undefined) return 'an attribute lacks its type=value form';
      const value = decode(text.slice(start, i));
      if (typeof value !== 'string') return value.error;
      rdn.push({ type, value });
      type = undefined;
      start = i + 1;
      if (c !== '+') {
        rdns.push(rdn);
        rdn = [];
      }
    }
  }
  if (type === undefined) return 'it ends with an incomplete type=value pair';
  const value = decode(text.slice(start));
  if (typeof value !== 'string') return value.error;
  rdn.push({ type, value });
  rdns.push(rdn);
  return rdns;
}

/** go-ldap decodeString: surrounding spaces dropped (an escaped trailing one kept), escapes resolved. */
function decode(raw: string): string | { error: string } {
  let s = raw.replace(/^ +/, '');
  const trimmed = s.replace(/ +$/, '');
  const backslashes = trimmed.length - trimmed.replace(/\\+$/, '').length;
  s = trimmed.length < s.length && backslashes % 2 === 1 ? `${trimmed} ` : trimmed;
  if (s.startsWith('#')) return { error: `the value "${s}" is #-hex, which is not supported` };
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\') {
      if (c === '"' || c === ';' || c === '<' || c === '>' || c === '\u0000')
        return { error: `"${c}" must be escaped (quoting is not supported)` };
      out += c;
      continue;
    }
    const next = s[i + 1];
    if (next === undefined) return { error: `"${s}" ends with a lone backslash` };
    if (' "#+,;<=>\\'.includes(next)) {
      out += next;
      i++;
      continue;
    }
    const hex = s.slice(i + 1, i + 3);
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) return { error: `"\\${hex}" is not a valid escape` };
    out += String.fromCharCode(parseInt(hex, 16));
    i += 2;
  }
  return out;
}

// The attribute types Go's pkix.Name.String() prints by name; any other it prints as <oid>=#<hex>, which
// notation then refuses (crypto/x509/pkix attributeTypeNames).
const GO_NAMES: Record<string, string> = {
  C: 'C',
  O: 'O',
  OU: 'OU',
  CN: 'CN',
  L: 'L',
  ST: 'ST',
  '2.5.4.5': 'SERIALNUMBER',
  '2.5.4.9': 'STREET',
  '2.5.4.17': 'POSTALCODE',
};

/**
 * The signing certificate's subject as notation compares it with x509.subject
 * identities (notation-go verifier.go verifyX509TrustedIdentities parses
 * `leafCert.Subject.String()` with the same rules): a string result is why the
 * subject cannot be compared at all.
 */
export function certificateSubjectDN(cert: Certificate): DistinguishedName | string {
  const dn: DistinguishedName = new Map();
  for (const rdn of cert.subjectRdns()) {
    if (rdn.length > 1) return `it has a multi-valued RDN (${rdn.map((a) => a.type).join('+')})`;
    const { type, value } = rdn[0]!;
    const name = GO_NAMES[type];
    if (!name)
      return `its attribute ${type}${type === 'E' ? ' (emailAddress)' : ''} has no name notation can print (it would read <oid>=#<hex>)`;
    if (dn.has(name)) return `it repeats the attribute ${name}`;
    dn.set(name, value);
  }
  const missing = MANDATORY_ATTRIBUTES.filter((a) => !dn.get(a));
  if (missing.length > 0) return `it lacks ${missing.join(', ')}`;
  return dn;
}

/** notation-go pkix.IsSubsetDN: every attribute of `a` has an equal value in `b`. */
export const isSubset = (a: DistinguishedName, b: DistinguishedName): boolean => [...a].every(([k, v]) => b.get(k) === v);
