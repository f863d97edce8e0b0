import { createHash } from 'node:crypto';
import { NotarySignError } from '../errors.js';
import { BodyTooLarge } from '../util/http.js';
import { canonicalKeyId, certificateOf, keyId, verifySignature, type TufKey } from './keys.js';
import {
  MetadataError,
  parseSigned,
  type Common,
  type Delegation,
  type FileMeta,
  type Root,
  type RoleKeys,
  type RoleName,
  type Signed,
  type Snapshot,
  type Targets,
  type Timestamp,
} from './metadata.js';

/** Where metadata comes from: `name` is a role (`targets/releases`) or a versioned root (`2.root`). */
export interface TrustDataSource {
  /** The file's bytes, at most `limit` of them; undefined when the server has none (404). */
  fetch(name: string, limit: number): Promise<Buffer | undefined>;
}

export interface TrustDataOptions {
  /** The collection: `<registry>/<repository>`. */
  gun: string;
  source: TrustDataSource;
  /** Root key IDs (as in root.json, or canonical as `notary key list` shows) or `sha256:<hex>` certificate fingerprints. */
  pins: readonly string[];
  now?: Date;
  warn?: (message: string) => void;
}

/** A tag DCT vouches for, as `docker pull` with content trust would resolve it. */
export interface SignedTag {
  tag: string;
  digest: string;
  size: number;
  role: 'targets' | 'targets/releases';
  /** Version of the role's metadata that lists it. */
  roleVersion: number;
  /** Canonical IDs of the keys whose signatures on that metadata verified. */
  keyIds: string[];
}

export interface VerifiedTrustData {
  gun: string;
  rootVersion: number;
  /** Canonical IDs of the root keys that signed the trusted root. */
  rootKeyIds: string[];
  /** Whether the root was pinned (false: trusted on first use). */
  pinned: boolean;
  targetsVersion: number;
  tags: SignedTag[];
  /** Targets a Docker client would not resolve to an image digest, and why. */
  ignored: { tag: string; reason: string }[];
}

// Upper bounds where no parent metadata gives a length (notary's client uses 5 MiB for root, 1 MiB for timestamp).
const LIMITS = { root: 5 * 1024 * 1024, timestamp: 1024 * 1024 };
const MAX_ROOT_VERSIONS = 100;
// docker/cli trust: `docker pull` resolves a tag in targets/releases first, then in targets.
const RELEASES = 'targets/releases';

/**
 * Verify a repository's Docker Content Trust data as the Docker client (notary's TUF client) does, with no
 * shortcut: root by a threshold of its own root certificates (CN = GUN, unexpired), pinned or trusted on first
 * use, a pinned older root followed to the current one through rotations each signed by the previous root;
 * timestamp → snapshot → targets (→ targets/releases) by length and every hash, each signed by its role's
 * threshold and unexpired; delegated targets only within the delegation's paths.
 */
export async function verifyTrustData(opts: TrustDataOptions): Promise<VerifiedTrustData> {
  const now = opts.now ?? new Date();
  const get = (name: string, limit: number) => required(opts, name, limit);
  const rootBytes = await get('root', LIMITS.root);
  const latest = parse<Root>(rootBytes, 'root');
  const { root, signers: rootSigners, pinned } = await trustedRoot(latest, opts, now);
  const keys = root.signed.keys;

  const timestamp = parse<Timestamp>(await get('timestamp', LIMITS.timestamp), 'timestamp');
  verifyRole(timestamp, { role: 'timestamp', roleKeys: root.signed.roles.timestamp, keys, now });
  const snapshotBytes = await get('snapshot', timestamp.signed.meta.snapshot.length);
  checkFileMeta(snapshotBytes, timestamp.signed.meta.snapshot, { role: 'snapshot', parent: 'timestamp' });
  const snapshot = parse<Snapshot>(snapshotBytes, 'snapshot');
  verifyRole(snapshot, { role: 'snapshot', roleKeys: root.signed.roles.snapshot, keys, now });
  // notary's builder checksums a root loaded before the snapshot against the snapshot's record of it.
  if (snapshot.signed.meta.root) checkFileMeta(rootBytes, snapshot.signed.meta.root, { role: 'root', parent: 'snapshot' });

  const targetsMeta = snapshot.signed.meta.targets;
  if (!targetsMeta) throw trustDataError('snapshot.json does not list targets');
  const targetsBytes = await get('targets', targetsMeta.length);
  checkFileMeta(targetsBytes, targetsMeta, { role: 'targets', parent: 'snapshot' });
  const targets = parse<Targets>(targetsBytes, 'targets');
  const targetsSigners = verifyRole(targets, { role: 'targets', roleKeys: root.signed.roles.targets, keys, now });

  const tags = new Map<string, SignedTag>();
  const ignored: VerifiedTrustData['ignored'] = [];
  const releases = await delegatedReleases(targets, snapshot, { get, now });
  if (releases) collectTags(releases, tags, ignored);
  collectTags({ role: 'targets', metadata: targets, signers: targetsSigners }, tags, ignored);
  return {
    gun: opts.gun,
    rootVersion: root.signed.version,
    rootKeyIds: rootSigners,
    pinned,
    targetsVersion: targets.signed.version,
    tags: [...tags.values()].sort((a, b) => (a.tag < b.tag ? -1 : 1)),
    ignored: ignored.filter((i) => !tags.has(i.tag)),
  };
}

async function required({ source, gun }: TrustDataOptions, name: string, limit: number): Promise<Buffer> {
  const bytes = await source.fetch(name, limit).catch((err: unknown) => {
    // Past a length its parent recorded, the file cannot be the one that was signed (the fixed bounds say so too).
    if (err instanceof BodyTooLarge) throw trustDataError(`${name}.json is larger than the ${limit} bytes expected: it was tampered with`);
    throw err;
  });
  if (bytes) return bytes;
  if (name === 'root')
    throw trustDataError(
      `the notary server has no trust data for ${gun}: it was never signed with Docker Content Trust, or the GUN is wrong`,
    );
  throw trustDataError(`the notary server has no ${name}.json although the metadata above it names one`);
}

function parse<T extends Common>(bytes: Buffer, role: RoleName): Signed<T> {
  try {
    return parseSigned<T>(bytes, role);
  } catch (err) {
    if (err instanceof MetadataError) throw trustDataError(err.message);
    throw err;
  }
}

/** The root to trust, the canonical IDs of its valid signers, and whether a pin (not first use) anchored it. */
async function trustedRoot(latest: Signed<Root>, opts: TrustDataOptions, now: Date) {
  const signers = verifyRoot(latest, { gun: opts.gun, now });
  checkExpiry(latest, 'root', now);
  if (opts.pins.length === 0) {
    opts.warn?.(`${opts.gun}: trusting root key ${signers.join(', ')} on first use; pin it (dct-root-key) so a swapped root is refused`);
    return { root: latest, signers, pinned: false };
  }
  if (pinnedSigner(latest, opts.pins, opts.gun)) return { root: latest, signers, pinned: true };
  // The pin may name a root key since rotated out: find the version it signed, then follow every rotation forward.
  const chain: Signed<Root>[] = [latest];
  for (let v = latest.signed.version - 1; v >= 1 && chain.length <= MAX_ROOT_VERSIONS; v--) {
    const older = parse<Root>(await required(opts, `${v}.root`, LIMITS.root), 'root');
    if (older.signed.version !== v) throw trustDataError(`${v}.root.json carries version ${older.signed.version}`);
    verifyRoot(older, { gun: opts.gun });
    chain.unshift(older);
    if (!pinnedSigner(older, opts.pins, opts.gun)) continue;
    for (let i = 1; i < chain.length; i++) {
      const [previous, next] = [chain[i - 1]!, chain[i]!];
      try {
        verifyRole(next, { role: 'root', roleKeys: previous.signed.roles.root, keys: previous.signed.keys });
      } catch {
        throw trustDataError(
          `root version ${next.signed.version} is not signed by the root keys of version ${previous.signed.version}: ` +
            `the rotation chain from the pinned root is broken`,
        );
      }
    }
    return { root: latest, signers, pinned: true };
  }
  const current = latest.signed.roles.root.keyids.map((id) => describeRootKey(latest.signed.keys[id]));
  throw trustDataError(`no root key matches the pin (${opts.pins.join(', ')}); the root keys are ${current.join(', ')}`);
}

/** A root signed by a threshold of its own root certificates whose CN is the GUN (and, with `now`, unexpired). */
function verifyRoot(root: Signed<Root>, { gun, now }: { gun: string; now?: Date }): string[] {
  const usable: Record<string, TufKey> = {};
  const problems: string[] = [];
  for (const id of root.signed.roles.root.keyids) {
    const key = root.signed.keys[id];
    if (!key) continue;
    const problem = rootCertificateProblem(key, gun, now);
    if (problem) problems.push(problem);
    else usable[id] = key;
  }
  try {
    return verifyRole(root, { role: 'root', roleKeys: root.signed.roles.root, keys: usable });
  } catch (err) {
    if (problems.length) throw trustDataError(`root version ${root.signed.version}: ${problems.join('; ')}`);
    throw err;
  }
}

// notary trustpinning/certs.go validRootLeafCerts: root keys are certificates for exactly this GUN.
function rootCertificateProblem(key: TufKey, gun: string, now?: Date): string | undefined {
  let cert;
  try {
    cert = certificateOf(key);
  } catch {
    return 'a root key is not a parseable certificate';
  }
  if (!cert) return `a root key is a bare ${key.keytype} key, not a certificate`;
  const cn = cert
    .subjectRdns()
    .flat()
    .find((a) => a.type === 'CN')?.value;
  if (cn !== gun) return `root certificate CN ${JSON.stringify(cn ?? '')} is not the GUN ${gun}`;
  if (now && !cert.validAt(now))
    return `root certificate ${canonicalKeyId(key)} is not valid now (${cert.notBefore.toISOString()} to ${cert.notAfter.toISOString()})`;
  return undefined;
}

function pinnedSigner(root: Signed<Root>, pins: readonly string[], gun: string): boolean {
  const wanted = new Set(
    pins.map((p) =>
      p
        .toLowerCase()
        .replace(/:/g, '')
        .replace(/^sha256/, 'sha256:'),
    ),
  );
  return root.signed.roles.root.keyids.some((id) => {
    const key = root.signed.keys[id];
    if (!key || rootCertificateProblem(key, gun)) return false;
    const fingerprint = `sha256:${certificateOf(key)!.thumbprint}`;
    return wanted.has(id) || wanted.has(canonicalKeyId(key)) || wanted.has(fingerprint);
  });
}

function describeRootKey(key: TufKey | undefined): string {
  if (!key) return '(missing key)';
  try {
    const cert = certificateOf(key);
    return cert ? `${canonicalKeyId(key)} (certificate sha256:${cert.thumbprint})` : keyId(key);
  } catch {
    return keyId(key);
  }
}

interface RoleCheck {
  role: RoleName;
  roleKeys: RoleKeys;
  keys: Record<string, TufKey>;
  /** Also check expiry. */
  now?: Date;
}

/**
 * Signatures by at least `threshold` distinct keys of the role (notary tuf/signed/verify.go VerifySignatures).
 * A key counts only under the ID its content hashes to, and each key once, so one key listed twice cannot meet
 * a threshold of two. Returns the canonical IDs of the keys that signed.
 */
function verifyRole(metadata: Signed<Common>, { role, roleKeys, keys, now }: RoleCheck): string[] {
  if (roleKeys.threshold < 1) throw trustDataError(`${role} has threshold ${roleKeys.threshold}; at least 1 is required`);
  const valid = new Set<string>();
  for (const sig of metadata.signatures) {
    if (!roleKeys.keyids.includes(sig.keyid)) continue;
    const key = keys[sig.keyid];
    if (!key || safeKeyId(key) !== sig.keyid) continue;
    if (verifySignature(key, sig, metadata.message)) valid.add(canonicalKeyId(key));
  }
  if (valid.size < roleKeys.threshold) {
    const what =
      metadata.signatures.length === 0 ? 'has no signatures' : `has ${valid.size} valid signature(s) of the ${roleKeys.threshold} required`;
    throw trustDataError(`${role}.json ${what} from its role's keys: it was tampered with or signed by the wrong key`);
  }
  if (now) checkExpiry(metadata, role, now);
  return [...valid].sort();
}

function safeKeyId(key: TufKey): string | undefined {
  try {
    return keyId(key);
  } catch {
    return undefined;
  }
}

function checkExpiry(metadata: Signed<Common>, role: RoleName, now: Date): void {
  if (new Date(metadata.signed.expires) <= now)
    throw trustDataError(`${role}.json expired at ${metadata.signed.expires}; the repository's trust data is stale or replayed`);
}

// notary tuf/data/types.go CheckHashes: the length must match and every hash given, at least one known, must match.
function checkFileMeta(bytes: Buffer, meta: FileMeta, { role, parent }: { role: RoleName; parent: RoleName }): void {
  if (bytes.length !== meta.length)
    throw trustDataError(`${role}.json is ${bytes.length} bytes but ${parent}.json records ${meta.length}: it was tampered with`);
  const known = Object.entries(meta.hashes).filter(([algorithm]) => algorithm === 'sha256' || algorithm === 'sha512');
  if (known.length === 0) throw trustDataError(`${parent}.json records no sha256 or sha512 hash for ${role}.json`);
  for (const [algorithm, expected] of known) {
    if (createHash(algorithm).update(bytes).digest('base64') !== expected)
      throw trustDataError(`${role}.json does not match the ${algorithm} hash ${parent}.json records: it was tampered with`);
  }
}

interface RoleTargets {
  role: SignedTag['role'];
  metadata: Signed<Targets>;
  signers: string[];
  delegation?: Delegation;
}

async function delegatedReleases(
  targets: Signed<Targets>,
  snapshot: Signed<Snapshot>,
  { get, now }: { get: (name: string, limit: number) => Promise<Buffer>; now: Date },
): Promise<RoleTargets | undefined> {
  const delegation = targets.signed.delegations?.roles.find((r) => r.name === RELEASES);
  const meta = snapshot.signed.meta[RELEASES];
  if (!delegation || !meta) return undefined; // delegated but never published: it vouches for nothing yet
  const bytes = await get(RELEASES, meta.length);
  checkFileMeta(bytes, meta, { role: RELEASES, parent: 'snapshot' });
  const metadata = parse<Targets>(bytes, RELEASES);
  const signers = verifyRole(metadata, { role: RELEASES, roleKeys: delegation, keys: targets.signed.delegations!.keys, now });
  return { role: RELEASES, metadata, signers, delegation };
}

function collectTags(source: RoleTargets, tags: Map<string, SignedTag>, ignored: VerifiedTrustData['ignored']): void {
  for (const [tag, meta] of Object.entries(source.metadata.signed.targets)) {
    if (tags.has(tag)) continue; // a higher-priority role already vouches for this tag
    if (source.delegation && !withinPaths(tag, source.delegation)) {
      ignored.push({ tag, reason: `${source.role} lists it outside the paths delegated to it` });
      continue;
    }
    const sha256 = meta.hashes.sha256 ? Buffer.from(meta.hashes.sha256, 'base64') : undefined;
    if (sha256?.length !== 32) {
      ignored.push({ tag, reason: `${source.role} records no sha256 hash for it` });
      continue;
    }
    tags.set(tag, {
      tag,
      digest: `sha256:${sha256.toString('hex')}`,
      size: meta.length,
      role: source.role,
      roleVersion: source.metadata.signed.version,
      keyIds: source.signers,
    });
  }
}

// notary tuf/data/roles.go CheckPaths / CheckPrefixes: path prefixes ("" is every path) or SHA-256 hex prefixes.
function withinPaths(name: string, d: Delegation): boolean {
  if (d.paths) return d.paths.some((p) => typeof p === 'string' && name.startsWith(p));
  if (d.path_hash_prefixes) {
    const hash = createHash('sha256').update(name).digest('hex');
    return d.path_hash_prefixes.some((p) => typeof p === 'string' && hash.startsWith(p));
  }
  return false;
}

const trustDataError = (message: string) => new NotarySignError('TRUST_DATA', message);
