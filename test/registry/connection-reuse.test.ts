import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { httpFetch } from '../../src/util/http.js';

/**
 * A cancelled body keeps its connection when it is short: the registry client cancels 401 challenges and the
 * empty bodies of 201/202 answers, and every destroyed connection costs a new (TLS) handshake on the next request.
 */
let server: Server;
let base = '';
let connections = 0;
/** Resolved when the server sees the client drop a response it never finished. */
let dropped: Promise<void> = Promise.resolve();

before(async () => {
  server = createServer((req, res) => {
    if (req.url === '/long' || req.url === '/unsized') dropped = new Promise((r) => res.once('close', () => r()));
    if (req.url === '/long') {
      res.writeHead(200, { 'content-length': String(1024 * 1024) });
      res.write(Buffer.alloc(16 * 1024)); // the rest never comes
      return;
    }
    if (req.url === '/unsized') {
      res.writeHead(200, { 'transfer-encoding': 'chunked' });
      res.write('{'); // nor here
      return;
    }
    const body = req.url === '/challenge' ? '{"errors":[{"code":"UNAUTHORIZED"}]}' : '';
    res.writeHead(req.url === '/challenge' ? 401 : 202, { 'content-length': String(body.length) });
    res.end(body);
  });
  server.on('connection', () => connections++);
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(() => {
  server?.closeAllConnections();
  server?.close();
});

test('short cancelled bodies (a 401 challenge, an empty 202) leave the connection for the next request', async () => {
  connections = 0;
  for (let i = 0; i < 6; i++) {
    const res = await httpFetch(`${base}/${i % 2 ? 'challenge' : 'accepted'}`, { method: 'POST' });
    await res.body?.cancel();
    await new Promise((r) => setTimeout(r, 20)); // the drain ends (a request sent before it would need its own)
  }
  // Destroyed on cancel, each would need its own: six.
  assert.ok(connections <= 2, `six requests, one after another, over ${connections} connection(s)`);
});

test('a long or unsized body is cut off when cancelled, not read on', async () => {
  for (const path of ['/long', '/unsized']) {
    const res = await httpFetch(`${base}${path}`, {});
    const started = Date.now();
    await res.body?.cancel();
    await dropped;
    assert.ok(Date.now() - started < 1000, `${path}: the connection was closed at once`);
  }
});
