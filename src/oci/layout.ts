import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { NotarySignError } from '../errors.js';
import { isDigest } from './reference.js';
import { MediaType, type Descriptor } from './media-types.js';

/**
 * An OCI image layout (image-spec image-layout.md: `oci-layout`, `index.json`, `blobs/<alg>/<hex>`) as a place
 * an image can be, for sign, verify and copy: `oci:<dir>[:tag|@digest]`. It is served for the length of a run
 * as a registry on 127.0.0.1 (random port, a random password only this process knows), so every command uses
 * the same client, digest checks, limits and referrers logic as for a registry. Referrers follow the layout
 * conventions notation writes (its `--oci-layout` corpus in ../shared/interop): the signature manifest is
 * listed in index.json with its artifactType and annotations, and the `sha256-<hex>` tag index names them.
 */

const REF_NAME = 'org.opencontainers.image.ref.name';
export const LAYOUT_REPOSITORY = 'layout';
const MANIFEST_LIMIT = 4 * 1024 * 1024;

export interface LayoutReference {
  dir: string;
  tag?: string;
  digest?: string;
}

/** `oci:<dir>[:tag|@digest]`, or undefined for anything else. */
export function parseLayoutReference(text: string): LayoutReference | undefined {
  if (!text.startsWith('oci:')) return undefined;
  let rest = text.slice(4);
  let digest: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at > 0 && isDigest(rest.slice(at + 1))) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (!digest && colon > 0 && /^[\w][\w.-]{0,127}$/.test(rest.slice(colon + 1)) && !rest.slice(colon + 1).includes('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  if (!rest) throw new NotarySignError('INPUT', `"${text}" names no directory; write oci:<dir>[:tag|@digest]`);
  return { dir: resolve(rest), ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

export interface ServedLayout {
  host: string;
  credentials: { username: string; password: string };
  /** The registry-style reference a layout reference stands for while served. */
  reference(ref: LayoutReference): string;
  stop(): Promise<void>;
}

interface IndexJson {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
}

/** Serve `dir` (created as an empty layout when `create` and it does not exist) until stop(). */
export async function serveLayout(dir: string, opts: { create?: boolean; input: string }): Promise<ServedLayout> {
  await openLayout(dir, opts);
  const password = randomBytes(24).toString('base64url');
  const expected = Buffer.from(`Basic ${Buffer.from(`notary-sign:${password}`).toString('base64')}`);
  let indexTurn: Promise<unknown> = Promise.resolve();
  const withIndex = <T>(fn: (index: IndexJson) => Promise<T>): Promise<T> => {
    const next = indexTurn.then(async () => fn(JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as IndexJson));
    indexTurn = next.catch(() => undefined);
    return next;
  };
  const server = createServer((req, res) => {
    const given = Buffer.from(req.headers.authorization ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      req.resume();
      return void res.writeHead(401, { 'www-authenticate': 'Basic realm="notary-sign OCI layout"' }).end();
    }
    handle(req, res, { dir, withIndex }).catch((err: Error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'UNKNOWN', message: err.message }] }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    host,
    credentials: { username: 'notary-sign', password },
    reference: (ref) => `${host}/${LAYOUT_REPOSITORY}${ref.digest ? `@${ref.digest}` : ref.tag ? `:${ref.tag}` : ''}`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await indexTurn;
    },
  };
}

/** Check that `dir` is an OCI layout, or make it one. */
async function openLayout(dir: string, { create, input }: { create?: boolean; input: string }): Promise<void> {
  const marker = await readFile(join(dir, 'oci-layout'), 'utf8').catch(() => undefined);
  if (marker === undefined) {
    const exists = await stat(dir).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!create)
      throw new NotarySignError(
        'INPUT',
        `${input}: ${dir} is not an OCI image layout (no oci-layout file)${exists ? '' : '; the directory does not exist'}`,
      );
    await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
    await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [] }));
    return;
  }
  try {
    if ((JSON.parse(marker) as { imageLayoutVersion?: string }).imageLayoutVersion !== '1.0.0') throw new Error();
    JSON.parse(await readFile(join(dir, 'index.json'), 'utf8'));
  } catch {
    throw new NotarySignError('INPUT', `${input}: ${dir} is not a readable OCI image layout (oci-layout 1.0.0 and index.json)`);
  }
}

const blobPath = (dir: string, digest: string) => join(dir, 'blobs', ...digest.split(':'));

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  { dir, withIndex }: { dir: string; withIndex: <T>(fn: (index: IndexJson) => Promise<T>) => Promise<T> },
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://layout');
  const error = (status: number, code: string, message: string) => {
    req.resume();
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code, message }] }));
  };
  if (url.pathname === '/v2/' || url.pathname === '/v2') return void res.writeHead(200).end('{}');
  const m = /^\/v2\/layout\/(manifests|blobs|referrers)\/(.+)$/.exec(url.pathname);
  if (!m) return error(404, 'NAME_UNKNOWN', 'an OCI layout serves one repository, "layout"');
  const [, kind, rest] = m as unknown as [string, string, string];
  if (kind === 'referrers') return error(404, 'UNSUPPORTED', 'referrers are listed by the tag schema in an OCI layout');

  if (kind === 'manifests') {
    if (req.method === 'PUT') {
      const body = await readLimited(req, MANIFEST_LIMIT);
      const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
      if (isDigest(rest) && rest !== digest) return error(400, 'DIGEST_INVALID', `the manifest hashes to ${digest}`);
      let parsed: { mediaType?: string; artifactType?: string; annotations?: Record<string, string>; config?: Descriptor };
      try {
        parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
      } catch {
        return error(400, 'MANIFEST_INVALID', 'not JSON');
      }
      const mediaType = req.headers['content-type']?.split(';')[0]?.trim() || parsed.mediaType || MediaType.OciManifest;
      await writeAtomically(blobPath(dir, digest), body);
      await withIndex(async (index) => {
        const tag = isDigest(rest) ? undefined : rest;
        const others = index.manifests.filter(
          (d) => !(tag ? d.annotations?.[REF_NAME] === tag : d.digest === digest && !d.annotations?.[REF_NAME]),
        );
        const artifactType =
          parsed.artifactType ?? (parsed.config?.mediaType === MediaType.NotarySignature ? parsed.config.mediaType : undefined);
        const annotations = tag ? { [REF_NAME]: tag } : parsed.annotations;
        const entry: Descriptor = {
          mediaType,
          digest,
          size: body.length,
          ...(annotations && Object.keys(annotations).length > 0 ? { annotations } : {}),
          ...(artifactType && !tag ? { artifactType } : {}),
        };
        index.manifests = [...others, entry];
        await writeAtomically(join(dir, 'index.json'), Buffer.from(JSON.stringify(index, null, 2)));
      });
      return void res.writeHead(201, { 'docker-content-digest': digest, location: `/v2/layout/manifests/${digest}` }).end();
    }
    const found = await withIndex((index) =>
      Promise.resolve(
        isDigest(rest)
          ? index.manifests.find((d) => d.digest === rest)
          : [...index.manifests].reverse().find((d) => d.annotations?.[REF_NAME] === rest),
      ),
    );
    const digest = found?.digest ?? (isDigest(rest) ? rest : undefined);
    const bytes = digest ? await readFile(blobPath(dir, digest)).catch(() => undefined) : undefined;
    if (!digest || !bytes) return error(404, 'MANIFEST_UNKNOWN', `${rest} is not in the layout`);
    const mediaType = found?.mediaType ?? (JSON.parse(bytes.toString('utf8')) as { mediaType?: string }).mediaType ?? MediaType.OciManifest;
    res.writeHead(200, { 'content-type': mediaType, 'docker-content-digest': digest, 'content-length': String(bytes.length) });
    return void res.end(req.method === 'HEAD' ? undefined : bytes);
  }

  // Blobs and uploads.
  if (rest.startsWith('uploads/')) {
    const digest = url.searchParams.get('digest') ?? '';
    if (req.method === 'POST' && !digest) {
      req.resume();
      return void res.writeHead(202, { location: `/v2/layout/blobs/uploads/${randomUUID()}`, 'content-length': '0' }).end();
    }
    if (!isDigest(digest)) return error(400, 'DIGEST_INVALID', 'an upload completes with ?digest=<digest>');
    const tmp = join(dir, 'blobs', `.upload-${randomUUID()}`);
    const hash = createHash(digest.split(':')[0]!);
    req.on('data', (c: Buffer) => hash.update(c));
    await pipeline(req, createWriteStream(tmp));
    const actual = `${digest.split(':')[0]}:${hash.digest('hex')}`;
    if (actual !== digest) {
      await rm(tmp, { force: true });
      return error(400, 'DIGEST_INVALID', `the upload hashes to ${actual}`);
    }
    await mkdir(join(dir, 'blobs', digest.split(':')[0]!), { recursive: true });
    await rename(tmp, blobPath(dir, digest));
    return void res.writeHead(201, { 'docker-content-digest': digest, location: `/v2/layout/blobs/${digest}` }).end();
  }
  if (!isDigest(rest)) return error(400, 'DIGEST_INVALID', `${rest} is not a digest`);
  const info = await stat(blobPath(dir, rest)).catch(() => undefined);
  if (!info?.isFile()) return error(404, 'BLOB_UNKNOWN', `${rest} is not in the layout`);
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'docker-content-digest': rest, 'content-length': String(info.size) });
  if (req.method === 'HEAD') return void res.end();
  await pipeline(createReadStream(blobPath(dir, rest)), res);
}

async function writeAtomically(path: string, bytes: Buffer): Promise<void> {
  const tmp = `${path}.${randomUUID()}.tmp`;
  await writeFile(tmp, bytes);
  await rename(tmp, path);
}

function readLimited(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.destroy();
        reject(new Error(`manifest over ${limit} bytes`));
      } else chunks.push(c);
    });
    req.on('end', () => resolveBody(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
