import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Descriptor } from '../../src/oci/media-types.js';
import type { RegistryClient, Repository } from '../../src/registry/client.js';

const REF_NAME = 'org.opencontainers.image.ref.name';
const MANIFEST_TYPES = new Set([
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);

interface ManifestDoc {
  mediaType?: string;
  manifests?: Descriptor[];
  subject?: Descriptor;
}

/**
 * Push an OCI image layout (as in ../shared/interop, README there) into a registry: every blob that is not a
 * manifest, then each manifest after the manifests it names (children before their index, subjects before
 * their referrers), then the tags of index.json. Returns the digest of each tag.
 */
export async function pushLayout(client: RegistryClient, repo: Repository, dir: string): Promise<Record<string, string>> {
  const blob = (digest: string) => readFile(join(dir, 'blobs', ...digest.split(':')));
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
  const manifests = new Map<string, { bytes: Buffer; mediaType: string; doc: ManifestDoc }>();
  const collect = async (d: Descriptor) => {
    if (manifests.has(d.digest) || !MANIFEST_TYPES.has(d.mediaType)) return;
    const bytes = await blob(d.digest);
    const doc = JSON.parse(bytes.toString('utf8')) as ManifestDoc;
    manifests.set(d.digest, { bytes, mediaType: d.mediaType, doc });
    for (const child of doc.manifests ?? []) await collect(child);
  };
  for (const d of index.manifests) await collect(d);

  for (const name of await readdir(join(dir, 'blobs', 'sha256'))) {
    const digest = `sha256:${name}`;
    if (!manifests.has(digest)) await client.pushBlob(repo, await blob(digest), digest);
  }
  const pushed = new Set<string>();
  const push = async (digest: string): Promise<void> => {
    if (pushed.has(digest)) return;
    const m = manifests.get(digest)!;
    for (const child of m.doc.manifests ?? []) if (manifests.has(child.digest)) await push(child.digest);
    if (m.doc.subject && manifests.has(m.doc.subject.digest)) await push(m.doc.subject.digest);
    await client.putManifest(repo, { reference: digest, bytes: m.bytes, mediaType: m.doc.mediaType ?? m.mediaType });
    pushed.add(digest);
  };
  for (const digest of manifests.keys()) await push(digest);
  const tags: Record<string, string> = {};
  for (const d of index.manifests) {
    const tag = d.annotations?.[REF_NAME];
    if (!tag) continue;
    const m = manifests.get(d.digest)!;
    await client.putManifest(repo, { reference: tag, bytes: m.bytes, mediaType: m.doc.mediaType ?? m.mediaType });
    tags[tag] = d.digest;
  }
  return tags;
}
