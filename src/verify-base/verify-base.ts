import { readFile, writeFile } from 'node:fs/promises';
import { NotarySignError } from '../errors.js';
import type { InputNames } from '../util/input-names.js';
import { mapLimit } from '../util/concurrency.js';
import { silentLogger } from '../log.js';
import { isIndexMediaType, type Descriptor } from '../oci/media-types.js';
import { formatReference, withDigest } from '../oci/reference.js';
import { baseImages, loadDockerfileParser, pinDockerfile, undeclaredBuildArgs, type BaseImage } from './dockerfile.js';
import { listingAhead, verifyDescriptor, type ImageVerification, type VerifyImageOptions } from '../verify/verify.js';

export interface VerifyBaseOptions extends VerifyImageOptions {
  /** Path of the Dockerfile. */
  dockerfile: string;
  buildArgs?: Record<string, string>;
  /** Default platform (os/arch[/variant]) when a FROM has no --platform. */
  platform?: string;
  /** Write the Dockerfile with every verified image pinned by digest here. */
  pinOutput?: string;
  /** Images verified at once (default 4). */
  concurrency?: number;
  /** How the user's CI spells inputs, for messages. */
  inputName?: InputNames;
}

export interface BaseImageVerification extends ImageVerification {
  /** Dockerfile lines that use this image (0: the BUILDKIT_SYNTAX build argument). */
  lines: number[];
  /** How the build uses it: FROM, COPY --from, RUN --mount, or as the build frontend (`syntax`). */
  uses: BaseImage['kind'][];
  /** For a multi-platform index: the platform manifest a build would use. */
  platformManifest?: Descriptor;
}

export interface VerifyBaseResult {
  dockerfile: string;
  verified: boolean;
  images: BaseImageVerification[];
  /** image as written → registry/repo@digest verified. */
  pinned: Record<string, string>;
  /** The pinned Dockerfile text, when every image verified. */
  pinnedDockerfile?: string;
  /** Why the pinned Dockerfile could not be written (the images verified nonetheless). */
  pinFailure?: string;
}

const WRITE_PROBLEMS: Record<string, string> = {
  ENOENT: 'its directory does not exist; create it first or choose another path',
  ENOTDIR: 'a parent of it is a file, not a directory',
  EISDIR: 'it is a directory; give a file path such as Dockerfile.pinned',
  EROFS: 'the file system is read-only; choose a writable path',
  EACCES: 'permission denied; choose a writable path',
  EPERM: 'permission denied; choose a writable path',
  ENOSPC: 'no space left on the device',
};

function writeProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  return WRITE_PROBLEMS[code] ?? `${code || (err as Error).message}`;
}

/**
 * Verify every external image a Dockerfile uses, in parallel, and hand back
 * the digests verified so the build can use exactly those (no tag can move
 * between verification and build).
 */
export async function verifyBaseImages(opts: VerifyBaseOptions): Promise<VerifyBaseResult> {
  const log = opts.logger ?? silentLogger;
  let content: string;
  try {
    content = await readFile(opts.dockerfile, 'utf8');
  } catch (err) {
    throw new NotarySignError(
      'INPUT',
      `${opts.inputName?.('dockerfile') ?? 'dockerfile'}: ` +
        `cannot read ${opts.dockerfile} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  await loadDockerfileParser();
  const found = baseImages(content, {
    ...(opts.buildArgs ? { buildArgs: opts.buildArgs } : {}),
    ...(opts.platform ? { platform: opts.platform } : {}),
    source: opts.dockerfile,
  });
  const unused = undeclaredBuildArgs(content, opts.buildArgs ?? {});
  if (unused.length > 0)
    log.warn(
      `${opts.inputName?.('build-args') ?? 'build-args'}: ${unused.join(', ')} ${unused.length === 1 ? 'is' : 'are'} ` +
        `not declared by an ARG in ${opts.dockerfile}; the build ignores ${unused.length === 1 ? 'it' : 'them'}`,
    );
  const unique = new Map<string, BaseImage[]>();
  for (const b of found) unique.set(b.image, [...(unique.get(b.image) ?? []), b]);
  if (unique.size === 0) log.info(`${opts.dockerfile} uses no external image (scratch or stages only)`);

  const results = await mapLimit([...unique.entries()], opts.concurrency ?? 4, ([image, uses]) => verifyOne(image, uses, opts));

  const pinned: Record<string, string> = {};
  for (const r of results) if (r.verified) pinned[r.image] = r.reference;
  const verified = results.every((r) => r.verified);
  const result: VerifyBaseResult = { dockerfile: opts.dockerfile, verified, images: results, pinned };
  if (verified) {
    const pins = found.map((b) => ({ span: b.span, pinned: pinnedForm(b, results.find((r) => r.image === b.image)!.descriptor.digest) }));
    result.pinnedDockerfile = pinDockerfile(content, pins);
    if (opts.pinOutput) {
      // The verification results stand whatever happens to the file: the failure is reported beside them.
      try {
        await writeFile(opts.pinOutput, result.pinnedDockerfile);
        log.info(`wrote the pinned Dockerfile to ${opts.pinOutput}`);
      } catch (err) {
        result.pinFailure = `${opts.inputName?.('pin-output') ?? 'pin-output'}: cannot write ${opts.pinOutput}: ${writeProblem(err)}`;
      }
    }
  } else if (opts.pinOutput) {
    log.warn(`not writing ${opts.pinOutput}: some base images failed verification`);
  }
  return result;
}

/** `name:tag@digest` keeps the tag for readers; Docker uses the digest. */
function pinnedForm(b: BaseImage, digest: string): string {
  const base = b.ref.digest ? b.image.slice(0, b.image.lastIndexOf('@')) : b.image;
  return `${base}@${digest}`;
}

async function verifyOne(image: string, uses: BaseImage[], opts: VerifyBaseOptions): Promise<BaseImageVerification> {
  const ref = uses[0]!.ref;
  const lines = uses.map((u) => u.line);
  const kinds = [...new Set(uses.map((u) => u.kind))];
  // An operational failure (unreachable, missing, malformed) marks this image unavailable; the others go on.
  const unavailable = (err: unknown, descriptor?: Descriptor): BaseImageVerification => {
    if (!(err instanceof NotarySignError) || err.code === 'POLICY') throw err;
    return {
      image,
      reference: formatReference(descriptor ? withDigest(ref, descriptor.digest) : ref),
      descriptor: descriptor ?? { mediaType: '', digest: '', size: 0 },
      outcome: 'unavailable',
      verified: false,
      reason: err.message,
      signatures: [],
      warnings: [],
      lines,
      uses: kinds,
    };
  };
  let descriptor: Descriptor;
  const resolved = opts.registry.resolve(ref);
  const listing = listingAhead(ref, opts);
  try {
    descriptor = await resolved;
  } catch (err) {
    return unavailable(err);
  }
  let verification: ImageVerification;
  try {
    verification = await verifyDescriptor({ image, ref, descriptor, ...(listing ? { listing } : {}) }, opts);
  } catch (err) {
    return unavailable(err, descriptor);
  }
  const out: BaseImageVerification = { ...verification, lines, uses: kinds };
  const platform = uses.find((u) => u.platform)?.platform ?? opts.platform;
  if (isIndexMediaType(descriptor.mediaType) && platform) {
    const manifest = await selectPlatform(opts, { ref, index: descriptor, platform });
    if (manifest) out.platformManifest = manifest;
    // The build would stop at this image: no manifest for the platform it builds.
    else
      return {
        ...out,
        outcome: 'unavailable',
        verified: false,
        reason: `the image index has no ${platform} manifest; ${platformSource(uses, opts)}`,
      };
  }
  return out;
}

const platformSource = (uses: BaseImage[], opts: VerifyBaseOptions) =>
  uses.some((u) => u.platform)
    ? `the FROM --platform on line ${uses.find((u) => u.platform)!.line} asks for it`
    : `${opts.inputName?.('platform') ?? 'platform'} asks for it; give one the index lists`;

async function selectPlatform(
  opts: VerifyBaseOptions,
  { ref, index, platform }: { ref: BaseImage['ref']; index: Descriptor; platform: string },
): Promise<Descriptor | undefined> {
  const [os, architecture, variant] = platform.split('/');
  const { bytes } = await opts.registry.getManifest(ref, index.digest);
  const manifests = (JSON.parse(bytes.toString('utf8')) as { manifests?: Descriptor[] }).manifests ?? [];
  return manifests.find(
    (m) => m.platform?.os === os && m.platform?.architecture === architecture && (!variant || m.platform?.variant === variant),
  );
}
