import { NotarySignError } from '../errors.js';
import { MediaType, type Descriptor } from '../media-types.js';
import { LIMITS, readLimited, type RegistryClient, type Repository } from './client.js';

/** How signatures are attached: the referrers API, the tag schema, or whichever works. */
export type ReferrersMode = 'auto' | 'api' | 'tag';
export type ReferrersStorage = 'referrers-api' | 'referrers-tag';

const MAX_PAGES = 100;
const TAG_UPDATE_ATTEMPTS = 8;

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
  return manifests.filter(
    (d): d is Descriptor => typeof d === 'object' && d !== null && typeof d.digest === 'string' && typeof d.mediaType === 'string' && typeof d.size === 'number',
  );
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
async function listViaApi(client: RegistryClient, repo: Repository, subject: string, artifactType?: string): Promise<Descriptor[] | undefined> {
  const base = client.baseUrl(repo.registry);
  let url: string | undefined = `${base}/v2/${repo.repository}/referrers/${subject}${artifactType ? `?artifactType=${encodeURIComponent(artifactType)}` : ''}`;
  const out: Descriptor[] = [];
  for (let page = 0; url && page < MAX_PAGES; page++) {
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
    out.push(...parseIndex(await readLimited(res, LIMITS.manifest, 'referrers response'), 'referrers response'));
    url = nextLink(res.headers.get('link'), base);
  }
  return artifactType ? out.filter((d) => d.artifactType === artifactType) : out;
}

async function listViaTag(client: RegistryClient, repo: Repository, subject: string, artifactType?: string): Promise<{ descriptors: Descriptor[]; exists: boolean }> {
  const tag = referrersTag(subject);
  let bytes: Buffer;
  try {
    ({ bytes } = await client.getManifest(repo, tag, MediaType.OciIndex));
  } catch (err) {
    if (err instanceof NotarySignError && err.code === 'NOT_FOUND') return { descriptors: [], exists: false };
    throw err;
  }
  const all = parseIndex(bytes, `referrers tag ${tag}`);
  return { descriptors: artifactType ? all.filter((d) => d.artifactType === artifactType) : all, exists: true };
}

/** List the artifacts attached to `subject`, however the registry stores them. */
export async function listReferrers(
  client: RegistryClient,
  repo: Repository,
  subject: string,
  opts: { artifactType?: string; mode?: ReferrersMode } = {},
): Promise<{ descriptors: Descriptor[]; storage: ReferrersStorage }> {
  const mode = opts.mode ?? 'auto';
  if (mode !== 'tag') {
    const viaApi = await listViaApi(client, repo, subject, opts.artifactType);
    if (viaApi) return { descriptors: viaApi, storage: 'referrers-api' };
    if (mode === 'api') throw apiUnsupported(repo);
  }
  const { descriptors } = await listViaTag(client, repo, subject, opts.artifactType);
  return { descriptors, storage: 'referrers-tag' };
}

const apiUnsupported = (repo: Repository) =>
  new NotarySignError('REGISTRY', `registry ${repo.registry} does not support the OCI referrers API; set referrers to "auto" or "tag"`);

/** Fail early, before anything is pushed, when `api` was demanded but is missing. */
export async function requireReferrersApi(client: RegistryClient, repo: Repository, subject: string): Promise<void> {
  if (!(await listViaApi(client, repo, subject))) throw apiUnsupported(repo);
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
  manifest: { bytes: Uint8Array; descriptor: Descriptor },
  subject: string,
  mode: ReferrersMode,
): Promise<ReferrersStorage> {
  const put = await client.putManifest(repo, manifest.descriptor.digest, manifest.bytes, manifest.descriptor.mediaType);
  if (put.digest !== manifest.descriptor.digest) {
    throw new NotarySignError('REGISTRY', `registry ${repo.registry} stored the signature manifest as ${put.digest}, expected ${manifest.descriptor.digest}`);
  }
  if (mode !== 'tag' && put.subjectAccepted) return 'referrers-api';
  if (mode === 'api') return 'referrers-api'; // probed before pushing; registry indexes it without saying so
  await addToReferrersTag(client, repo, subject, manifest.descriptor);
  return 'referrers-tag';
}

async function addToReferrersTag(client: RegistryClient, repo: Repository, subject: string, entry: Descriptor): Promise<void> {
  const tag = referrersTag(subject);
  for (let attempt = 1; attempt <= TAG_UPDATE_ATTEMPTS; attempt++) {
    const { descriptors } = await listViaTag(client, repo, subject);
    if (descriptors.some((d) => d.digest === entry.digest)) return;
    const index = { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [...descriptors, entry] };
    await client.putManifest(repo, tag, Buffer.from(JSON.stringify(index)), MediaType.OciIndex);
    // Another writer may have replaced the index between our read and write: check, retry with jitter.
    const after = await listViaTag(client, repo, subject);
    if (after.descriptors.some((d) => d.digest === entry.digest)) return;
    await new Promise((r) => setTimeout(r, Math.random() * 50 * attempt));
  }
  throw new NotarySignError('REGISTRY', `could not add the signature to referrers tag ${tag} on ${repo.registry}/${repo.repository} after ${TAG_UPDATE_ATTEMPTS} attempts (concurrent updates); re-run to retry`);
}
