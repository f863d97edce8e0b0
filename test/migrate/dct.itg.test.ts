import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { RegistryClient, type Repository } from '../../src/registry/client.js';
import type { Descriptor } from '../../src/oci/media-types.js';
import { migrateDct } from '../../src/migrate/dct.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { startNotaryServer, rootKeyIds, type TestNotary } from '../helpers/notary.js';
import { startFaultProxy, type FaultProxy } from '../doubles/fault-proxy.js';
import { startRegistryTokenServer, type RegistryTokenServer } from '../doubles/registry-token.js';
import { pushImage } from '../helpers/image.js';
import { tempDir, writeTestChain, type KeyFiles } from '../helpers/files.js';
import { cli } from '../helpers/run.js';
import { runAction } from '../helpers/action.js';
import { writeTrustFiles } from '../helpers/trust.js';

/**
 * Docker Content Trust to Notary Project signatures, end to end with real parts: the CNCF distribution
 * registry, the real notary-server 0.7 and trust data made by the real `notary` CLI as `docker trust sign` would.
 */
let registry: TestRegistry;
let server: TestNotary;
let proxy: FaultProxy;
let client: RegistryClient;
let dir: Awaited<ReturnType<typeof tempDir>>;
let keys: KeyFiles;
let trust: string[];
let n = 0;

before(async () => {
  registry = await startRegistry();
  server = await startNotaryServer();
  proxy = await startFaultProxy(server.host);
  client = new RegistryClient({ insecureRegistries: [registry.host] });
  dir = await tempDir();
  keys = await writeTestChain(dir, 'dct');
  trust = (await writeTrustFiles(dir.path, { name: 'dct', rootPem: keys.root.certPem })).args;
});
after(async () => {
  await proxy?.stop();
  await server?.stop();
  await registry?.stop();
  await dir?.remove();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests reach into metadata to tamper with it
type Doc = Record<string, any>;
const sha256Hex = (digest: string) => digest.replace(/^sha256:/, '');

/** A new repository with images pushed under `tags`; returns its GUN and each tag's descriptor. */
async function repository(tags: string[]): Promise<{ gun: string; repo: Repository; images: Record<string, Descriptor> }> {
  const repo = { registry: registry.host, repository: `dct/app${++n}` };
  const images: Record<string, Descriptor> = {};
  for (const tag of tags) images[tag] = await pushImage(client, repo, tag);
  return { gun: `${repo.registry}/${repo.repository}`, repo, images };
}

/** `docker trust sign` for each tag, done with the notary CLI: init, addhash with the manifest's digest and size, publish. */
async function dctSign(gun: string, targets: Record<string, { digest: string; size: number }>, extra: string[] = []): Promise<void> {
  await server.notary(['init', gun]);
  for (const [tag, d] of Object.entries(targets))
    await server.notary(['addhash', gun, tag, String(d.size), '--sha256', sha256Hex(d.digest), ...extra]);
  await server.notary(['publish', gun]);
}

const insecure = (...hosts: string[]) => [registry.host, server.host, ...hosts].flatMap((h) => ['--insecure-registry', h]);
const signing = () => ['--key', keys.keyPath, '--certificate-chain', keys.chainPath];
const migrate = (args: string[], notaryUrl = server.url) =>
  cli(['migrate-dct', ...args, '--notary-server', notaryUrl, ...insecure(new URL(notaryUrl).host), ...signing(), '--output', 'json']);

type Json = {
  ok: boolean;
  error?: string;
  repositories: { gun: string; verified: boolean; reason?: string; rootVersion?: number; tags: Tag[] }[];
};
type Tag = {
  tag: string;
  digest: string;
  outcome: string;
  role: string;
  roleVersion: number;
  keyIds: string[];
  reason?: string;
  signatureDigest?: string;
};
const tagsOf = (r: { stdout: string }) =>
  Object.fromEntries((JSON.parse(r.stdout) as Json).repositories.flatMap((x) => x.tags).map((t) => [t.tag, t]));

describe('migrate-dct', () => {
  test('signed tags become Notary Project signatures that verify with their provenance; a re-run signs nothing', async () => {
    const { gun, repo, images } = await repository(['v1', 'v2']);
    const v2 = await client.getManifest(repo, 'v2');
    await client.putManifest(repo, { reference: 'latest', bytes: v2.bytes, mediaType: v2.mediaType });
    await dctSign(gun, { v1: images.v1!, v2: images.v2!, latest: images.v2! });
    const [rootKey] = await rootKeyIds(server);

    const first = await migrate([gun, '--dct-root-key', rootKey!]);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    const tags = tagsOf(first);
    assert.deepEqual(Object.keys(tags).sort(), ['latest', 'v1', 'v2']);
    for (const t of Object.values(tags)) assert.equal(t.outcome, 'migrated', JSON.stringify(t));
    assert.equal(tags.v1!.digest, images.v1!.digest);
    // One signature per digest, naming both tags DCT gave it.
    assert.equal(tags.latest!.signatureDigest, tags.v2!.signatureDigest);
    assert.notEqual(tags.v1!.signatureDigest, tags.v2!.signatureDigest);
    assert.equal(tags.v1!.role, 'targets');
    assert.doesNotMatch(first.stderr, /trusted on first use|trusting root key/);

    const required = (k: string, v: string) => ['--required-annotation', `io.notary-sign.dct.${k}=${v}`];
    const verify = await cli([
      'verify',
      `${gun}:v2`,
      ...trust,
      ...insecure(),
      ...required('gun', gun),
      ...required('tags', 'latest,v2'),
      ...required('role', 'targets'),
      ...required('root-key-ids', rootKey!),
    ]);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    const wrong = await cli(['verify', `${gun}:v1`, ...trust, ...insecure(), ...required('gun', 'elsewhere/app')]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stdout, /io\.notary-sign\.dct\.gun/);

    const again = await migrate([gun, '--dct-root-key', rootKey!]);
    assert.equal(again.code, 0, again.stderr);
    for (const t of Object.values(tagsOf(again))) {
      assert.equal(t.outcome, 'already-migrated');
      assert.equal(t.signatureDigest, tags[t.tag]!.signatureDigest);
    }
    assert.match(again.stderr, /migrate-dct: 3 already-migrated in/);
  });

  test('a tag signed through the targets/releases delegation, as docker trust signers do', async () => {
    const { gun, images } = await repository(['v1', 'rel']);
    await dctSign(gun, { v1: images.v1! });
    const { key, cert } = await delegationKey(`releases${n}`);
    await server.notary(['delegation', 'add', gun, 'targets/releases', cert, '--all-paths']);
    await server.notary(['key', 'import', key, '--role', 'releases']);
    await server.notary([
      'addhash',
      gun,
      'rel',
      String(images.rel!.size),
      '--sha256',
      sha256Hex(images.rel!.digest),
      '--roles',
      'targets/releases',
    ]);
    await server.notary(['publish', gun]);

    const r = await migrate([gun]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stderr, /trusting root key [0-9a-f]{64} on first use/);
    const tags = tagsOf(r);
    assert.equal(tags.rel!.role, 'targets/releases');
    assert.equal(tags.v1!.role, 'targets');
    assert.notDeepEqual(tags.rel!.keyIds, tags.v1!.keyIds);
    const verify = await cli([
      'verify',
      `${gun}:rel`,
      ...trust,
      ...insecure(),
      '--required-annotation',
      'io.notary-sign.dct.role=targets/releases',
    ]);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  });

  test('a rotated root: a pin of the first root key anchors through the rotation it signed; another pin is refused', async () => {
    const { gun, images } = await repository(['v1']);
    await dctSign(gun, { v1: images.v1! });
    const [oldKey] = await rootKeyIds(server);
    await server.notary(['key', 'rotate', gun, 'root'], { input: 'yes\n' });
    const r = await migrate([gun, '--dct-root-key', oldKey!]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const repo = (JSON.parse(r.stdout) as Json).repositories[0]!;
    assert.equal(repo.rootVersion, 2);
    assert.equal(tagsOf(r).v1!.outcome, 'migrated');

    const other = randomBytes(32).toString('hex');
    const refused = await migrate([gun, '--dct-root-key', other]);
    assert.equal(refused.code, 1);
    assert.match(refused.stdout, new RegExp(`UNVERIFIABLE|no root key matches the pin \\(${other}\\)`));
    assert.match((JSON.parse(refused.stdout) as Json).repositories[0]!.reason!, /no root key matches the pin/);
  });

  test('a tag moved since DCT signed it is reported, and signed only with --sign-moved; a vanished digest is missing', async () => {
    const { gun, repo, images } = await repository(['v1', 'v2']);
    const gone = { digest: `sha256:${randomBytes(32).toString('hex')}`, size: 512 };
    await dctSign(gun, { v1: images.v1!, v2: images.v2!, gone });
    const moved = await pushImage(client, repo, 'v1');

    const r = await migrate([gun]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const tags = tagsOf(r);
    assert.equal(tags.v1!.outcome, 'moved');
    assert.match(tags.v1!.reason!, new RegExp(`now points to ${moved.digest}; DCT signed ${images.v1!.digest}`));
    assert.equal(tags.gone!.outcome, 'missing');
    assert.match(tags.gone!.reason!, /is no longer in the registry/);
    assert.equal(tags.v2!.outcome, 'migrated');
    const unsigned = await cli(['verify', `${gun}@${images.v1!.digest}`, ...trust, ...insecure()]);
    assert.equal(unsigned.code, 1, 'a moved tag is not signed without --sign-moved');

    const withMoved = await migrate([gun, '--sign-moved']);
    assert.equal(withMoved.code, 0, withMoved.stderr);
    const after = tagsOf(withMoved);
    assert.equal(after.v1!.outcome, 'migrated');
    assert.match(after.v1!.reason!, /signed: sign-moved/);
    const signed = await cli(['verify', `${gun}@${images.v1!.digest}`, ...trust, ...insecure()]);
    assert.equal(signed.code, 0, signed.stdout + signed.stderr);
    const current = await cli(['verify', `${gun}:v1`, ...trust, ...insecure()]);
    assert.equal(current.code, 1, 'what the tag points to now was never vouched for by DCT');
  });

  test('by default the registry itself serves the trust data, as ACR does', async () => {
    // One host for both, as on ACR: /v2/<gun>/_trust/ goes to notary-server, everything else to the registry.
    const acrLike = await startFaultProxy(registry.host);
    try {
      acrLike.override(
        /\/_trust\/tuf\//,
        (req, res) =>
          void fetch(`${server.url}${req.url}`).then(async (r) =>
            res.writeHead(r.status, { 'content-type': 'application/json' }).end(Buffer.from(await r.arrayBuffer())),
          ),
        { times: 100 },
      );
      const { repo, images } = await repository(['v1']);
      const gun = `${acrLike.host}/${repo.repository}`;
      await dctSign(gun, { v1: images.v1! });
      const r = await cli(['migrate-dct', gun, ...insecure(acrLike.host), ...signing(), '--output', 'json']);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(tagsOf(r).v1!.outcome, 'migrated');
    } finally {
      await acrLike.stop();
    }
  });

  test('a signed target whose name is not an image tag is reported and never put into a registry URL', async () => {
    const { gun, images } = await repository(['v1']);
    await dctSign(gun, { v1: images.v1!, '../../evil/manifests/x': images.v1! });
    const r = await migrate([gun]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const repo = (JSON.parse(r.stdout) as Json & { repositories: { ignored: { tag: string; reason: string }[] }[] }).repositories[0]!;
    assert.deepEqual(repo.ignored, [{ tag: '../../evil/manifests/x', reason: 'its name is not an image tag' }]);
    assert.deepEqual(
      repo.tags.map((t) => [t.tag, t.outcome]),
      [['v1', 'migrated']],
    );
  });

  test('--dry-run verifies and compares but signs nothing', async () => {
    const { gun, images } = await repository(['v1']);
    await dctSign(gun, { v1: images.v1! });
    const r = await migrate([gun, '--dry-run']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(tagsOf(r).v1!.outcome, 'would-migrate');
    const v = await cli(['verify', `${gun}:v1`, ...trust, ...insecure()]);
    assert.equal(v.code, 1);
  });

  describe('nothing is migrated from trust data that does not verify, each with its own reason', () => {
    let gun: string;
    let images: Record<string, Descriptor>;
    before(async () => {
      ({ gun, images } = await repository(['v1']));
      await dctSign(gun, { v1: images.v1! });
    });

    /** Serve `role`.json through the proxy changed by `change`; the rest comes from the real server. */
    async function tampered(role: string, change: (doc: Doc) => void): Promise<{ code: number; reason: string }> {
      proxy.override(new RegExp(`/_trust/tuf/${role}\\.json$`), (req, res) => {
        void fetch(`${server.url}${req.url}`)
          .then((r) => r.json())
          .then((doc: Doc) => {
            change(doc);
            res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc));
          });
      });
      const r = await migrate([gun], `http://${proxy.host}`);
      const repo = (JSON.parse(r.stdout) as Json).repositories[0]!;
      assert.equal(repo.verified, false);
      assert.equal(repo.tags.length, 0);
      return { code: r.code, reason: repo.reason! };
    }

    test('a target added after signing', async () => {
      const r = await tampered('targets', (d) => (d.signed.targets.extra = { ...d.signed.targets.v1 }));
      assert.equal(r.code, 1);
      assert.match(r.reason, /^targets\.json is larger than the \d+ bytes expected: it was tampered with$/);
    });
    test('a target removed after signing', async () => {
      const r = await tampered('targets', (d) => delete d.signed.targets.v1);
      assert.match(r.reason, /^targets\.json is \d+ bytes but snapshot\.json records \d+: it was tampered with$/);
    });
    test('a target changed with its length kept', async () => {
      const r = await tampered('targets', (d) => (d.signed.targets.v1.hashes.sha256 = Buffer.alloc(32, 7).toString('base64')));
      assert.match(r.reason, /^targets\.json does not match the sha256 hash snapshot\.json records/);
    });
    test('a timestamp whose signature does not verify', async () => {
      const r = await tampered('timestamp', (d) => (d.signed.version += 1));
      assert.match(r.reason, /^timestamp\.json has 0 valid signature\(s\) of the 1 required from its role's keys/);
    });
    test('metadata with no signatures', async () => {
      const r = await tampered('timestamp', (d) => (d.signatures = []));
      assert.match(r.reason, /^timestamp\.json has no signatures/);
    });
    test("another repository's root", async () => {
      const other = await repository(['x']);
      await dctSign(other.gun, { x: other.images.x! });
      const theirs = (await (await fetch(`${server.url}/v2/${other.gun}/_trust/tuf/root.json`)).json()) as Doc;
      const r = await tampered('root', (d) => Object.assign(d, theirs));
      assert.match(r.reason, new RegExp(`^root version 1: root certificate CN "${other.gun}" is not the GUN ${gun}`));
    });
    test('a timestamp past its expiry (read 15 days from now; notary-server signs timestamps for 14)', async () => {
      const [result] = await migrateDct({
        repositories: [gun],
        registry: new RegistryClient({ insecureRegistries: [registry.host, server.host] }),
        notaryServer: server.url,
        pins: [],
        now: new Date(Date.now() + 15 * 86_400_000),
      });
      assert.match(result!.reason!, /^timestamp\.json expired at \S+; the repository's trust data is stale or replayed$/);
    });
  });

  test('a repository without trust data or an unreachable server fails alone; the others are migrated', async () => {
    const good = await repository(['v1']);
    await dctSign(good.gun, { v1: good.images.v1! });
    const none = await repository(['v1']);
    const r = await migrate([none.gun, good.gun]);
    assert.equal(r.code, 1);
    const doc = JSON.parse(r.stdout) as Json;
    assert.match(doc.repositories[0]!.reason!, /the notary server has no trust data for .*: it was never signed with Docker Content Trust/);
    assert.equal(doc.repositories[1]!.tags[0]!.outcome, 'migrated');
    assert.match(r.stderr, /error: 1 repository or tag not migrated: .*dct\/app\d+/);

    const closed = `http://127.0.0.1:${await import('../helpers/registry.js').then((m) => m.freePort())}`;
    const down = await migrate([good.gun], closed);
    assert.equal(down.code, 1);
    assert.match((JSON.parse(down.stdout) as Json).repositories[0]!.reason!, /cannot reach/);
  });

  test('input errors name the input', async () => {
    const plain = await cli(['migrate-dct', `${registry.host}/x`, '--notary-server', 'http://127.0.0.1:1', ...signing()]);
    assert.equal(plain.code, 1);
    assert.match(plain.stderr, /--notary-server: http:\/\/127\.0\.0\.1:1 is plain HTTP; list 127\.0\.0\.1:1 in --insecure-registry/);
    const tagged = await cli(['migrate-dct', `${registry.host}/x:v1`, ...signing(), ...insecure()]);
    assert.match(tagged.stderr, /names a tag or digest; migrate-dct takes repositories/);
    const none = await cli(['migrate-dct', ...signing()]);
    assert.match(none.stderr, /give the repositories to migrate/);
  });

  test('behind token auth: the registry and notary-server share the token service; no token reaches the output', async () => {
    const tokens: RegistryTokenServer = await startRegistryTokenServer(dir.path, { ci: 'ci-password' });
    const secured = await startRegistry({ tokenAuth: tokens });
    const user = { username: 'ci', password: 'ci-password' };
    const notary = await startNotaryServer({ tokenAuth: tokens, user });
    try {
      const authed = new RegistryClient({ insecureRegistries: [secured.host], credentials: () => Promise.resolve(user) });
      const repo = { registry: secured.host, repository: 'secure/app' };
      const image = await pushImage(authed, repo, 'v1');
      const gun = `${secured.host}/secure/app`;
      await notary.notary(['init', gun]);
      await notary.notary(['addhash', gun, 'v1', String(image.size), '--sha256', sha256Hex(image.digest)]);
      await notary.notary(['publish', gun]);
      const r = await cli(
        [
          'migrate-dct',
          gun,
          '--notary-server',
          notary.url,
          ...[secured.host, notary.host].flatMap((h) => ['--insecure-registry', h]),
          ...signing(),
          '--registry-username',
          'ci',
          '--registry-password-stdin',
        ],
        { input: 'ci-password\n' },
      );
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, new RegExp(`^MIGRATED\\t${gun}:v1\\t${image.digest}\\tsignature sha256:`, 'm'));
      assert.ok(tokens.issued.length >= 2);
      for (const t of tokens.issued) assert.ok(!(r.stdout + r.stderr).includes(t), 'a token reached the output');
      assert.ok(!(r.stdout + r.stderr).includes('ci-password'));
    } finally {
      await notary.stop();
      await secured.stop();
      await tokens.stop();
    }
  });

  test('the action runs migrate-dct: outputs count the outcomes, the summary lists every tag', async () => {
    const { gun, repo, images } = await repository(['v1', 'v2']);
    await dctSign(gun, { v1: images.v1!, v2: images.v2! });
    await pushImage(client, repo, 'v2');
    const r = await runAction(
      dir.path,
      {
        command: 'migrate-dct',
        image: gun,
        'notary-server': server.url,
        'insecure-registries': `${registry.host}\n${server.host}`,
        key: keys.keyPath,
        'certificate-chain': keys.chainPath,
      },
      { ...process.env, DOCKER_CONFIG: '/nonexistent' },
    );
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.outputs.migrated, '1');
    assert.equal(r.outputs.moved, '1');
    assert.equal(r.outputs.unverifiable, '0');
    assert.equal(JSON.parse(r.outputs['signature-digests']!).length, 1);
    assert.match(r.summary, /### notary-sign: Docker Content Trust migration/);
    assert.match(r.summary, /\| ✅ migrated \| `v1` \|/);
    assert.match(r.summary, /\| ⚠️ moved \| `v2` \|/);
    assert.match(r.summary, /root trusted on first use/);
  });
});

/** A delegate's key and certificate as `docker trust signer add` takes them (openssl-made, EC P-256). */
async function delegationKey(name: string): Promise<{ key: string; cert: string }> {
  const { execFileSync } = await import('node:child_process');
  const key = await dir.file(
    `${name}.key`,
    execFileSync('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout'], { encoding: 'utf8' }),
  );
  const pem = execFileSync('openssl', ['req', '-new', '-x509', '-key', key, '-days', '30', '-subj', `/CN=${name}`], { encoding: 'utf8' });
  return { key, cert: await dir.file(`${name}.crt`, pem) };
}
