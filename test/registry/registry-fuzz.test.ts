import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createServer } from 'node:http';
import fc from 'fast-check';
import { NotarySignError } from '../../src/errors.js';
import { parseChallenge } from '../../src/registry/challenge.js';
import { parseIndex } from '../../src/registry/referrers.js';
import { RegistryClient } from '../../src/registry/client.js';

test('property: WWW-Authenticate parsing never throws and keeps quoted values intact', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (header) => {
      const c = parseChallenge(header);
      if (c) assert.equal(typeof c.scheme, 'string');
    }),
    { numRuns: 3000 },
  );
  fc.assert(
    fc.property(fc.stringMatching(/^[a-z0-9:/._-]{1,40}$/), fc.stringMatching(/^[a-z0-9:/._,-]{0,40}$/), (realm, scope) => {
      const c = parseChallenge(`Bearer realm="${realm}",service="svc",scope="${scope}"`);
      assert.deepEqual(c, { scheme: 'bearer', params: { realm, service: 'svc', scope } });
    }),
    { numRuns: 500 },
  );
});

test('property: referrers indexes from a registry are parsed or refused, never trusted blindly', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
        fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v))),
      ),
      (bytes) => {
        try {
          for (const d of parseIndex(bytes, 'index')) {
            assert.equal(typeof d.digest, 'string');
            assert.equal(typeof d.mediaType, 'string');
            assert.equal(typeof d.size, 'number');
          }
        } catch (err) {
          assert.ok(err instanceof NotarySignError && err.code === 'REGISTRY', String(err));
        }
      },
    ),
    { numRuns: 3000 },
  );
});

test('property: arbitrary manifest responses are refused unless they hash to the digest asked for', async () => {
  // A tiny registry that answers every manifest GET with whatever the property hands it.
  let next: { status: number; body: Buffer } = { status: 200, body: Buffer.alloc(0) };
  const server = createServer((_req, res) => {
    res.writeHead(next.status, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
    res.end(next.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${(server.address() as { port: number }).port}`;
  const client = new RegistryClient({ insecureRegistries: [host], maxAttempts: 1 });
  const digest = `sha256:${'a'.repeat(64)}`;
  try {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(200, 404, 418, 500), fc.uint8Array({ maxLength: 2048 }), async (status, body) => {
        next = { status, body: Buffer.from(body) };
        // Random bytes never hash to the requested digest: every outcome is a refusal with a reason.
        await assert.rejects(
          client.getManifest({ registry: host, repository: 'x/y' }, digest),
          (err: unknown) => err instanceof NotarySignError,
        );
      }),
      { numRuns: 150 },
    );
  } finally {
    server.close();
  }
});
