import assert from 'node:assert/strict';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { RegistryClient } from '../../src/registry/client.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { pushImage } from '../helpers/image.js';
import { tempDir, writeTestChain, type KeyFiles } from '../helpers/files.js';
import { cli } from '../helpers/run.js';
import { writeTrustFiles } from '../helpers/trust.js';

/** OCI image layouts as a place an image can be: notation's own layouts, and layouts notary-sign writes. */
const CORPUS = new URL('../../../shared/interop/notation-1.3.2/cases/', import.meta.url).pathname;

let registry: TestRegistry;
let dir: Awaited<ReturnType<typeof tempDir>>;
let keys: KeyFiles;
let trust: string[];
let n = 0;

before(async () => {
  registry = await startRegistry();
  dir = await tempDir();
  keys = await writeTestChain(dir, 'layout');
  trust = (await writeTrustFiles(dir.path, { name: 'layout', rootPem: keys.root.certPem })).args;
});
after(async () => {
  await registry?.stop();
  await dir?.remove();
});

describe('OCI image layouts', () => {
  test("notation's layouts verify straight from disk, with the case's own policy and store", async () => {
    for (const name of ['jws-es256-ca', 'cose-es256-ca', 'jws-wrong-identity']) {
      const c = JSON.parse(await readFile(join(CORPUS, name, 'case.json'), 'utf8')) as { image: string; expect: string };
      const digest = c.image.split('@')[1]!;
      const r = await cli([
        'verify',
        `oci:${join(CORPUS, name, 'layout')}@${digest}`,
        '--trust-policy',
        join(CORPUS, name, 'trustpolicy.json'),
        '--trust-store',
        join(CORPUS, name, 'truststore'),
      ]);
      assert.equal(r.code, c.expect === 'pass' ? 0 : 1, `${name}: ${r.stdout}${r.stderr}`);
      assert.match(
        r.stdout,
        new RegExp(`^(PASS|FAIL)\\toci:${join(CORPUS, name, 'layout').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}@${digest}\\t`, 'm'),
      );
    }
  });

  test('sign a layout before it is pushed; copy it to a registry with its signature; it verifies there; and back', async () => {
    // A layout as a build tool writes it: start from a notation corpus layout's image, without its signatures.
    const layout = join(dir.path, `built${++n}`);
    await cp(join(CORPUS, 'jws-es256-ca', 'layout'), layout, { recursive: true });
    const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as {
      manifests: { annotations?: Record<string, string> }[];
    };
    index.manifests = index.manifests.filter((d) => d.annotations?.['org.opencontainers.image.ref.name'] === 'v1');
    await writeFile(join(layout, 'index.json'), JSON.stringify(index));
    const unsigned = await cli(['verify', `oci:${layout}:v1`, ...trust]);
    assert.equal(unsigned.code, 1);
    const signed = await cli(['sign', `oci:${layout}:v1`, '--key', keys.keyPath, '--certificate-chain', keys.chainPath]);
    assert.equal(signed.code, 0, signed.stderr);
    assert.match(signed.stdout, new RegExp(`^SIGNED\\toci:${layout.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}@sha256:`, 'm'));
    const verified = await cli(['verify', `oci:${layout}:v1`, ...trust]);
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
    // What notary-sign wrote is laid out as notation writes it: the signature listed with its artifact type, and the tag index.
    const after = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as {
      manifests: { artifactType?: string; annotations?: Record<string, string> }[];
    };
    assert.ok(after.manifests.some((d) => d.artifactType === 'application/vnd.cncf.notary.signature'));
    assert.ok(after.manifests.some((d) => /^sha256-[0-9a-f]{64}$/.test(d.annotations?.['org.opencontainers.image.ref.name'] ?? '')));

    const insecure = ['--insecure-registry', registry.host];
    const up = await cli(['copy', `oci:${layout}:v1`, `${registry.host}/from-layout/app${n}:v1`, ...insecure]);
    assert.equal(up.code, 0, up.stderr);
    const atRegistry = await cli(['verify', `${registry.host}/from-layout/app${n}:v1`, ...trust, ...insecure]);
    assert.equal(atRegistry.code, 0, atRegistry.stdout + atRegistry.stderr);
    const back = join(dir.path, `back${n}`);
    const down = await cli(['copy', `${registry.host}/from-layout/app${n}:v1`, `oci:${back}:v1`, ...insecure]);
    assert.equal(down.code, 0, down.stderr);
    const again = await cli(['verify', `oci:${back}:v1`, ...trust]);
    assert.equal(again.code, 0, again.stdout + again.stderr);
  });

  test('a registry image to a new layout and back keeps every digest', async () => {
    const client = new RegistryClient({ insecureRegistries: [registry.host] });
    const d = await pushImage(client, { registry: registry.host, repository: `layout/src${++n}` }, 'v1');
    const layout = join(dir.path, `roundtrip${n}`);
    const r = await cli([
      'copy',
      `${registry.host}/layout/src${n}@${d.digest}`,
      `oci:${layout}`,
      '--insecure-registry',
      registry.host,
      '--output',
      'json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).destination, `oci:${layout}@${d.digest}`);
    const back = await cli(['copy', `oci:${layout}@${d.digest}`, `${registry.host}/layout/dst${n}`, '--insecure-registry', registry.host]);
    assert.equal(back.code, 0, back.stderr);
    const head = await fetch(`http://${registry.host}/v2/layout/dst${n}/manifests/${d.digest}`, {
      method: 'HEAD',
      headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    assert.equal(head.status, 200);
  });

  test('a path that is not a layout is one line, and nothing is created', async () => {
    const r = await cli(['verify', `oci:${join(dir.path, 'nothing-here')}:v1`, ...trust]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^error: <image>: \S+nothing-here is not an OCI image layout \(no oci-layout file\); the directory does not exist$/m,
    );
  });
});
