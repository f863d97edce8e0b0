import { NotarySignError } from '../errors.js';
import { isSubset, parseDistinguishedName, type DistinguishedName } from './dn.js';

/**
 * The Notary Project trust policy (trustpolicy.json, version 1.0), validated
 * with the rules notation applies, each error naming the statement and field.
 */
export type ValidationType = 'integrity' | 'authenticity' | 'authenticTimestamp' | 'expiry' | 'revocation';
export type ValidationAction = 'enforce' | 'log' | 'skip';
export type LevelName = 'strict' | 'permissive' | 'audit' | 'skip';
export type TrustStoreType = 'ca' | 'signingAuthority' | 'tsa';

export const VALIDATION_TYPES: readonly ValidationType[] = ['integrity', 'authenticity', 'authenticTimestamp', 'expiry', 'revocation'];

export const LEVELS: Record<LevelName, Record<ValidationType, ValidationAction>> = {
  strict: { integrity: 'enforce', authenticity: 'enforce', authenticTimestamp: 'enforce', expiry: 'enforce', revocation: 'enforce' },
  permissive: { integrity: 'enforce', authenticity: 'enforce', authenticTimestamp: 'log', expiry: 'log', revocation: 'log' },
  audit: { integrity: 'enforce', authenticity: 'log', authenticTimestamp: 'log', expiry: 'log', revocation: 'log' },
  skip: { integrity: 'skip', authenticity: 'skip', authenticTimestamp: 'skip', expiry: 'skip', revocation: 'skip' },
};

export interface TrustedIdentity {
  raw: string;
  /** undefined for the wildcard "*". */
  dn?: DistinguishedName;
}

export interface TrustPolicy {
  name: string;
  registryScopes: string[];
  level: LevelName;
  enforcement: Record<ValidationType, ValidationAction>;
  verifyTimestamp: 'always' | 'afterCertExpiry';
  trustStores: { type: TrustStoreType; name: string }[];
  trustedIdentities: TrustedIdentity[];
}

export interface TrustPolicyDocument {
  version: '1.0';
  trustPolicies: TrustPolicy[];
}

const DOMAIN =
  /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?$/;
const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*)*$/;
const STORE_NAME = /^[a-zA-Z0-9_.-]+$/;
const TRUST_STORE_TYPES: readonly TrustStoreType[] = ['ca', 'signingAuthority', 'tsa'];

const bad = (message: string): NotarySignError => new NotarySignError('POLICY', `trust policy: ${message}`);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const stringList = (v: unknown, where: string): string[] => {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw bad(`${where} must be a list of strings`);
  return v;
};

export function validateRegistryScope(scope: string): string | undefined {
  if (scope.length > 1 && scope.includes('*')) return `registry scope "${scope}" uses a wildcard; "*" must stand alone`;
  const slash = scope.indexOf('/');
  const domain = scope.slice(0, slash);
  const repository = scope.slice(slash + 1);
  if (slash <= 0 || !DOMAIN.test(domain) || !REPOSITORY.test(repository)) {
    return (
      `registry scope "${scope}" is not a fully qualified repository such as myregistry.azurecr.io/team/app (no scheme, ` + `tag or digest)`
    );
  }
  // References are normalised before they are matched (index.docker.io is docker.io, official images live under
  // library/): a scope spelled otherwise would never match and silently hand the image to the "*" statement.
  const canonical = canonicalScope(domain, repository);
  if (canonical !== scope) return `registry scope "${scope}" can never match: image references normalise to "${canonical}"; write that`;
  return undefined;
}

function canonicalScope(domain: string, repository: string): string {
  const registry = domain === 'index.docker.io' || domain === 'registry-1.docker.io' ? 'docker.io' : domain;
  return `${registry}/${registry === 'docker.io' && !repository.includes('/') ? `library/${repository}` : repository}`;
}

export function parseTrustPolicy(text: string, source = 'trustpolicy.json'): TrustPolicyDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new NotarySignError('POLICY', `trust policy ${source} is not valid JSON: ${(err as Error).message}`);
  }
  if (!isObject(doc)) throw bad('the document must be a JSON object');
  if (doc.version === undefined || doc.version === '') throw bad('"version" is missing; set it to "1.0"');
  if (doc.version !== '1.0') throw bad(`"version" ${JSON.stringify(doc.version)} is not supported; use "1.0"`);
  if (!Array.isArray(doc.trustPolicies) || doc.trustPolicies.length === 0)
    throw bad('"trustPolicies" must list at least one policy statement');

  const names = new Set<string>();
  const scopes = new Map<string, string>();
  const policies = doc.trustPolicies.map((raw, i): TrustPolicy => {
    if (!isObject(raw)) throw bad(`trustPolicies[${i}] must be an object`);
    const name = raw.name;
    if (typeof name !== 'string' || name === '') throw bad(`trustPolicies[${i}] has no "name"; every statement needs a unique name`);
    if (names.has(name)) throw bad(`statement name "${name}" is used twice; names must be unique`);
    names.add(name);
    const at = `statement "${name}"`;
    const { level, enforcement, verifyTimestamp } = validateSignatureVerification(raw.signatureVerification, at);
    const registryScopes = validateRegistryScopes(raw.registryScopes, { at, name, claimed: scopes });
    const storeValues = stringList(raw.trustStores, `${at} trustStores`);
    const identityValues = stringList(raw.trustedIdentities, `${at} trustedIdentities`);
    if (level === 'skip') {
      // trust-store-trust-policy.md: skipping verification for every repository at once is not allowed.
      if (registryScopes.includes('*'))
        throw bad(`${at} applies to "*" with level "skip"; the global statement must verify (skip only named repositories)`);
      if (storeValues.length > 0 || identityValues.length > 0)
        throw bad(`${at} skips verification but lists trustStores or trustedIdentities; remove them`);
    } else if (storeValues.length === 0 || identityValues.length === 0) {
      throw bad(`${at} needs both trustStores and trustedIdentities`);
    }
    const trustStores = storeValues.map((value) => validateTrustStore(value, at));
    const trustedIdentities = validateTrustedIdentities(identityValues, at);
    return { name, registryScopes, level, enforcement, verifyTimestamp, trustStores, trustedIdentities };
  });
  return { version: '1.0', trustPolicies: policies };
}

/**
 * signatureVerification: the level, its overrides (integrity never; only
 * revocation may be skipped) and verifyTimestamp (trust-store-trust-policy.md,
 * "Signature Verification details").
 */
function validateSignatureVerification(sv: unknown, at: string): Pick<TrustPolicy, 'level' | 'enforcement' | 'verifyTimestamp'> {
  if (!isObject(sv)) throw bad(`${at} has no "signatureVerification" object`);
  const levelName = sv.level;
  if (typeof levelName !== 'string' || levelName === '')
    throw bad(`${at}: signatureVerification.level is missing (strict, permissive, audit or skip)`);
  if (!(levelName in LEVELS)) throw bad(`${at}: signatureVerification.level "${levelName}" is not one of strict, permissive, audit, skip`);
  const level = levelName as LevelName;
  const enforcement = { ...LEVELS[level] };
  if (sv.override !== undefined) {
    if (!isObject(sv.override)) throw bad(`${at}: signatureVerification.override must be an object`);
    if (level === 'skip' && Object.keys(sv.override).length > 0) throw bad(`${at}: level "skip" cannot be customised with override`);
    for (const [type, action] of Object.entries(sv.override)) {
      if (!VALIDATION_TYPES.includes(type as ValidationType))
        throw bad(`${at}: override "${type}" is not one of ${VALIDATION_TYPES.join(', ')}`);
      if (action !== 'enforce' && action !== 'log' && action !== 'skip')
        throw bad(`${at}: override ${type} "${String(action)}" is not one of enforce, log, skip`);
      if (type === 'integrity') throw bad(`${at}: integrity verification cannot be overridden`);
      if (action === 'skip' && type !== 'revocation') throw bad(`${at}: ${type} verification cannot be skipped; only revocation can`);
      enforcement[type as ValidationType] = action;
    }
  }
  // An empty string is the default, as for notation.
  const verifyTimestamp = sv.verifyTimestamp === undefined || sv.verifyTimestamp === '' ? 'always' : sv.verifyTimestamp;
  if (verifyTimestamp !== 'always' && verifyTimestamp !== 'afterCertExpiry')
    throw bad(`${at}: signatureVerification.verifyTimestamp must be "always" or "afterCertExpiry"`);
  return { level, enforcement, verifyTimestamp };
}

/**
 * registryScopes: fully qualified repositories or "*" alone, each in one
 * statement only (trust-store-trust-policy.md, "Registry scopes").
 */
function validateRegistryScopes(
  value: unknown,
  { at, name, claimed }: { at: string; name: string; claimed: Map<string, string> },
): string[] {
  const registryScopes = stringList(value, `${at} registryScopes`);
  if (registryScopes.length === 0) throw bad(`${at} has no registryScopes; list repositories like registry.example.com/app, or "*"`);
  if (registryScopes.length > 1 && registryScopes.includes('*'))
    throw bad(`${at} mixes the wildcard scope "*" with other scopes; "*" must stand alone`);
  for (const scope of registryScopes) {
    if (scope !== '*') {
      const problem = validateRegistryScope(scope);
      if (problem) throw bad(`${at}: ${problem}`);
    }
    const other = claimed.get(scope);
    if (other !== undefined)
      throw bad(`registry scope "${scope}" appears in statements "${other}" and "${name}"; a scope may belong to one statement only`);
    claimed.set(scope, name);
  }
  return registryScopes;
}

/** A trustStores entry: `<type>:<name>`, type ca, signingAuthority or tsa (trust-store-trust-policy.md, "Trust Store"). */
function validateTrustStore(value: string, at: string): TrustPolicy['trustStores'][number] {
  const colon = value.indexOf(':');
  const type = value.slice(0, colon);
  const storeName = value.slice(colon + 1);
  if (colon < 0) throw bad(`${at}: trust store "${value}" is not <type>:<name>, e.g. ca:acme`);
  if (!TRUST_STORE_TYPES.includes(type as TrustStoreType))
    throw bad(`${at}: trust store type "${type}" in "${value}" is not one of ca, signingAuthority, tsa`);
  if (!STORE_NAME.test(storeName)) throw bad(`${at}: trust store name "${storeName}" must match [a-zA-Z0-9_.-]+`);
  return { type: type as TrustStoreType, name: storeName };
}

/**
 * trustedIdentities: "*" alone, or `<prefix>:<value>` entries; `x509.subject:` ones are distinguished names with C,
 * ST and O that do not overlap (notation-go verifier/trustpolicy validateTrustedIdentities).
 */
function validateTrustedIdentities(values: string[], at: string): TrustedIdentity[] {
  if (values.length > 1 && values.includes('*')) throw bad(`${at}: the wildcard identity "*" cannot be combined with other identities`);
  const identities = values.map((raw): TrustedIdentity => {
    if (raw === '') throw bad(`${at} has an empty trusted identity`);
    if (raw === '*') return { raw };
    const colon = raw.indexOf(':');
    if (colon < 0) throw bad(`${at}: trusted identity "${raw}" has no "x509.subject:" prefix`);
    const prefix = raw.slice(0, colon);
    const value = raw.slice(colon + 1).trim();
    // notation-go trustpolicy validation reads x509.subject identities only and leaves other prefixes (plugins')
    // alone; a statement left with none fails at verification, not here.
    if (prefix !== 'x509.subject') return { raw };
    if (value === '') throw bad(`${at}: trusted identity "${raw}" has no distinguished name`);
    const dn = parseDistinguishedName(value);
    if (typeof dn === 'string') throw bad(`${at}: trusted identity ${dn}`);
    return { raw, dn };
  });
  const dns = identities.filter((t) => t.dn);
  for (const a of dns) {
    for (const b of dns) {
      if (a !== b && isSubset(a.dn!, b.dn!)) throw bad(`${at} has overlapping trusted identities: "${a.raw}" overlaps "${b.raw}"`);
    }
  }
  return identities;
}

/**
 * The trust policy statement for a repository (`registry/repo`): an exact
 * scope wins over "*" (trust-store-trust-policy.md, "Selecting a trust policy
 * based on artifact URI"; notation-go verifier/trustpolicy/oci.go GetApplicableTrustPolicy).
 */
export function applicablePolicy(doc: TrustPolicyDocument, repository: string): TrustPolicy | undefined {
  return (
    doc.trustPolicies.find((p) => p.registryScopes.includes(repository)) ?? doc.trustPolicies.find((p) => p.registryScopes.includes('*'))
  );
}

/** Read and validate the trust policy file; `input` is how the user's CI names it. */
export async function readTrustPolicy(path: string, input = 'trust-policy'): Promise<TrustPolicyDocument> {
  const { readFile } = await import('node:fs/promises');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new NotarySignError('INPUT', `${input}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return parseTrustPolicy(text, path);
}
