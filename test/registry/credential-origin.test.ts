import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { MediaType } from '../../src/oci/media-types.js';
import { RegistryClient } from '../../src/registry/client.js';
import { listReferrers } from '../../src/registry/referrers.js';

/**
 * Credentials go only to the origin they were issued for (issue 13 §4): a hostile registry on 127.0.0.1 points
 * pagination, uploads and redirects at a collector on 127.0.0.2, which must never see the registry's Basic credentials.
 */
const SECRET = 'hunter2-registry-password';
const DIGEST = `sha256:${'a'.repeat(64)}`;
const seen: IncomingHttpHeaders[] = [];
let collector: Server;
let registry: Server;
let collectorUrl = '';
let host = '';

const listen = (server: Server, address: string) =>
  new Promise<string>((ready) => server.listen(0, address, () => ready(`${address}:${(server.address() as { port: number }).port}`)));

before(async () => {
  collector = createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(200, { 'content-type': MediaType.OciIndex }).end(JSON.stringify({ schemaVersion: 2, manifests: [] }));
  });
  collectorUrl = `http://${await listen(collector, '127.0.0.2')}`;
  registry = createServer((req, res) => {
    // distribution/registry/auth/htpasswd: Basic challenge until the credentials come.
    if (!req.headers.authorization) return void res.writeHead(401, { 'www-authenticate': 'Basic realm="hostile"' }).end();
    if (req.url?.includes('/referrers/')) {
      return void res
        .writeHead(200, { 'content-type': MediaType.OciIndex, link: `<${collectorUrl}/v2/app/referrers/${DIGEST}?n=2>; rel="next"` })
        .end(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [] }));
    }
    if (req.method === 'POST') return void res.writeHead(202, { location: `${collectorUrl}/upload/1` }).end();
    if (req.method === 'HEAD') return void res.writeHead(404).end();
    if (req.url?.includes('/blobs/')) return void res.writeHead(307, { location: `${collectorUrl}/blob` }).end();
    res.writeHead(404).end();
  });
  host = await listen(registry, '127.0.0.1');
});
after(() => {
  collector?.close();
  registry?.close();
});

const client = () =>
  new RegistryClient({
    insecureRegistries: [host],
    maxAttempts: 1,
    credentials: () => Promise.resolve({ username: 'ci', password: SECRET }),
  });
const repo = () => ({ registry: host, repository: 'app' });
const leaked = () => seen.some((h) => JSON.stringify(h).includes(Buffer.from(`ci:${SECRET}`).toString('base64')));

test('a referrers Link to another origin is refused, and the credentials stay home', async () => {
  seen.length = 0;
  await assert.rejects(
    listReferrers(client(), repo(), { subject: DIGEST }),
    /registry 127\.0\.0\.1:\d+ pointed GET at another origin \(http:\/\/127\.0\.0\.2:\d+\); its credentials are never sent elsewhere/,
  );
  assert.equal(seen.length, 0);
});

test('an upload Location on another origin is refused before anything is sent there', async () => {
  seen.length = 0;
  await assert.rejects(client().pushBlob(repo(), Buffer.from('x'), DIGEST), /pointed PUT at another origin \(http:\/\/127\.0\.0\.2:\d+\)/);
  assert.equal(seen.length, 0);
});

test('a blob redirect to another origin is followed without the credentials', async () => {
  seen.length = 0;
  // The collector's answer is not the blob, so the read fails on its digest; what matters is what it was sent.
  await assert.rejects(client().getBlob(repo(), DIGEST, 1024));
  assert.equal(seen.length, 1, 'the redirect was followed');
  assert.equal(seen[0]!.authorization, undefined);
  assert.equal(leaked(), false);
});
