import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { NotarySignError } from '../../src/errors.js';
import { MediaType } from '../../src/oci/media-types.js';
import { RegistryClient } from '../../src/registry/client.js';
import { listReferrers } from '../../src/registry/referrers.js';
import { LocalKeySigner } from '../../src/crypto/signer.js';
import { sign } from '../../src/sign/sign.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { pushImage } from '../helpers/image.js';
import { tempDir, writeTestChain, type KeyFiles } from '../helpers/files.js';
import { startFaultProxy, type FaultProxy } from '../doubles/fault-proxy.js';

let registry: TestRegistry;
let proxy: FaultProxy;
let dir: Awaited<ReturnType<typeof tempDir>>;
let keys: KeyFiles;
let n = 0;

before(async () => {
  registry = await startRegistry();
  proxy = await startFaultProxy(registry.host);
  dir = await tempDir();
  keys = await writeTestChain(dir, 'reliability');
});
after(async () => {
  await proxy?.stop();
  await registry?.stop();
  await dir?.remove();
});
beforeEach(() => {
  proxy.faults.clear();
  proxy.faults.latencyMs = 0;
});

const client = () => new RegistryClient({ insecureRegistries: [proxy.host], maxAttempts: 4, maxRetryDelayMs: 200 });
async function fresh() {
  const repository = `rel/app${++n}`;
  const c = client();
  const d = await pushImage(c, { registry: proxy.host, repository }, 'v1');
  return { repo: { registry: proxy.host, repository }, digest: d.digest, ref: `${proxy.host}/${repository}@${d.digest}` };
}
const signers = () => LocalKeySigner.fromFiles(keys.keyPath, keys.chainPath);
const signatures = async (img: Awaited<ReturnType<typeof fresh>>) =>
  (await listReferrers(client(), img.repo, { subject: img.digest, artifactType: MediaType.NotarySignature })).descriptors;

test('429 with Retry-After on the signature manifest PUT is waited out', async () => {
  const img = await fresh();
  proxy.faults.add({ kind: '429', method: 'PUT', path: /\/manifests\/sha256:/, times: 2, retryAfter: 0 });
  const started = Date.now();
  const [r] = await sign({ images: [img.ref], signer: await signers(), registry: client() });
  assert.ok(r);
  assert.ok(Date.now() - started < 10_000);
  assert.equal(proxy.faults.count(/^PUT .*\/manifests\/sha256:/), 3, 'two 429s, then the PUT that landed');
  assert.equal((await signatures(img)).length, 1);
});

test('502 and 503 on the blob upload are retried', async () => {
  const img = await fresh();
  proxy.faults.add({ kind: '502', method: 'POST', path: /\/blobs\/uploads\/$/, times: 1 });
  proxy.faults.add({ kind: '503', method: 'PUT', path: /\/blobs\/uploads\//, times: 1 });
  await sign({ images: [img.ref], signer: await signers(), registry: client() });
  assert.equal((await signatures(img)).length, 1);
});

test('a connection reset during the upload is retried without duplicates', async () => {
  const img = await fresh();
  proxy.faults.add({ kind: 'reset', method: 'PUT', path: /\/blobs\/uploads\//, times: 1 });
  proxy.faults.add({ kind: 'reset', method: 'PUT', path: /\/manifests\/sha256-/, times: 1 });
  await sign({ images: [img.ref], signer: await signers(), registry: client() });
  assert.equal((await signatures(img)).length, 1);
});

test('slow responses are only slow', async () => {
  const img = await fresh();
  proxy.faults.latencyMs = 100;
  await sign({ images: [img.ref], signer: await signers(), registry: client() });
  assert.equal((await signatures(img)).length, 1);
});

test('a rejected manifest PUT fails clearly, leaves no index entry, and a re-run completes once', async () => {
  const img = await fresh();
  proxy.override(
    /\/manifests\/sha256:/,
    (_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'MANIFEST_INVALID', message: 'manifest invalid' }] }));
    },
    { method: 'PUT' },
  );
  await assert.rejects(sign({ images: [img.ref], signer: await signers(), registry: client() }), (err: NotarySignError) => {
    assert.equal(err.code, 'REGISTRY');
    assert.match(err.message, /^PUT manifest sha256:[0-9a-f]{64} on .* failed: 400 Bad Request: MANIFEST_INVALID manifest invalid$/);
    return true;
  });
  assert.equal((await signatures(img)).length, 0, 'nothing half-registered');
  await sign({ images: [img.ref], signer: await signers(), registry: client() });
  assert.equal((await signatures(img)).length, 1);
});

test('a registry that keeps failing: bounded retries and a clear final error', async () => {
  const img = await fresh();
  proxy.faults.add({ kind: '503', method: 'HEAD', path: /\/manifests\//, times: 100, retryAfter: 0 });
  await assert.rejects(
    sign({ images: [img.ref], signer: await signers(), registry: client() }),
    /HEAD manifest sha256:[0-9a-f]{64} on .* failed: 503 Service Unavailable/,
  );
  assert.equal(proxy.faults.count(/^HEAD .*\/manifests\//), 4, 'maxAttempts requests, no more');
});

test('oversized and malformed registry responses are refused', async () => {
  const img = await fresh();
  proxy.override(/\/manifests\/sha256-/, (_req, res) => {
    res.writeHead(200, { 'content-type': MediaType.OciIndex });
    res.end(Buffer.alloc(5 * 1024 * 1024, 0x20));
  });
  await assert.rejects(
    listReferrers(client(), img.repo, { subject: img.digest, mode: 'tag' }),
    /over the 4194304-byte limit|exceeds the 4194304-byte limit/,
  );
  proxy.override(/\/manifests\/sha256-/, (_req, res) => {
    res.writeHead(200, { 'content-type': MediaType.OciIndex });
    res.end('{"manifests": [');
  });
  await assert.rejects(
    listReferrers(client(), img.repo, { subject: img.digest, mode: 'tag' }),
    /referrers tag sha256-[0-9a-f]{64} is not valid JSON/,
  );
  proxy.override(/\/manifests\/sha256:/, (_req, res) => {
    res.writeHead(200, { 'content-type': MediaType.OciManifest });
    res.end('{"not":"the manifest you asked for"}');
  });
  await assert.rejects(
    client().getManifest(img.repo, img.digest),
    /returned content for .* whose digest is sha256:[0-9a-f]{64}; refusing it/,
  );
});
