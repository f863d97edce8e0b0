import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { MediaType } from '../../src/oci/media-types.js';
import { RegistryClient } from '../../src/registry/client.js';

/** Issue 13 §2: a registry that trickles its answer fails the read at the rate floor, not at the total timeout. */
let server: Server;
let host = '';
const timers = new Set<NodeJS.Timeout>();

before(async () => {
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': MediaType.OciManifest, 'content-length': '1000' });
    const drip = setInterval(() => res.write('{'), 200);
    timers.add(drip);
    res.on('close', () => clearInterval(drip));
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  host = `127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(() => {
  for (const t of timers) clearInterval(t);
  server?.closeAllConnections();
  server?.close();
});

test('a body trickled at 5 bytes/s fails at the floor with a message saying so', async () => {
  const client = new RegistryClient({ insecureRegistries: [host], maxAttempts: 1, rateFloor: { bytesPerSecond: 100, graceMs: 300 } });
  const started = Date.now();
  await assert.rejects(
    client.getManifest({ registry: host, repository: 'slow/app' }, 'v1'),
    /manifest v1: the server sent it too slowly \(under 100 bytes\/s after \d+ bytes\); giving up/,
  );
  // Bounded by the floor (well under the 60 s total timeout); the margin is generous, this is not a speed test.
  assert.ok(Date.now() - started < 20_000);
});
