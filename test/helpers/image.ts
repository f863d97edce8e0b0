import { randomBytes } from 'node:crypto';
import { sha256Digest } from '../../src/util/encoding.js';
import { MediaType, type Descriptor } from '../../src/oci/media-types.js';
import type { RegistryClient, Repository } from '../../src/registry/client.js';

/** Push a small, valid single-platform image; returns its manifest descriptor. */
export async function pushImage(
  client: RegistryClient,
  repo: Repository,
  tag: string,
  opts: { mediaType?: string; platform?: { os: string; architecture: string } } = {},
): Promise<Descriptor> {
  const layer = randomBytes(256);
  const config = Buffer.from(
    JSON.stringify({
      architecture: opts.platform?.architecture ?? 'amd64',
      os: opts.platform?.os ?? 'linux',
      rootfs: { type: 'layers', diff_ids: [sha256Digest(layer)] },
    }),
  );
  const docker = opts.mediaType === MediaType.DockerManifest;
  const layerDesc = {
    mediaType: docker ? 'application/vnd.docker.image.rootfs.diff.tar.gzip' : 'application/vnd.oci.image.layer.v1.tar+gzip',
    digest: sha256Digest(layer),
    size: layer.length,
  };
  const configDesc = {
    mediaType: docker ? 'application/vnd.docker.container.image.v1+json' : 'application/vnd.oci.image.config.v1+json',
    digest: sha256Digest(config),
    size: config.length,
  };
  await client.pushBlob(repo, layer, layerDesc.digest);
  await client.pushBlob(repo, config, configDesc.digest);
  const mediaType = opts.mediaType ?? MediaType.OciManifest;
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, config: configDesc, layers: [layerDesc] }));
  await client.putManifest(repo, { reference: tag, bytes: manifest, mediaType });
  return { mediaType, digest: sha256Digest(manifest), size: manifest.length };
}

/** Push a two-platform OCI index (linux/amd64, linux/arm64) under `tag`. */
export async function pushIndex(
  client: RegistryClient,
  repo: Repository,
  tag: string,
): Promise<{ index: Descriptor; children: Descriptor[] }> {
  const platforms = [
    { os: 'linux', architecture: 'amd64' },
    { os: 'linux', architecture: 'arm64' },
  ];
  const children: Descriptor[] = [];
  for (const platform of platforms) {
    const d = await pushImage(client, repo, `${tag}-${platform.architecture}`, { platform });
    children.push({ ...d, platform });
  }
  const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: children }));
  await client.putManifest(repo, { reference: tag, bytes: index, mediaType: MediaType.OciIndex });
  return { index: { mediaType: MediaType.OciIndex, digest: sha256Digest(index), size: index.length }, children };
}
