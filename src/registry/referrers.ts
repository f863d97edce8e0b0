import { NotarySignError } from '../errors.js';
import { MediaType, type Descriptor } from '../oci/media-types.js';
import { sha256Digest } from '../util/encoding.js';
import { LIMITS, readLimited, type RegistryClient, type Repository } from './client.js';

/** How signatures are attached: the referrers API, the tag schema, or whichever works. */
export type ReferrersMode = 'auto' | 'api' | 'tag';
export type ReferrersStorage = 'referrers-api' | 'referrers-tag';

// A flood of referrers must not exhaust a run: past these bounds the listing fails (it never returns a partial list).
export const REFERRER_BOUNDS = { entries: 10_000, bytes: 16 * 1024 * 1024, pages: 100 } as const;
const TAG_UPDATE_ROUNDS = 20;
const QUIET_MS = 200;

/** The fallback tag for a subject digest: `<alg>-<hex>`, at most 128 characters. */
export const referrersTag = (digest: string): string => digest.replace(':', '-').slice(0, 128);

export function parseIndex(bytes: Buffer, what: string): Descriptor[] {
  let index: unknown;
  try {
    index = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new NotarySignError('REGISTRY', `${what} is not valid JSON`);
  }
  const manifests = (index as { manifests?: unknown })?.manifests;
  if (manifests === undefined || manifests === null) return [];
  if (!Array.isArray(manifests)) throw new NotarySignError('REGISTRY', `${what} has a "manifests" field that is not a list`);
  return (manifests as unknown[]).filter((d): d is Descriptor => {
    const x = d as Partial<Record<keyof Descriptor, unknown>> | null;
    return (
      typeof x === 'object' && x !== null && typeof x.digest === 'string' && typeof x.mediaType === 'string' && typeof x.size === 'number'
    );
  });
}

/** `Link: </v2/...?...>; rel="next"` → absolute URL of the next page. */
function nextLink(header: string | null, base: string): string | undefined {
  const m = header && /<([^>]+)>\s*;\s*rel="?next"?/i.exec(header);
  return m ? new URL(m[1]!, base).toString() : undefined;
}

/**
 * Referrers of `subject` through the referrers API, or undefined when the
 * registry does not implement it (404).
 */
async function listViaApi(
  client: RegistryClient,
  repo: Repository,
  { subject, artifactType }: { subject: string; artifactType?: string | undefined },
): Promise<Descriptor[] | undefined> {
  const base = client.baseUrl(repo.registry);
  let url: string | undefined =
    `${base}/v2/${repo.repository}/referrers/${subject}${artifactType ? `?artifactType=${encodeURIComponent(artifactType)}` : ''}`;
  const out: Descriptor[] = [];
  let entries = 0;
  let bytes = 0;
  for (let page = 0; url; page++) {
    if (page === REFERRER_BOUNDS.pages) throw tooManyReferrers(repo, subject, `${REFERRER_BOUNDS.pages} pages`);
    const res = await client.request(repo, '', { url, headers: { accept: MediaType.OciIndex } });
    if (res.status === 404 && page === 0) {
      await res.body?.cancel();
      return undefined;
    }
    await client.expectOk(res, repo, `GET referrers of ${subject}`);
    const contentType = res.headers.get('content-type')?.split(';')[0]?.trim();
    if (contentType && contentType !== MediaType.OciIndex) {
      await res.body?.cancel();
      if (page === 0) return undefined; // something else answered at that path
      throw new NotarySignError('REGISTRY', `the referrers API of ${repo.registry} answered with ${contentType}`);
    }
    const body = await readLimited(res, { limit: LIMITS.manifest, what: 'referrers response', floor: client.rateFloor });
    const listed = parseIndex(body, 'referrers response');
    entries += listed.length;
    bytes += body.length;
    if (entries > REFERRER_BOUNDS.entries) throw tooManyReferrers(repo, subject, `${REFERRER_BOUNDS.entries} entries`);
    if (bytes > REFERRER_BOUNDS.bytes) throw tooManyReferrers(repo, subject, `${REFERRER_BOUNDS.bytes / 1024 / 1024} MiB`);
    out.push(...(artifactType ? listed.filter((d) => d.artifactType === artifactType) : listed));
    url = nextLink(res.headers.get('link'), base);
  }
  return out;
}

const tooManyReferrers = (repo: Repository, subject: string, bound: string) =>
  new NotarySignError(
    'REGISTRY',
    `registry ${repo.registry} lists more than ${bound} of referrers for ${repo.repository}@${subject}; ` +
      `notary-sign reads at most that much per image and does not verify against a partial list`,
  );

interface TagIndex {
  descriptors: Descriptor[];
  exists: boolean;
  /** Digest of the index bytes: changes whenever any writer replaced it. */
  digest?: string;
  etag?: string;
}

async function readTagIndex(client: RegistryClient, repo: Repository, subject: string): Promise<TagIndex> {
  const tag = referrersTag(subject);
  let m: Awaited<ReturnType<RegistryClient['getManifest']>>;
  try {
    m = await client.getManifest(repo, tag, MediaType.OciIndex);
  } catch (err) {
    if (err instanceof NotarySignError && err.code === 'NOT_FOUND') return { descriptors: [], exists: false };
    throw err;
  }
  return { descriptors: parseIndex(m.bytes, `referrers tag ${tag}`), exists: true, digest: m.digest, ...(m.etag ? { etag: m.etag } : {}) };
}

async function listViaTag(
  client: RegistryClient,
  repo: Repository,
  { subject, artifactType }: { subject: string; artifactType?: string | undefined },
): Promise<{ descriptors: Descriptor[]; exists: boolean }> {
  const { descriptors, exists } = await readTagIndex(client, repo, subject);
  if (descriptors.length > REFERRER_BOUNDS.entries) throw tooManyReferrers(repo, subject, `${REFERRER_BOUNDS.entries} entries`);
  return { descriptors: artifactType ? descriptors.filter((d) => d.artifactType === artifactType) : descriptors, exists };
}

/** List the artifacts attached to `subject`, however the registry stores them. */
export async function listReferrers(
  client: RegistryClient,
  repo: Repository,
  opts: { subject: string; artifactType?: string; mode?: ReferrersMode },
): Promise<{ descriptors: Descriptor[]; storage: ReferrersStorage }> {
  const mode = opts.mode ?? 'auto';
  if (mode !== 'tag') {
    const viaApi = await listViaApi(client, repo, opts);
    if (viaApi) return { descriptors: viaApi, storage: 'referrers-api' };
    if (mode === 'api') throw apiUnsupported(client, repo);
  }
  const { descriptors } = await listViaTag(client, repo, opts);
  return { descriptors, storage: 'referrers-tag' };
}

const apiUnsupported = (client: RegistryClient, repo: Repository) =>
  new NotarySignError(
    'REGISTRY',
    `registry ${repo.registry} does not support the OCI referrers API; set ${client.inputName('referrers')} to "auto" or "tag"`,
  );

/** Fail early, before anything is pushed, when `api` was demanded but is missing. */
export async function requireReferrersApi(client: RegistryClient, repo: Repository, subject: string): Promise<void> {
  if (!(await listViaApi(client, repo, { subject }))) throw apiUnsupported(client, repo);
}

/**
 * Push a manifest that has a `subject`, then make it discoverable: nothing
 * more when the registry indexed it (OCI-Subject header), else add it to the
 * referrers tag index with read-modify-write and a re-read to catch lost
 * updates from concurrent writers.
 */
export async function pushReferrer(
  client: RegistryClient,
  repo: Repository,
  { manifest, subject, mode }: { manifest: { bytes: Uint8Array; descriptor: Descriptor }; subject: string; mode: ReferrersMode },
): Promise<{ storage: ReferrersStorage; subjectAccepted: boolean }> {
  const put = await client.putManifest(repo, {
    reference: manifest.descriptor.digest,
    bytes: manifest.bytes,
    mediaType: manifest.descriptor.mediaType,
  });
  if (put.digest !== manifest.descriptor.digest) {
    throw new NotarySignError(
      'REGISTRY',
      `registry ${repo.registry} stored the signature manifest as ${put.digest}, expected ${manifest.descriptor.digest}`,
    );
  }
  const subjectAccepted = put.subjectAccepted;
  if (mode !== 'tag' && subjectAccepted) return { storage: 'referrers-api', subjectAccepted };
  if (mode === 'api') return { storage: 'referrers-api', subjectAccepted }; // probed before pushing; indexed without saying so
  await addToReferrersTag(client, repo, { subject, entry: manifest.descriptor });
  return { storage: 'referrers-tag', subjectAccepted };
}

/**
 * Signers in one process (a multi-image run, parallel sign() calls) take turns per tag, each reading the index
 * its predecessor wrote, so they never lose each other's entries and never wait for each other; what this
 * process wrote (indexes, entries) is not mistaken for another writer at work.
 */
const tagTurns = new Map<string, Promise<void>>();
const writtenHere = new Set<string>();
const entriesHere = new Set<string>();
/** Entries this recent, not written here, are the sign of another writer at work. */
const RECENT_ENTRY_MS = 30_000;

async function inTurn<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = tagTurns.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((r) => (release = r));
  const chained = previous.then(() => mine);
  tagTurns.set(key, chained);
  await previous;
  try {
    return await fn();
  } finally {
    release();
    if (tagTurns.get(key) === chained) tagTurns.delete(key);
  }
}

/** An index another writer produced recently: entries created in the last seconds that this process did not add. */
function showsOtherWriters(index: TagIndex, now: number): boolean {
  return index.descriptors.some((d) => {
    const created = Date.parse(d.annotations?.['org.opencontainers.image.created'] ?? '');
    return !entriesHere.has(d.digest) && Number.isFinite(created) && now - created < RECENT_ENTRY_MS;
  });
}

/**
 * Add `entry` to the referrers tag index. The tag schema is a shared read-modify-write without locks, and
 * most registries ignore If-Match, so a writer elsewhere holding a stale copy can drop our entry after we
 * wrote it. In this process, writers take turns (above). Against writers elsewhere: write the union of
 * everything seen, wait a few times as long as that write took (a writer that read before our write has
 * written by then), and re-read; when the index shows another writer at work, or lost an entry we know of,
 * keep re-adding and re-reading until it has stayed unchanged for a longer quiet period.
 */
async function addToReferrersTag(
  client: RegistryClient,
  repo: Repository,
  { subject, entry }: { subject: string; entry: Descriptor },
): Promise<void> {
  const tag = referrersTag(subject);
  const key = `${repo.registry}/${repo.repository}:${tag}`;
  const known = new Map<string, Descriptor>([[entry.digest, entry]]);
  let careful = false;
  let stableDigest: string | undefined;
  for (let round = 1; round <= TAG_UPDATE_ROUNDS; round++) {
    const wrote = await inTurn(key, async () => {
      // Read right before writing: the shorter the gap, the fewer entries of other tools a write can drop.
      const started = Date.now();
      const index = await readTagIndex(client, repo, subject);
      if (showsOtherWriters(index, Date.now())) careful = true;
      for (const d of index.descriptors) if (!known.has(d.digest)) known.set(d.digest, d);
      const missing = [...known.values()].filter((d) => !index.descriptors.some((x) => x.digest === d.digest));
      if (missing.length === 0) return { ms: 0, digest: index.digest };
      const body = Buffer.from(
        JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [...index.descriptors, ...missing] }),
      );
      const put = await client.putManifest(repo, {
        reference: tag,
        bytes: body,
        mediaType: MediaType.OciIndex,
        ...(index.etag ? { ifMatch: index.etag } : {}),
      });
      if (put.conflict) {
        careful = true;
        return { ms: Date.now() - started, digest: undefined };
      }
      const digest = sha256Digest(body);
      writtenHere.add(digest);
      for (const d of missing) entriesHere.add(d.digest);
      return { ms: Date.now() - started, digest };
    });
    // A writer that read before our write lands its own within about one read-modify-write's time: wait a few
    // of ours (never under 10 ms), then look. Signs of another writer buy the long quiet period instead.
    const quiet = careful ? Math.max(QUIET_MS, 4 * wrote.ms) : Math.max(10, 4 * wrote.ms);
    await new Promise((r) => setTimeout(r, quiet + Math.random() * (careful ? quiet : 0)));
    const check = await readTagIndex(client, repo, subject);
    const complete = [...known.keys()].every((d) => check.descriptors.some((x) => x.digest === d));
    const ours = Boolean(check.digest && writtenHere.has(check.digest));
    // Done: everything we know is listed, in an index this process wrote, with no sign of anyone else;
    // or, once careful, unchanged across a quiet period.
    if (complete && ((!careful && ours) || (careful && check.digest === stableDigest))) return;
    if (!ours || !complete || showsOtherWriters(check, Date.now())) careful = true;
    for (const d of check.descriptors) if (!known.has(d.digest)) known.set(d.digest, d);
    stableDigest = complete ? check.digest : undefined;
  }
  throw new NotarySignError(
    'REGISTRY',
    `could not settle referrers tag ${tag} on ${repo.registry}/${repo.repository} ` +
      `after ${TAG_UPDATE_ROUNDS} rounds of concurrent updates; re-run to retry (the signature itself is pushed)`,
  );
}
