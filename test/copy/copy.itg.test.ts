import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RegistryClient } from '../../src/registry/client.js';
import { EMPTY_CONFIG, EMPTY_CONFIG_BYTES, MediaType, type Descriptor } from '../../src/oci/media-types.js';
import { pushReferrer } from '../../src/registry/referrers.js';
import { sha256Digest } from '../../src/util/encoding.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { startFaultProxy, type FaultProxy } from '../doubles/fault-proxy.js';
import { pushImage, pushIndex } from '../helpers/image.js';
import { tempDir, writeTestChain, type KeyFiles } from '../helpers/files.js';
import { cli } from '../helpers/run.js';
import { runAction } from '../helpers/action.js';
import { writeTrustFiles } from '../helpers/trust.js';

/** Signatures travel with images: two real distribution registries on loopback, and a fault proxy. */
let a: TestRegistry;
let b: TestRegistry;
let proxy: FaultProxy;
let client: RegistryClient;
let dir: Awaited<ReturnType<typeof tempDir>>;
let keys: KeyFiles;
let trust: string[];
let n = 0;

before(async () => {
  a = await startRegistry();
  b = await startRegistry();
  proxy = await startFaultProxy(b.host);
  client = new RegistryClient({ insecureRegistries: [a.host, b.host, proxy.host] });
  dir = await tempDir();
  keys = await writeTestChain(dir, 'copy');
  trust = (await writeTrustFiles(dir.path, { name: 'copy', rootPem: keys.root.certPem })).args;
});
after(async () => {
  await proxy?.stop();
  await b?.stop();
  await a?.stop();
  await dir?.remove();
});

const insecure = () => ['--insecure-registry', a.host, '--insecure-registry', b.host, '--insecure-registry', proxy.host];

async function signedImage(): Promise<{ repository: string; digest: string; ref: string }> {
  const repository = `copy/app${++n}`;
  const d = await pushImage(client, { registry: a.host, repository }, 'v1');
  const ref = `${a.host}/${repository}@${d.digest}`;
  const s = await cli(['sign', ref, '--key', keys.keyPath, '--certificate-chain', keys.chainPath, ...insecure()]);
  assert.equal(s.code, 0, s.stderr);
  return { repository, digest: d.digest, ref };
}

async function tagIndex(host: string, repository: string, digest: string): Promise<string[]> {
  const res = await fetch(`http://${host}/v2/${repository}/manifests/${digest.replace(':', '-')}`, {
    headers: { accept: MediaType.OciIndex },
  });
  if (res.status === 404) return [];
  return ((await res.json()) as { manifests: Descriptor[] }).manifests.map((d) => d.digest);
}

describe('copy an image with its signatures', () => {
  test('registry to registry: digests kept, the signature verifies at the destination, a re-run copies nothing', async () => {
    const img = await signedImage();
    const source = await tagIndex(a.host, img.repository, img.digest);
    assert.equal(source.length, 1);
    const r = await cli(['copy', img.ref, `${b.host}/promoted/app${n}:v1`, ...insecure(), '--output', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.destination, `${b.host}/promoted/app${n}@${img.digest}`);
    assert.equal(doc.upToDate, false);
    assert.deepEqual(
      doc.referrers.map((x: { digest: string }) => x.digest),
      source,
    );
    // Byte for byte: the same signature manifest digest at the destination, and it verifies there.
    assert.deepEqual(await tagIndex(b.host, `promoted/app${n}`, img.digest), source);
    const v = await cli(['verify', `${b.host}/promoted/app${n}:v1`, ...trust, ...insecure()]);
    assert.equal(v.code, 0, v.stdout + v.stderr);
    const again = await cli(['copy', img.ref, `${b.host}/promoted/app${n}:v1`, ...insecure()]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^UP-TO-DATE\t/m);
    assert.match(again.stderr, /already has the image and its 1 referrer\(s\): nothing copied/);
    assert.deepEqual(await tagIndex(b.host, `promoted/app${n}`, img.digest), source, 'no duplicate entry');
  });

  test('an index with two platforms: every child and every child signature goes along', async () => {
    const repository = `copy/multi${++n}`;
    const { index, children } = await pushIndex(client, { registry: a.host, repository }, 'v1');
    const ref = `${a.host}/${repository}@${index.digest}`;
    const s = await cli(['sign', ref, '--recursive', '--key', keys.keyPath, '--certificate-chain', keys.chainPath, ...insecure()]);
    assert.equal(s.code, 0, s.stderr);
    const r = await cli(['copy', ref, `${b.host}/${repository}`, ...insecure(), '--output', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).referrers.length, 3);
    for (const child of children) {
      assert.equal((await tagIndex(b.host, repository, child.digest)).length, 1);
      const v = await cli(['verify', `${b.host}/${repository}@${child.digest}`, ...trust, ...insecure()]);
      assert.equal(v.code, 0, v.stdout + v.stderr);
    }
  });

  test('within one registry, blobs are mounted, not uploaded again', async () => {
    const img = await signedImage();
    const r = await cli(['copy', img.ref, `${a.host}/mirror/app${n}`, ...insecure(), '--output', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.ok(doc.blobs.mounted >= 2, JSON.stringify(doc.blobs));
    assert.equal(doc.blobs.copied, 0);
  });

  test('a copy cut off by a failing destination completes on re-run, without duplicates', async () => {
    const img = await signedImage();
    const dest = `${proxy.host}/resumed/app${n}`;
    // The signature manifest's PUT fails once (a 500 on a write is not retried): the image is there, the signature not.
    proxy.override(/\/manifests\/sha256:/, (_req, res) => void res.writeHead(500).end('{"errors":[{"code":"UNKNOWN"}]}'), {
      times: 1,
      method: 'PUT',
    });
    const first = await cli(['copy', img.ref, dest, ...insecure()]);
    assert.equal(first.code, 1);
    assert.equal(
      first.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('error:')).length,
      1,
      first.stderr,
    );
    const second = await cli(['copy', img.ref, dest, ...insecure(), '--output', 'json']);
    assert.equal(second.code, 0, second.stderr);
    assert.equal((await tagIndex(b.host, `resumed/app${n}`, img.digest)).length, 1);
    const v = await cli(['verify', `${dest}@${img.digest}`, ...trust, ...insecure()]);
    assert.equal(v.code, 0, v.stdout + v.stderr);
  });

  test('with trust inputs, an image that does not verify is not copied at all', async () => {
    const repository = `copy/unsigned${++n}`;
    const d = await pushImage(client, { registry: a.host, repository }, 'v1');
    const r = await cli(['copy', `${a.host}/${repository}@${d.digest}`, `${b.host}/gated/app${n}`, ...trust, ...insecure()]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: the source did not verify, so nothing was copied: \S+unsigned\d+@sha256:/m);
    assert.match(r.stdout, /^FAIL\t.*no signature found/m);
    const there = await fetch(`http://${b.host}/v2/gated/app${n}/manifests/${d.digest}`, {
      method: 'HEAD',
      headers: { accept: MediaType.OciManifest },
    });
    assert.equal(there.status, 404);
    const signed = await signedImage();
    const ok = await cli(['copy', signed.ref, `${b.host}/gated/app${n}`, ...trust, ...insecure()]);
    assert.equal(ok.code, 0, ok.stderr);
    const copied = await fetch(`http://${b.host}/v2/gated/app${n}/manifests/${signed.digest}`, {
      method: 'HEAD',
      headers: { accept: MediaType.OciManifest },
    });
    assert.equal(copied.status, 200, 'the same request finds what was copied');
  });

  test('only signatures by default; every referrer with --all-referrers', async () => {
    const img = await signedImage();
    const subject = { mediaType: MediaType.OciManifest, digest: img.digest, size: 0 };
    const head = await fetch(`http://${a.host}/v2/${img.repository}/manifests/${img.digest}`, { method: 'HEAD' });
    subject.size = Number(head.headers.get('content-length'));
    // An SBOM-like artifact that refers to the image.
    const sbom = Buffer.from('{"spdxVersion":"SPDX-2.3"}');
    const repo = { registry: a.host, repository: img.repository };
    await client.pushBlob(repo, EMPTY_CONFIG_BYTES, EMPTY_CONFIG.digest);
    await client.pushBlob(repo, sbom, sha256Digest(sbom));
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.OciManifest,
        artifactType: 'application/spdx+json',
        config: EMPTY_CONFIG,
        layers: [{ mediaType: 'application/spdx+json', digest: sha256Digest(sbom), size: sbom.length }],
        subject,
      }),
    );
    const descriptor = {
      mediaType: MediaType.OciManifest,
      digest: sha256Digest(manifest),
      size: manifest.length,
      artifactType: 'application/spdx+json',
    };
    await pushReferrer(client, repo, { manifest: { bytes: manifest, descriptor }, subject: img.digest, mode: 'tag' });
    await cli(['copy', img.ref, `${b.host}/signatures-only/app${n}`, ...insecure()]);
    assert.ok(!(await tagIndex(b.host, `signatures-only/app${n}`, img.digest)).includes(descriptor.digest));
    const all = await cli(['copy', img.ref, `${b.host}/everything/app${n}`, '--all-referrers', ...insecure()]);
    assert.equal(all.code, 0, all.stderr);
    assert.ok((await tagIndex(b.host, `everything/app${n}`, img.digest)).includes(descriptor.digest));
  });

  test('bad input: one line each, nothing written', async () => {
    const img = await signedImage();
    const cases: [string[], RegExp][] = [
      [['copy', `${a.host}/copy/none@sha256:${'0'.repeat(64)}`, `${b.host}/x/y`], /^error: image .* was not found/],
      [['copy', img.ref, `${a.host}/${img.repository}`], /^error: <destination>: .* is the source repository itself/],
      [['copy', img.ref], /^error: copy takes a source image and a destination/],
      [['copy', img.ref, `${b.host}/x/y@sha256:${'1'.repeat(64)}`], /^error: <destination>: sha256:1+ is not the source's digest/],
    ];
    for (const [args, pattern] of cases) {
      const r = await cli([...args, ...insecure()]);
      assert.equal(r.code, 1, args.join(' '));
      assert.match(r.stderr, pattern);
    }
  });

  test('a destination without push rights, and a source that sends other bytes: one line, no image at the destination', async () => {
    const img = await signedImage();
    const readOnly = await startRegistry({ readOnlyView: b });
    try {
      const denied = await cli(['copy', img.ref, `${readOnly.host}/denied/app${n}`, ...insecure(), '--insecure-registry', readOnly.host]);
      assert.equal(denied.code, 1);
      assert.equal(denied.stderr.trim().split('\n').length, 1, denied.stderr);
      assert.match(denied.stderr, /^error: .*denied\/app\d+.* failed: 405/);
    } finally {
      await readOnly.stop();
    }
    // The source, through the proxy, answers the layer's GET with other bytes of the right length.
    const { bytes } = await client.getManifest({ registry: a.host, repository: img.repository }, img.digest);
    const layer = (JSON.parse(bytes.toString()) as { layers: Descriptor[] }).layers[0]!;
    const other = Buffer.alloc(layer.size, 7);
    const sourceProxy = await startFaultProxy(a.host);
    try {
      sourceProxy.override(
        new RegExp(`/blobs/${layer.digest}$`),
        (_req, res) => void res.writeHead(200, { 'content-length': String(other.length) }).end(other),
        {
          times: 5,
          method: 'GET',
        },
      );
      const r = await cli([
        'copy',
        `${sourceProxy.host}/${img.repository}@${img.digest}`,
        `${b.host}/tampered/app${n}`,
        ...insecure(),
        '--insecure-registry',
        sourceProxy.host,
      ]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^error: .*(DIGEST_INVALID|sent blob sha256:[0-9a-f]{64} with other content)/m);
      const there = await fetch(`http://${b.host}/v2/tampered/app${n}/manifests/${img.digest}`, {
        method: 'HEAD',
        headers: { accept: MediaType.OciManifest },
      });
      assert.equal(there.status, 404, 'no manifest names a blob that never arrived');
    } finally {
      await sourceProxy.stop();
    }
  });

  test('the action copies as the CLI does, with its outputs and summary', async () => {
    const img = await signedImage();
    const r = await runAction(
      dir.path,
      { command: 'copy', image: img.ref, destination: `${b.host}/action/app${n}`, 'insecure-registries': `${a.host}\n${b.host}` },
      { ...process.env, DOCKER_CONFIG: '/nonexistent' },
    );
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.outputs['copied-digest'], `${b.host}/action/app${n}@${img.digest}`);
    assert.equal(JSON.parse(r.outputs['signature-digests']!).length, 1);
    assert.match(r.summary, /### notary-sign: copied/);
  });
});

describe('verify at the source when a mirror does not carry the signatures', () => {
  let cache: TestRegistry;
  before(async () => {
    cache = await startRegistry({ pullThroughOf: a });
  });
  after(() => cache?.stop());

  test('a pull-through cache and a plain mirror: signature-source verifies against the source, under its scope', async () => {
    const img = await signedImage();
    const viaCache = `${cache.host}/${img.repository}@${img.digest}`;
    const all = [...insecure(), '--insecure-registry', cache.host];
    // What the cache serves on its own: recorded, not relied on.
    const plain = await cli(['verify', viaCache, ...trust, ...all]);
    const mapped = await cli(['verify', viaCache, ...trust, ...all, '--signature-source', `${cache.host}/* = ${a.host}/*`, '--verbose']);
    assert.equal(mapped.code, 0, mapped.stdout + mapped.stderr);
    assert.match(mapped.stderr, new RegExp(`looking up its signatures at the source, ${a.host.replace(/\./g, '\\.')}/${img.repository}@`));
    process.stderr.write(`# pull-through cache without signature-source: exit ${plain.code} (${plain.stdout.split('\t')[0]})\n`);

    // A mirror that copied the image bytes but none of its referrers.
    const mirrorRepo = `mirror/app${n}`;
    const { bytes, mediaType } = await client.getManifest({ registry: a.host, repository: img.repository }, img.digest);
    const manifest = JSON.parse(bytes.toString()) as { config: Descriptor; layers: Descriptor[] };
    for (const blob of [manifest.config, ...manifest.layers])
      await client.copyBlob({ registry: a.host, repository: img.repository }, { registry: b.host, repository: mirrorRepo }, blob);
    await client.putManifest({ registry: b.host, repository: mirrorRepo }, { reference: img.digest, bytes, mediaType });
    const mirrored = `${b.host}/${mirrorRepo}@${img.digest}`;
    const unsigned = await cli(['verify', mirrored, ...trust, ...all]);
    assert.equal(unsigned.code, 1);
    const rule = `${b.host}/mirror/* = ${a.host}/copy/*`;
    const atSource = await cli(['verify', mirrored, ...trust, ...all, '--signature-source', rule]);
    assert.equal(atSource.code, 0, atSource.stdout + atSource.stderr);
    assert.match(
      atSource.stderr,
      new RegExp(
        `has no signature of ${img.digest}; its source .* does\\. To carry them to the mirror: notary-sign copy ${a.host.replace(/\./g, '\\.')}/copy/app${n}@${img.digest} ${b.host.replace(/\./g, '\\.')}/mirror/app${n}`,
      ),
    );
    const bad = await cli(['verify', mirrored, ...trust, ...all, '--signature-source', 'nonsense']);
    assert.match(bad.stderr, /^error: --signature-source: "nonsense" is not <mirror>\[\/\*\] = <source>\[\/\*\]/);
  });
});
