import { NotarySignError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { isIndexMediaType, MediaType, type Descriptor } from '../oci/media-types.js';
import { formatReference, parseReference, withDigest, type Reference } from '../oci/reference.js';
import type { RegistryClient, Repository } from '../registry/client.js';
import { listReferrers, pushReferrer, type ReferrersMode, type ReferrersStorage } from '../registry/referrers.js';
import { sha256Digest } from '../util/encoding.js';
import type { InputNames } from '../util/input-names.js';
import { inputNames } from '../util/input-names.js';

/**
 * Copy an image with its signatures (or all its referrers) from one repository to another, byte for byte, so
 * every signature stays valid: it signs a digest, and the digest does not change. Children before parents,
 * blobs before manifests, referrers after their subject, the destination tag last: an interrupted copy leaves
 * nothing a reader could mistake for a complete image, and a re-run finishes it without copying twice.
 */

export interface CopyOptions {
  source: string;
  /** `registry/repository[:tag]`; a digest, when given, must be the source's. */
  destination: string;
  registry: RegistryClient;
  /** Every referrer (SBOMs, attestations), not only Notary Project signatures. */
  allReferrers?: boolean;
  /** How referrers are attached at the destination (default auto: the referrers API, else the tag schema). */
  referrers?: ReferrersMode;
  logger?: Logger;
  inputName?: InputNames;
}

export interface CopyResult {
  source: string;
  /** `registry/repository@digest` at the destination. */
  destination: string;
  digest: string;
  /** Manifests of the image (index and children) and of its referrers: copied now, or already there. */
  manifests: { digest: string; copied: boolean }[];
  /** The referrers copied or found, with how the destination lists them. */
  referrers: { digest: string; artifactType?: string; subject: string; copied: boolean; storage?: ReferrersStorage }[];
  blobs: { copied: number; mounted: number; present: number };
  /** Nothing needed copying. */
  upToDate: boolean;
}

const MAX_CHILDREN = 256;
const MAX_REFERRER_DEPTH = 2;

export async function copyImage(opts: CopyOptions): Promise<CopyResult> {
  const name = opts.inputName ?? inputNames(undefined);
  const log = opts.logger ?? silentLogger;
  const src = parseReference(opts.source);
  const dst = parseDestination(opts.destination, name);
  const client = opts.registry;
  const top = await client.resolve(src);
  if (dst.digest && dst.digest !== top.digest)
    throw new NotarySignError('INPUT', `${name('destination')}: ${dst.digest} is not the source's digest ${top.digest}`);
  if (!src.digest) log.warn(`${opts.source} is a tag; copying the digest it points to now, ${top.digest}`);
  if (src.registry === dst.registry && src.repository === dst.repository && !dst.tag)
    throw new NotarySignError(
      'INPUT',
      `${name('destination')}: ${opts.destination} is the source repository itself; name another repository`,
    );

  const result: CopyResult = {
    source: formatReference(withDigest(src, top.digest)),
    destination: formatReference(withDigest({ registry: dst.registry, repository: dst.repository }, top.digest)),
    digest: top.digest,
    manifests: [],
    referrers: [],
    blobs: { copied: 0, mounted: 0, present: 0 },
    upToDate: false,
  };
  const copier = new Copier({ client, from: src, to: dst, result, log });
  const subjects = await copier.manifestTree(top);
  // Referrers of every manifest copied (signatures of each platform of an index too), and theirs in turn.
  let level = subjects;
  for (let depth = 1; depth <= MAX_REFERRER_DEPTH && level.length > 0; depth++) {
    const next: Descriptor[] = [];
    for (const subject of level)
      next.push(...(await copier.referrersOf(subject, { all: opts.allReferrers ?? false, mode: opts.referrers ?? 'auto' })));
    if (!opts.allReferrers) break; // a signature has no referrers of its own that a verifier reads
    level = next;
  }
  if (dst.tag) await copier.tag(top, dst.tag);
  result.upToDate =
    result.manifests.every((m) => !m.copied) &&
    result.referrers.every((r) => !r.copied) &&
    result.blobs.copied + result.blobs.mounted === 0;
  log.info(
    result.upToDate
      ? `${result.destination} already has the image and its ${result.referrers.length} referrer(s): nothing copied`
      : `copied ${result.source} to ${result.destination}: ${result.manifests.filter((m) => m.copied).length} manifest(s), ` +
          `${result.blobs.copied} blob(s) copied, ${result.blobs.mounted} mounted, ${result.blobs.present} already there, ` +
          `${result.referrers.filter((r) => r.copied).length} referrer(s)`,
  );
  return result;
}

function parseDestination(text: string, name: InputNames): Reference {
  if (!text?.trim()) throw new NotarySignError('INPUT', `${name('destination')} is required: the registry/repository[:tag] to copy to`);
  try {
    return parseReference(text.trim());
  } catch (err) {
    throw new NotarySignError('INPUT', `${name('destination')}: ${(err as Error).message}`);
  }
}

class Copier {
  private readonly client: RegistryClient;
  private readonly from: Repository;
  private readonly to: Repository;
  private readonly result: CopyResult;
  private readonly log: Logger;
  private readonly done = new Set<string>();

  constructor(o: { client: RegistryClient; from: Repository; to: Repository; result: CopyResult; log: Logger }) {
    this.client = o.client;
    this.from = { registry: o.from.registry, repository: o.from.repository };
    this.to = { registry: o.to.registry, repository: o.to.repository };
    this.result = o.result;
    this.log = o.log;
  }

  /** Copy a manifest and everything it references; returns the manifests copied (index first, then children). */
  async manifestTree(desc: Descriptor): Promise<Descriptor[]> {
    if (this.done.has(desc.digest)) return [];
    this.done.add(desc.digest);
    const { bytes, mediaType } = await this.client.getManifest(this.from, desc.digest);
    const parsed = JSON.parse(bytes.toString('utf8')) as { manifests?: Descriptor[]; config?: Descriptor; layers?: Descriptor[] };
    const copied: Descriptor[] = [{ ...desc, mediaType }];
    if (isIndexMediaType(mediaType)) {
      const children = parsed.manifests ?? [];
      if (children.length > MAX_CHILDREN)
        throw new NotarySignError('REGISTRY', `index ${desc.digest} lists more than ${MAX_CHILDREN} manifests`);
      for (const child of children) copied.push(...(await this.manifestTree(child)));
    } else {
      for (const blob of [...(parsed.config ? [parsed.config] : []), ...(parsed.layers ?? [])]) {
        if (blob.mediaType === 'application/vnd.oci.image.layer.nondistributable.v1.tar' || (blob as { urls?: unknown }).urls) continue;
        const how = await this.client.copyBlob(this.from, this.to, blob);
        this.result.blobs[how]++;
      }
    }
    const there = await this.client.manifestExists(this.to, desc.digest);
    if (!there) await this.client.putManifest(this.to, { reference: desc.digest, bytes, mediaType });
    this.result.manifests.push({ digest: desc.digest, copied: !there });
    this.log.debug(`${there ? 'already at' : 'copied to'} the destination: manifest ${desc.digest}`);
    return copied;
  }

  /** Copy the referrers of `subject` the destination does not list yet; returns them (for their own referrers). */
  async referrersOf(subject: Descriptor, { all, mode }: { all: boolean; mode: ReferrersMode }): Promise<Descriptor[]> {
    const artifactType = all ? undefined : MediaType.NotarySignature;
    const { descriptors } = await listReferrers(this.client, this.from, {
      subject: subject.digest,
      ...(artifactType ? { artifactType } : {}),
    });
    if (descriptors.length === 0) return [];
    const existing = await listReferrers(this.client, this.to, {
      subject: subject.digest,
      ...(artifactType ? { artifactType } : {}),
      mode,
    });
    const listed = new Set(existing.descriptors.map((d) => d.digest));
    const out: Descriptor[] = [];
    for (const referrer of descriptors) {
      if (listed.has(referrer.digest)) {
        this.result.referrers.push({
          digest: referrer.digest,
          ...(referrer.artifactType ? { artifactType: referrer.artifactType } : {}),
          subject: subject.digest,
          copied: false,
        });
        out.push(referrer);
        continue;
      }
      const { bytes, mediaType } = await this.client.getManifest(this.from, referrer.digest);
      const manifest = JSON.parse(bytes.toString('utf8')) as { config?: Descriptor; layers?: Descriptor[]; subject?: Descriptor };
      if (manifest.subject?.digest !== subject.digest) {
        this.log.warn(`referrer ${referrer.digest} of ${subject.digest} names another subject; not copied`);
        continue;
      }
      for (const blob of [...(manifest.config ? [manifest.config] : []), ...(manifest.layers ?? [])]) {
        this.result.blobs[await this.client.copyBlob(this.from, this.to, blob)]++;
      }
      const descriptor: Descriptor = { ...referrer, mediaType, digest: sha256Digest(bytes), size: bytes.length };
      const { storage } = await pushReferrer(this.client, this.to, { manifest: { bytes, descriptor }, subject: subject.digest, mode });
      this.result.manifests.push({ digest: referrer.digest, copied: true });
      this.result.referrers.push({
        digest: referrer.digest,
        ...(referrer.artifactType ? { artifactType: referrer.artifactType } : {}),
        subject: subject.digest,
        copied: true,
        storage,
      });
      out.push(referrer);
    }
    return out;
  }

  async tag(top: Descriptor, tag: string): Promise<void> {
    const current = await this.client.resolve({ ...this.to, tag }).catch(() => undefined);
    if (current?.digest === top.digest) return;
    const { bytes, mediaType } = await this.client.getManifest(this.from, top.digest);
    await this.client.putManifest(this.to, { reference: tag, bytes, mediaType });
    this.log.info(`tagged ${this.to.registry}/${this.to.repository}:${tag} → ${top.digest}${current ? ` (was ${current.digest})` : ''}`);
  }
}
