import { CanonicalJsonError, canonicalJson } from './canonical-json.js';
import type { TufKey, TufSignature } from './keys.js';

/** The four top-level roles of a notary collection, and delegated roles such as targets/releases. */
export type RoleName = 'root' | 'timestamp' | 'snapshot' | 'targets' | `targets/${string}`;

/** A role's key IDs and threshold (notary tuf/data/roles.go RootRole, DelegationRole). */
export interface RoleKeys {
  keyids: string[];
  threshold: number;
}

/** Length and hashes of a metadata file or target (notary tuf/data/types.go FileMeta). */
export interface FileMeta {
  length: number;
  hashes: Record<string, string>;
}

export interface Common {
  _type: string;
  version: number;
  expires: string;
}

export interface Root extends Common {
  keys: Record<string, TufKey>;
  roles: Record<'root' | 'timestamp' | 'snapshot' | 'targets', RoleKeys>;
}

export interface Timestamp extends Common {
  meta: { snapshot: FileMeta };
}

export interface Snapshot extends Common {
  meta: Record<string, FileMeta>;
}

export interface Delegation extends RoleKeys {
  name: string;
  paths?: string[];
  path_hash_prefixes?: string[];
}

export interface Targets extends Common {
  targets: Record<string, FileMeta>;
  delegations?: { keys: Record<string, TufKey>; roles: Delegation[] };
}

/** Signed metadata: the bytes that are signed (canonical JSON of `signed`) kept beside the parsed value. */
export interface Signed<T> {
  signed: T;
  signatures: TufSignature[];
  /** Canonical JSON of `signed`: what each signature covers. */
  message: Buffer;
}

// The `_type` each role's metadata must carry (notary tuf/data/types.go TUFTypes).
const TYPES: Record<string, string> = { root: 'Root', timestamp: 'Timestamp', snapshot: 'Snapshot', targets: 'Targets' };

/** Parse one role's metadata, checking only its shape; signatures, hashes and expiry are the caller's. */
export function parseSigned<T extends Common>(bytes: Buffer, role: RoleName): Signed<T> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new MetadataError(`${role}.json is not UTF-8`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new MetadataError(`${role}.json is not JSON`);
  }
  if (!isObject(doc) || !isObject(doc.signed) || !Array.isArray(doc.signatures))
    throw new MetadataError(`${role}.json is not TUF signed metadata (no "signed" object and "signatures" list)`);
  const signed = doc.signed;
  const type = TYPES[role.startsWith('targets/') ? 'targets' : role];
  if (signed._type !== type) throw new MetadataError(`${role}.json has _type ${JSON.stringify(signed._type)}, not "${type}"`);
  if (!Number.isSafeInteger(signed.version) || (signed.version as number) < 1)
    throw new MetadataError(`${role}.json has no positive integer version`);
  if (typeof signed.expires !== 'string' || Number.isNaN(Date.parse(signed.expires)))
    throw new MetadataError(`${role}.json has no valid expires time`);
  const signatures = doc.signatures.filter(
    (s): s is TufSignature => isObject(s) && typeof s.keyid === 'string' && typeof s.method === 'string' && typeof s.sig === 'string',
  );
  let message: Buffer;
  try {
    message = canonicalJson(signed);
  } catch (err) {
    if (err instanceof CanonicalJsonError) throw new MetadataError(`${role}.json: ${err.message}`);
    throw err;
  }
  checkShape(signed, role);
  return { signed: signed as unknown as T, signatures, message };
}

function checkShape(signed: Record<string, unknown>, role: RoleName): void {
  const bad = (what: string) => new MetadataError(`${role}.json: ${what}`);
  if (role === 'root') {
    if (!isObject(signed.keys)) throw bad('no keys');
    if (!isObject(signed.roles)) throw bad('no roles');
    for (const r of ['root', 'timestamp', 'snapshot', 'targets'])
      if (!isRoleKeys(signed.roles[r])) throw bad(`role ${r} has no key IDs or threshold`);
    for (const [id, key] of Object.entries(signed.keys)) if (!isKey(key)) throw bad(`key ${id} is malformed`);
  } else if (role === 'timestamp' || role === 'snapshot') {
    if (!isObject(signed.meta)) throw bad('no meta');
    for (const [name, meta] of Object.entries(signed.meta)) if (!isFileMeta(meta)) throw bad(`meta for ${name} is malformed`);
    if (role === 'timestamp' && !signed.meta.snapshot) throw bad('no meta for snapshot');
  } else {
    if (!isObject(signed.targets)) throw bad('no targets');
    for (const [name, meta] of Object.entries(signed.targets))
      if (!isFileMeta(meta)) throw bad(`target ${JSON.stringify(name)} is malformed`);
    const d = signed.delegations;
    if (d !== undefined && d !== null) {
      if (!isObject(d) || !isObject(d.keys) || !Array.isArray(d.roles)) throw bad('delegations are malformed');
      for (const [id, key] of Object.entries(d.keys)) if (!isKey(key)) throw bad(`delegation key ${id} is malformed`);
      for (const r of d.roles) if (!isObject(r) || typeof r.name !== 'string' || !isRoleKeys(r)) throw bad('a delegated role is malformed');
    }
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isRoleKeys = (v: unknown): boolean =>
  isObject(v) && Array.isArray(v.keyids) && v.keyids.every((k) => typeof k === 'string') && Number.isSafeInteger(v.threshold);
const isKey = (v: unknown): boolean =>
  isObject(v) && typeof v.keytype === 'string' && isObject(v.keyval) && typeof v.keyval.public === 'string';
const isFileMeta = (v: unknown): boolean =>
  isObject(v) &&
  Number.isSafeInteger(v.length) &&
  (v.length as number) >= 0 &&
  isObject(v.hashes) &&
  Object.values(v.hashes).every((h) => typeof h === 'string');

export class MetadataError extends Error {}
