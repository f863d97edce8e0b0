import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * A small, strict OCI distribution registry that implements the referrers API
 * (distribution-spec 1.1), which the Debian distribution 2.8 registry lacks.
 * It verifies digests, refuses manifests whose blobs or subject descriptors
 * are inconsistent, answers PUTs with OCI-Subject, and pages referrers with
 * Link headers. In-memory, loopback HTTP only.
 */
export interface ReferrersRegistry {
  host: string;
  /** Requests seen, as "METHOD path". */
  log: string[];
  stop(): Promise<void>;
}

const INDEX = 'application/vnd.oci.image.index.v1+json';
const digestOf = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export async function startReferrersRegistry(opts: { pageSize?: number } = {}): Promise<ReferrersRegistry> {
  const blobs = new Map<string, Buffer>(); // `${repo}@${digest}`
  const manifests = new Map<string, { bytes: Buffer; mediaType: string }>(); // `${repo}@${digest}`
  const tags = new Map<string, string>(); // `${repo}:${tag}` -> digest
  const uploads = new Map<string, string>(); // uuid -> repo
  const log: string[] = [];
  const pageSize = opts.pageSize ?? 100;

  const readBody = (req: IncomingMessage) =>
    new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });
  const error = (res: ServerResponse, status: number, code: string, message: string) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ code, message }] }));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    log.push(`${req.method} ${path}`);
    if (path === '/v2/' || path === '/v2') return void res.writeHead(200).end('{}');
    let m: RegExpExecArray | null;

    if ((m = /^\/v2\/(.+)\/blobs\/uploads\/$/.exec(path)) && req.method === 'POST') {
      const id = randomUUID();
      uploads.set(id, m[1]!);
      res.writeHead(202, { location: `/v2/${m[1]}/blobs/uploads/${id}` });
      return void res.end();
    }
    if ((m = /^\/v2\/(.+)\/blobs\/uploads\/([0-9a-f-]+)$/.exec(path)) && req.method === 'PUT') {
      const [, repo, id] = m;
      if (uploads.get(id!) !== repo) return error(res, 404, 'BLOB_UPLOAD_UNKNOWN', 'unknown upload');
      const body = await readBody(req);
      const digest = url.searchParams.get('digest');
      if (!digest || digestOf(body) !== digest) return error(res, 400, 'DIGEST_INVALID', 'digest mismatch');
      uploads.delete(id!);
      blobs.set(`${repo}@${digest}`, body);
      res.writeHead(201, { location: `/v2/${repo}/blobs/${digest}`, 'docker-content-digest': digest });
      return void res.end();
    }
    if ((m = /^\/v2\/(.+)\/blobs\/(sha256:[0-9a-f]{64})$/.exec(path))) {
      const blob = blobs.get(`${m[1]}@${m[2]}`);
      if (!blob) return error(res, 404, 'BLOB_UNKNOWN', 'blob unknown');
      res.writeHead(200, { 'content-length': blob.length, 'docker-content-digest': m[2]!, 'content-type': 'application/octet-stream' });
      return void res.end(req.method === 'HEAD' ? undefined : blob);
    }
    if ((m = /^\/v2\/(.+)\/referrers\/(sha256:[0-9a-f]{64})$/.exec(path)) && req.method === 'GET') {
      const [, repo, subject] = m;
      const filter = url.searchParams.get('artifactType');
      const all: object[] = [];
      for (const [key, man] of manifests) {
        if (!key.startsWith(`${repo}@`)) continue;
        const parsed = JSON.parse(man.bytes.toString()) as {
          subject?: { digest: string };
          artifactType?: string;
          config?: { mediaType: string };
          annotations?: object;
        };
        if (parsed.subject?.digest !== subject) continue;
        const artifactType = parsed.artifactType ?? parsed.config?.mediaType;
        if (filter && artifactType !== filter) continue;
        all.push({
          mediaType: man.mediaType,
          digest: key.slice(repo!.length + 1),
          size: man.bytes.length,
          artifactType,
          annotations: parsed.annotations,
        });
      }
      const start = Number(url.searchParams.get('n_start') ?? 0);
      const page = all.slice(start, start + pageSize);
      const headers: Record<string, string> = { 'content-type': INDEX };
      if (filter) headers['oci-filters-applied'] = 'artifactType';
      if (start + pageSize < all.length) {
        const next = new URL(url);
        next.searchParams.set('n_start', String(start + pageSize));
        headers.link = `<${next.pathname}${next.search}>; rel="next"`;
      }
      res.writeHead(200, headers);
      return void res.end(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: page }));
    }
    if ((m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(path))) {
      const [, repo, reference] = m;
      if (req.method === 'PUT') {
        const body = await readBody(req);
        const digest = digestOf(body);
        if (reference!.startsWith('sha256:') && reference !== digest) return error(res, 400, 'DIGEST_INVALID', 'digest mismatch');
        let parsed: {
          mediaType?: string;
          config?: { digest: string };
          layers?: { digest: string }[];
          manifests?: { digest: string }[];
          subject?: { digest: string };
        };
        try {
          parsed = JSON.parse(body.toString()) as typeof parsed;
        } catch {
          return error(res, 400, 'MANIFEST_INVALID', 'not JSON');
        }
        const contentType = req.headers['content-type'] ?? '';
        if (parsed.mediaType && parsed.mediaType !== contentType)
          return error(res, 400, 'MANIFEST_INVALID', 'mediaType differs from Content-Type');
        for (const d of [parsed.config, ...(parsed.layers ?? [])].filter(Boolean)) {
          if (!blobs.has(`${repo}@${d!.digest}`)) return error(res, 400, 'MANIFEST_BLOB_UNKNOWN', `blob ${d!.digest} unknown`);
        }
        for (const d of parsed.manifests ?? []) {
          if (!manifests.has(`${repo}@${d.digest}`)) return error(res, 400, 'MANIFEST_UNKNOWN', `manifest ${d.digest} unknown`);
        }
        manifests.set(`${repo}@${digest}`, { bytes: body, mediaType: contentType });
        if (!reference!.startsWith('sha256:')) tags.set(`${repo}:${reference}`, digest);
        const headers: Record<string, string> = { location: `/v2/${repo}/manifests/${digest}`, 'docker-content-digest': digest };
        if (parsed.subject) headers['oci-subject'] = parsed.subject.digest;
        res.writeHead(201, headers);
        return void res.end();
      }
      const digest = reference!.startsWith('sha256:') ? reference! : tags.get(`${repo}:${reference}`);
      const man = digest && manifests.get(`${repo}@${digest}`);
      if (!man) return error(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown');
      res.writeHead(200, { 'content-type': man.mediaType, 'content-length': man.bytes.length, 'docker-content-digest': digest });
      return void res.end(req.method === 'HEAD' ? undefined : man.bytes);
    }
    error(res, 404, 'NOT_FOUND', 'no such route');
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err) => error(res, 500, 'INTERNAL', String(err)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    host: `127.0.0.1:${port}`,
    log,
    stop: () => new Promise((r) => server.close(() => r())),
  };
}
