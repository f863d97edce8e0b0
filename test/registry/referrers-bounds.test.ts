import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { MediaType } from '../../src/oci/media-types.js';
import { RegistryClient } from '../../src/registry/client.js';
import { listReferrers, REFERRER_BOUNDS } from '../../src/registry/referrers.js';

/**
 * A referrers flood (issue 13 §2): a registry that pages forever, lists endless entries, or sends megabytes of
 * padding per page. Each ends at its bound with its own message, and never as a partial list.
 */
const DIGEST = `sha256:${'b'.repeat(64)}`;
const entry = (i: number, pad = '') => ({
  mediaType: MediaType.OciManifest,
  artifactType: MediaType.NotarySignature,
  digest: `sha256:${i.toString(16).padStart(64, '0')}`,
  size: 1,
  ...(pad ? { annotations: { pad } } : {}),
});
let server: Server;
let host = '';
let pagesServed = 0;

before(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const kind = url.pathname.split('/')[2]!; // /v2/<kind>/referrers/<digest>
    const page = Number(url.searchParams.get('page') ?? 0);
    pagesServed++;
    const manifests =
      kind === 'many'
        ? Array.from({ length: 2_500 }, (_, i) => entry(page * 2_500 + i))
        : kind === 'fat'
          ? [entry(page, 'x'.repeat(3 * 1024 * 1024))]
          : [];
    res.writeHead(200, {
      'content-type': MediaType.OciIndex,
      link: `</v2/${kind}/referrers/${DIGEST}?page=${page + 1}>; rel="next"`,
    });
    res.end(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests }));
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  host = `127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(() => server?.close());

const list = (repository: string) =>
  listReferrers(new RegistryClient({ insecureRegistries: [host], maxAttempts: 1 }), { registry: host, repository }, { subject: DIGEST });

test('endless pages stop at the page bound', async () => {
  pagesServed = 0;
  await assert.rejects(list('empty'), /lists more than 100 pages of referrers for empty@sha256:b+; notary-sign reads at most that much/);
  assert.equal(pagesServed, REFERRER_BOUNDS.pages);
});

test('endless entries stop at the entry bound', async () => {
  pagesServed = 0;
  await assert.rejects(list('many'), /lists more than 10000 entries of referrers for many@/);
  assert.equal(pagesServed, 5);
});

test('padded pages stop at the byte bound', async () => {
  pagesServed = 0;
  await assert.rejects(list('fat'), /lists more than 16 MiB of referrers for fat@/);
  assert.equal(pagesServed, 6);
});
