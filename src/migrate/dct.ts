import { describeError, NotarySignError } from '../errors.js';
import { progress, silentLogger, type Logger } from '../log.js';
import { parseReference, TAG, type Reference } from '../oci/reference.js';
import { readLimited, type RegistryClient } from '../registry/client.js';
import { verifyTrustData, type SignedTag, type TrustDataSource } from '../tuf/trust-data.js';
import { mapLimit } from '../util/concurrency.js';

/** Signed annotations recording where a migrated signature's authority came from. */
export const DCT_ANNOTATIONS = {
  gun: 'io.notary-sign.dct.gun',
  tags: 'io.notary-sign.dct.tags',
  role: 'io.notary-sign.dct.role',
  targetsVersion: 'io.notary-sign.dct.targets-version',
  keyIds: 'io.notary-sign.dct.key-ids',
  rootKeyIds: 'io.notary-sign.dct.root-key-ids',
} as const;

/**
 * What happened to one signed tag: `migrated` (signed now), `already-migrated` (a matching signature was
 * there), `would-migrate` (dry run), `moved` (the tag points elsewhere now), `missing` (the digest DCT
 * recorded is gone), `failed` (signing failed).
 */
export type TagOutcome = 'migrated' | 'already-migrated' | 'would-migrate' | 'moved' | 'missing' | 'failed';

export interface TagMigration extends SignedTag {
  outcome: TagOutcome;
  /** The digest the tag points to in the registry now; null when the tag is gone. */
  current: string | null;
  /** Why it was not migrated, or what to know about it. */
  reason?: string;
  signatureDigest?: string;
}

export interface RepositoryMigration {
  gun: string;
  /** Whether the trust data verified; nothing is migrated from a repository whose data did not. */
  verified: boolean;
  /** Why the repository failed: its trust data did not verify, or the registry could not be read. */
  reason?: string;
  notaryServer: string;
  rootVersion?: number;
  rootKeyIds?: string[];
  pinned?: boolean;
  targetsVersion?: number;
  tags: TagMigration[];
  /** Targets no Docker client would resolve to an image digest. */
  ignored: { tag: string; reason: string }[];
}

/** Signs one digest with the migration's annotations; `reused` when a matching signature was already there. */
export type DigestSigner = (
  reference: string,
  annotations: Record<string, string>,
) => Promise<{ signatureDigest: string; reused: boolean }>;

export interface MigrateDctOptions {
  /** GUNs: `<registry>/<repository>`, no tag or digest. */
  repositories: readonly string[];
  registry: RegistryClient;
  /** Notary server base URL; default the registry itself (ACR), notary.docker.io for Docker Hub. */
  notaryServer?: string;
  pins: readonly string[];
  /** Absent: a dry run that verifies and compares but signs nothing. */
  sign?: DigestSigner;
  /** Sign the recorded digest of a tag that has moved since DCT signed it. */
  signMoved?: boolean;
  logger?: Logger;
  now?: Date;
}

// Repositories migrated at once: each reads its metadata in sequence, then its tags in parallel.
const REPOSITORY_CONCURRENCY = 4;

/**
 * Carry a Docker Content Trust repository's signed tags over to Notary Project signatures: verify its TUF data as
 * the Docker client does, compare each tag's recorded digest with the registry, and sign what still matches.
 * One repository's failure is reported and the others go on.
 */
export async function migrateDct(opts: MigrateDctOptions): Promise<RepositoryMigration[]> {
  const log = opts.logger ?? silentLogger;
  const refs = opts.repositories.map((gun) => ({ gun, ref: repositoryOf(gun) }));
  return mapLimit(refs, REPOSITORY_CONCURRENCY, async ({ ref }) => {
    const gun = `${ref.registry}/${ref.repository}`;
    // Docker's default trust server for Hub (docker/cli trust.Server); elsewhere the registry itself serves
    // /v2/<gun>/_trust (ACR), over plain HTTP only when the registry is allowed it.
    const server = new URL(
      opts.notaryServer ?? (ref.registry === 'docker.io' ? 'https://notary.docker.io' : opts.registry.baseUrl(ref.registry)),
    );
    const base: RepositoryMigration = { gun, verified: false, notaryServer: server.origin, tags: [], ignored: [] };
    let trust;
    try {
      trust = await verifyTrustData({
        gun,
        source: notarySource(opts.registry, { server, gun, scope: server.host === ref.registry ? ref.repository : gun }),
        pins: opts.pins,
        ...(opts.now ? { now: opts.now } : {}),
        warn: (m) => log.warn(m),
      });
    } catch (err) {
      const reason = describeError(err);
      log.warn(`${gun}: trust data not verified, nothing migrated: ${reason}`);
      return { ...base, reason };
    }
    log.info(
      `${gun}: trust data verified (root v${trust.rootVersion}${trust.pinned ? ', pinned' : ', trusted on first use'}, ` +
        `targets v${trust.targetsVersion}): ${trust.tags.length} signed tag(s)`,
    );
    // Target names are any string notary accepted; only an image tag may go into a registry URL.
    const signedTags = trust.tags.filter((t) => TAG.test(t.tag));
    const notTags = trust.tags.filter((t) => !signedTags.includes(t)).map((t) => ({ tag: t.tag, reason: 'its name is not an image tag' }));
    const ignored = [...trust.ignored, ...notTags];
    for (const i of ignored) log.warn(`${gun}:${JSON.stringify(i.tag)}: not migrated: ${i.reason}`);
    const verified: RepositoryMigration = {
      ...base,
      verified: true,
      rootVersion: trust.rootVersion,
      rootKeyIds: trust.rootKeyIds,
      pinned: trust.pinned,
      targetsVersion: trust.targetsVersion,
      ignored,
    };
    try {
      const tags = await compareWithRegistry(opts.registry, ref, signedTags);
      return { ...verified, tags: await signTags(tags, { ...opts, log, gun, rootKeyIds: trust.rootKeyIds }) };
    } catch (err) {
      const reason = `could not compare the signed tags with the registry: ${describeError(err)}`;
      log.warn(`${gun}: ${reason}`);
      return { ...verified, reason };
    }
  });
}

function repositoryOf(gun: string): Reference {
  const ref = parseReference(gun);
  if (ref.tag || ref.digest)
    throw new NotarySignError(
      'INPUT',
      `"${gun}" names a tag or digest; migrate-dct takes repositories (GUNs) such as myacr.azurecr.io/app`,
    );
  return ref;
}

/** Metadata over the notary server's /v2/<gun>/_trust/tuf/ API, with the registry client's auth, retries and bounds. */
function notarySource(registry: RegistryClient, { server, gun, scope }: { server: URL; gun: string; scope: string }): TrustDataSource {
  const repo = { registry: server.host, repository: scope };
  return {
    async fetch(name, limit) {
      const url = `${server.origin}/v2/${gun}/_trust/tuf/${name}.json`;
      const res = await registry.request(repo, '', { url });
      if (res.status === 404) {
        await res.body?.cancel();
        return undefined;
      }
      await registry.expectOk(res, repo, `GET trust data ${name}.json`);
      return readLimited(res, { limit, what: `${gun} ${name}.json`, floor: registry.rateFloor });
    },
  };
}

async function compareWithRegistry(registry: RegistryClient, ref: Reference, tags: SignedTag[]): Promise<TagMigration[]> {
  return mapLimit(tags, 8, async (t): Promise<TagMigration> => {
    const current = await registry.resolve({ ...ref, tag: t.tag }).then(
      (d) => d,
      (err: unknown) => {
        if (err instanceof NotarySignError && err.code === 'NOT_FOUND') return undefined;
        throw err;
      },
    );
    const present = current?.digest === t.digest || (await registry.manifestExists(ref, t.digest));
    if (!present) return { ...t, outcome: 'missing', current: current?.digest ?? null, reason: `${t.digest} is no longer in the registry` };
    if (current?.digest === t.digest) {
      if (current.size !== t.size)
        return { ...t, outcome: 'failed', current: current.digest, reason: `registry size ${current.size} differs from DCT's ${t.size}` };
      return { ...t, outcome: 'would-migrate', current: current.digest };
    }
    const where = current ? `now points to ${current.digest}` : 'no longer exists';
    return { ...t, outcome: 'moved', current: current?.digest ?? null, reason: `the tag ${where}; DCT signed ${t.digest}` };
  });
}

interface SignContext extends MigrateDctOptions {
  log: Logger;
  gun: string;
  rootKeyIds: string[];
}

/** One signature per digest and vouching role, naming every tag DCT gave that digest. */
async function signTags(tags: TagMigration[], ctx: SignContext): Promise<TagMigration[]> {
  const signable = tags.filter((t) => t.outcome === 'would-migrate' || (t.outcome === 'moved' && ctx.signMoved));
  const sign = ctx.sign;
  if (!sign || signable.length === 0) return tags;
  const groups = new Map<string, TagMigration[]>();
  for (const t of signable) {
    const key = `${t.digest} ${t.role} ${t.roleVersion}`;
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  const step = progress(ctx.log, groups.size);
  const results = new Map<TagMigration, Partial<TagMigration>>();
  await mapLimit([...groups.values()], 4, async (group) => {
    const first = group[0]!;
    const reference = `${ctx.gun}@${first.digest}`;
    const annotations = {
      [DCT_ANNOTATIONS.gun]: ctx.gun,
      [DCT_ANNOTATIONS.tags]: group.map((t) => t.tag).join(','),
      [DCT_ANNOTATIONS.role]: first.role,
      [DCT_ANNOTATIONS.targetsVersion]: String(first.roleVersion),
      [DCT_ANNOTATIONS.keyIds]: first.keyIds.join(','),
      [DCT_ANNOTATIONS.rootKeyIds]: ctx.rootKeyIds.join(','),
    };
    try {
      const { signatureDigest, reused } = await sign(reference, annotations);
      for (const t of group) results.set(t, { outcome: reused ? 'already-migrated' : 'migrated', signatureDigest });
      step(`${reused ? 'already migrated' : 'migrated'} ${reference} (${annotations[DCT_ANNOTATIONS.tags]})`);
    } catch (err) {
      for (const t of group) results.set(t, { outcome: 'failed', reason: describeError(err) });
      step(`not migrated ${reference}`);
    }
  });
  return tags.map((t) => {
    const result = results.get(t);
    if (!result) return t;
    // A moved tag signed on request keeps the reason it was flagged.
    return {
      ...t,
      ...result,
      ...(t.outcome === 'moved' && result.outcome !== 'failed' ? { reason: `${t.reason} (signed: sign-moved)` } : {}),
    };
  });
}
