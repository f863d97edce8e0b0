import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { RegistryClient } from '../../src/registry/client.js';
import { LocalKeySigner } from '../../src/crypto/signer.js';
import { parseCertificates } from '../../src/crypto/certificate.js';
import { sign } from '../../src/sign/sign.js';
import { parseTrustPolicy } from '../../src/verify/trust-policy.js';
import { TrustStore } from '../../src/verify/trust-store.js';
import { verifyImage, type ImageVerification } from '../../src/verify/verify.js';
import { Revocation } from '../../src/revocation/index.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { pushImage } from '../helpers/image.js';
import { tempDir } from '../helpers/files.js';
import { cli } from '../helpers/run.js';
import { startTsa, type Tsa } from '../doubles/tsa.js';
import { startAzure, assertNoSecrets, type AzureFleet } from '../doubles/azure.js';
import { exportKeyVaultPfx } from '../doubles/keyvault.js';
import { runAction } from '../helpers/action.js';
import { RevocationPki, type CrlMode, type Issued, type OcspMode } from '../helpers/revocation-pki.js';

/**
 * Revocation against real OpenSSL components: `openssl ca` keeps the database and makes the CRLs, `openssl ocsp`
 * answers from it, for root → intermediate → leaf chains whose certificates name those loopback endpoints.
 */
let registry: TestRegistry;
let client: RegistryClient;
let dir: Awaited<ReturnType<typeof tempDir>>;
let pki: RevocationPki;
let inter: Awaited<ReturnType<RevocationPki['newCa']>>;
let storeDir: string;
let n = 0;

before(async () => {
  registry = await startRegistry();
  client = new RegistryClient({ insecureRegistries: [registry.host] });
  dir = await tempDir();
  pki = await RevocationPki.start(dir.path);
  inter = await pki.newCa('inter', pki.root);
  storeDir = join(dir.path, 'store');
  await mkdir(join(storeDir, 'x509/ca/rev'), { recursive: true });
  await mkdir(join(storeDir, 'x509/tsa/rev'), { recursive: true });
  await writeFile(join(storeDir, 'x509/ca/rev/root.pem'), pki.root.certPem);
  await writeFile(join(storeDir, 'x509/tsa/rev/root.pem'), pki.root.certPem);
});
after(async () => {
  await pki?.stop();
  await registry?.stop();
  await dir?.remove();
});

type Level = 'strict' | 'permissive' | 'skip-revocation';
const policyJson = (level: Level, tsa = false) =>
  JSON.stringify({
    version: '1.0',
    trustPolicies: [
      {
        name: 'rev',
        registryScopes: ['*'],
        signatureVerification: level === 'skip-revocation' ? { level: 'strict', override: { revocation: 'skip' } } : { level },
        trustStores: ['ca:rev', ...(tsa ? ['tsa:rev'] : [])],
        trustedIdentities: ['*'],
      },
    ],
  });
const policy = (level: Level, tsa = false) => parseTrustPolicy(policyJson(level, tsa));

/** Sign a fresh image with `leaf` (chain leaf → CAs → root) and return its reference. */
async function signed(leaf: Issued, cas = [inter], timestamp?: Tsa): Promise<string> {
  const repo = { registry: registry.host, repository: `rev/app${++n}` };
  const image = await pushImage(client, repo, 'v1');
  const keyPath = await dir.file(`${leaf.name}-${n}.key`, leaf.keyPem);
  const chainPath = await dir.file(`${leaf.name}-${n}.chain`, pki.chainPem(leaf, ...cas, pki.root));
  await sign({
    images: [`${registry.host}/${repo.repository}@${image.digest}`],
    signer: await LocalKeySigner.fromFiles(keyPath, chainPath),
    registry: client,
    ...(timestamp ? { timestamp: { url: timestamp.url, rootCertificates: parseCertificates(pki.root.certPem, 'root') } } : {}),
  });
  return `${registry.host}/${repo.repository}@${image.digest}`;
}

async function verify(ref: string, level: Level, opts: { tsa?: boolean; ocspTimeoutMs?: number; cacheDir?: string } = {}) {
  const warnings: string[] = [];
  const v = await verifyImage(ref, {
    registry: client,
    trustPolicy: policy(level, opts.tsa),
    trustStore: new TrustStore(storeDir),
    logger: { info: () => {}, debug: () => {}, warn: (m) => warnings.push(m) },
    revocation: new Revocation({
      ocspTimeoutMs: opts.ocspTimeoutMs ?? 1_000,
      crlTimeoutMs: 2_000,
      ...(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}),
    }),
  });
  return { ...v, logged: warnings.join('\n') };
}

/** Under strict: rejected with `pattern`; permissive: passes with the same finding logged; revocation skipped: passes. */
async function expectEverywhere(ref: string, pattern: RegExp | undefined, opts: { tsa?: boolean } = {}) {
  const strict = await verify(ref, 'strict', opts);
  if (!pattern) {
    assert.equal(strict.verified, true, strict.reason);
    return strict;
  }
  assert.equal(strict.verified, false, `strict must reject: ${strict.reason}`);
  assert.match(strict.reason, pattern);
  const permissive = await verify(ref, 'permissive', opts);
  assert.equal(permissive.verified, true, permissive.reason);
  assert.match(permissive.warnings.join('\n') + permissive.logged, pattern, 'permissive logs the finding');
  const skipped = await verify(ref, 'skip-revocation', opts);
  assert.equal(skipped.verified, true, skipped.reason);
  return strict;
}

const checkOf = (v: ImageVerification, type: string) => v.signatures[0]?.results.find((r) => r.type === type);

describe('revocation with OCSP and CRLs served by OpenSSL', () => {
  test('a good chain verifies under strict, with no configuration change', async () => {
    const leaf = await pki.leaf(inter, `good${++n}`);
    const before = pki.requests.length;
    const v = await expectEverywhere(await signed(leaf), undefined);
    assert.equal(checkOf(v, 'revocation')?.ok, true);
    const asked = pki.requests.slice(before);
    assert.ok(
      asked.some((r) => r.startsWith('GET /ocsp/inter/ok/')),
      `the leaf's responder was asked: ${asked.join(', ')}`,
    );
    assert.ok(
      asked.some((r) => r.startsWith('GET /ocsp/root/ok/')),
      'the intermediate was checked at the root',
    );
  });

  test('a revoked leaf fails, naming the certificate, the responder and the reason', async () => {
    const leaf = await pki.leaf(inter, `revoked${++n}`);
    const ref = await signed(leaf);
    await pki.revoke(inter, leaf, { reason: 'keyCompromise' });
    await expectEverywhere(
      ref,
      /revocation: signing certificate "CN=revoked\d+.*" is revoked \(OCSP http:\/\/127\.0\.0\.1:\d+\/ocsp\/inter\/ok: revoked at \S+, reason keyCompromise\)/,
    );
  });

  test('a revoked intermediate fails', async () => {
    const inter2 = await pki.newCa(`inter-r${++n}`, pki.root);
    const leaf = await pki.leaf(inter2, `under-revoked-ca${n}`);
    const ref = await signed(leaf, [inter2]);
    await pki.revoke(pki.root, { name: inter2.name, certPath: inter2.certPath, keyPath: '', certPem: '', keyPem: '' });
    await expectEverywhere(
      ref,
      /signing certificate "CN=Revocation inter-r\d+, O=notary-sign tests" is revoked \(OCSP .*\/ocsp\/root\/ok: revoked/,
    );
  });

  test('a revoked leaf found through the CRL alone (no OCSP URL)', async () => {
    const leaf = await pki.leaf(inter, `crl-only${++n}`, { ocsp: null });
    const ref = await signed(leaf);
    await pki.revoke(inter, leaf, { reason: 'superseded' });
    await expectEverywhere(ref, /is revoked \(CRL http:\/\/127\.0\.0\.1:\d+\/crl\/inter\/ok\.crl: revoked at \S+, reason superseded\)/);
  });

  test('OCSP answering unknown falls back to a good CRL and passes', async () => {
    const leaf = await pki.leaf(inter, `fallback${++n}`, { ocsp: 'unknown' });
    await expectEverywhere(await signed(leaf), undefined);
  });

  for (const [mode, why] of [
    ['down', /OCSP \S+\/ocsp\/inter\/down: unreachable/],
    ['slow', /OCSP \S+\/ocsp\/inter\/slow: no answer within 1 s/],
    ['garbage', /the response is not a DER OCSP response/],
    ['wrong-serial', /the response is about another certificate \(serial 1234/],
    ['delegated-no-eku', /lacks id-kp-OCSPSigning/],
    ['no-next-update', /the response has no nextUpdate/],
  ] as [OcspMode, RegExp][]) {
    test(`OCSP ${mode} and no CRL: unknown, which strict enforces`, async () => {
      const leaf = await pki.leaf(inter, `ocsp-${mode}${++n}`, { ocsp: mode, crl: null });
      await expectEverywhere(await signed(leaf), new RegExp(`revocation status is unknown \\(.*${why.source}`));
    });
  }

  test('a delegated responder with id-kp-OCSPSigning issued by the CA is believed', async () => {
    const leaf = await pki.leaf(inter, `delegated${++n}`, { ocsp: 'delegated', crl: null });
    const ref = await signed(leaf);
    await expectEverywhere(ref, undefined);
    await pki.revoke(inter, leaf);
    await expectEverywhere(ref, /is revoked \(OCSP \S+\/ocsp\/inter\/delegated: revoked/);
  });

  for (const [mode, why] of [
    ['stale', /the CRL is stale: its nextUpdate \S+ has passed/],
    ['wrong-key', /the CRL's signature does not verify with the key of "CN=Revocation inter/],
    ['huge', /the CRL exceeds the 33554432-byte limit/],
    ['garbage', /the CRL is not a DER or PEM certificate revocation list/],
  ] as [CrlMode, RegExp][]) {
    test(`CRL ${mode}: unknown`, async () => {
      const leaf = await pki.leaf(inter, `crl-${mode}${++n}`, { ocsp: null, crl: mode });
      await expectEverywhere(
        await signed(leaf),
        new RegExp(`revocation status is unknown \\(CRL \\S+/crl/inter/${mode}\\.crl: ${why.source}`),
      );
    });
  }

  test('revoked after the authentic signing time: a timestamp before the invalidity date keeps the signature valid', async () => {
    const tsaCert = await pki.leaf(inter, `tsa${++n}`, { profile: 'tsa' });
    const tsa = await startTsa(dir.path, { pem: { cert: tsaCert.certPem, key: tsaCert.keyPem, chain: inter.certPem + pki.root.certPem } });
    try {
      const leaf = await pki.leaf(inter, `later${++n}`);
      const withTimestamp = await signed(leaf, [inter], tsa);
      const withoutTimestamp = await signed(leaf);
      // Compromised only from an hour from now: after both signatures were made.
      await pki.revoke(inter, leaf, { invalidAfter: new Date(Date.now() + 3_600_000) });
      const ok = await verify(withTimestamp, 'strict', { tsa: true });
      assert.equal(ok.verified, true, ok.reason);
      // Without a timestamp nothing proves when it signed: the revocation counts (the specification's rule).
      const bad = await verify(withoutTimestamp, 'strict');
      assert.equal(bad.verified, false);
      assert.match(bad.reason, /is revoked \(OCSP .*reason keyCompromise\)/);
    } finally {
      await tsa.stop();
    }
  });

  test('a revoked TSA certificate fails the timestamp check', async () => {
    const tsaCert = await pki.leaf(inter, `tsa-revoked${++n}`, { profile: 'tsa' });
    const tsa = await startTsa(dir.path, { pem: { cert: tsaCert.certPem, key: tsaCert.keyPem, chain: inter.certPem + pki.root.certPem } });
    try {
      const leaf = await pki.leaf(inter, `ts-signer${++n}`);
      const ref = await signed(leaf, [inter], tsa);
      await pki.revoke(inter, tsaCert);
      const v = await verify(ref, 'strict', { tsa: true });
      assert.equal(v.verified, false);
      assert.match(v.reason, /authenticTimestamp: timestamp: TSA certificate "CN=tsa-revoked\d+.*" is revoked \(OCSP/);
      const skipped = await verify(ref, 'skip-revocation', { tsa: true });
      assert.equal(skipped.verified, true, skipped.reason);
    } finally {
      await tsa.stop();
    }
  });

  test('the cache: at most one request per certificate cold, none warm (CRL and OCSP kept until nextUpdate)', async () => {
    const leaf = await pki.leaf(inter, `cached${++n}`);
    const ref = await signed(leaf);
    const cacheDir = join(dir.path, `cache${n}`);
    const count = async () => {
      const before = pki.requests.length;
      const v = await verify(ref, 'strict', { cacheDir });
      assert.equal(v.verified, true, v.reason);
      return pki.requests.length - before;
    };
    assert.equal(await count(), 2, 'cold: one OCSP request for the leaf, one for the intermediate');
    assert.equal(await count(), 0, 'warm: answered from the cache');
  });

  test('the CLI verifies a CA-issued chain under strict, with its revocation options', async () => {
    const leaf = await pki.leaf(inter, `cli${++n}`);
    const ref = await signed(leaf);
    const policyPath = await dir.file(`tp${n}.json`, policyJson('strict'));
    const args = ['verify', ref, '--trust-policy', policyPath, '--trust-store', storeDir, '--insecure-registry', registry.host];
    const cache = join(dir.path, `cli-cache${n}`);
    const ok = await cli([...args, '--ocsp-timeout', '3s', '--crl-timeout', '4s', '--revocation-cache', cache, '--verbose']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, /revocation of signing certificate "CN=cli\d+.*": good \(OCSP \S+: good\)/);
    await pki.revoke(inter, leaf);
    // The cached "good" answer stays valid until its nextUpdate, as for notation; a fresh cache sees the revocation.
    const revoked = await cli([...args, '--revocation-cache', join(cache, 'fresh')]);
    assert.equal(revoked.code, 1);
    assert.match(revoked.stdout, /^FAIL\t.*revocation: signing certificate "CN=cli\d+.*" is revoked/m);
    const bad = await cli([...args, '--ocsp-timeout', 'soon']);
    assert.match(bad.stderr, /^error: --ocsp-timeout: "soon" is not a duration/);
  });
});

describe('end to end: a Key Vault certificate from a CA with OCSP and CRL endpoints, through the action bundle', () => {
  let az: AzureFleet;
  before(async () => {
    az = await startAzure();
    await az.provisionRelease([az.github.objectId]);
  });
  after(() => az?.stop());

  test('sign with Key Vault, then verify under strict: good passes, revoked fails', async () => {
    // The certificate and chain as a CA would issue them, imported into the vault as Key Vault exports PKCS #12.
    const leaf = await pki.leaf(inter, `kv-release${++n}`);
    const chainPath = await dir.file(`kv-chain${n}.pem`, pki.chainPem(leaf, inter, pki.root));
    const pfxPath = join(dir.path, `kv${n}.pfx`);
    await exportKeyVaultPfx({ keyPath: leaf.keyPath, chainPath, out: pfxPath });
    const { certId } = await az.kv.importCertificate(`ca-issued${n}`, await readFile(pfxPath));
    const repository = `rev/kv${n}`;
    const d = await pushImage(az.setup, { registry: az.acr.upstream.host, repository }, 'v1');
    const ref = `${az.acr.host}/${repository}@${d.digest}`;
    const azure = {
      'client-id': az.github.clientId,
      'tenant-id': az.entra.tenantId,
      'authority-host': az.entra.authorityHost,
      'acr-hosts': az.acr.host,
    };
    const signedRun = await runAction(az.dir, { command: 'sign', image: ref, 'key-id': certId, ...azure }, az.githubEnv());
    assert.equal(signedRun.code, 0, signedRun.stdout + signedRun.stderr);
    const policyPath = await dir.file(`kv-policy${n}.json`, policyJson('strict'));
    const verifyInputs = {
      command: 'verify',
      image: ref,
      'trust-policy': policyPath,
      'trust-store': storeDir,
      'revocation-cache': join(dir.path, `kv-cache${n}`),
      ...azure,
    };
    const good = await runAction(az.dir, verifyInputs, az.githubEnv());
    assert.equal(good.code, 0, good.stdout + good.stderr);
    assert.equal(good.outputs.verified, 'true');
    await pki.revoke(inter, leaf);
    const revoked = await runAction(az.dir, { ...verifyInputs, 'revocation-cache': join(dir.path, `kv-cache-after${n}`) }, az.githubEnv());
    assert.equal(revoked.code, 1);
    assert.match(
      revoked.visible,
      /^::error::1 of 1 image failed verification: .*revocation: signing certificate "CN=kv-release\d+.*" is revoked \(OCSP http:\/\/127\.0\.0\.1:\d+\/ocsp\/inter\/ok: revoked at/m,
    );
    assertNoSecrets(good.visible + revoked.visible, az.secrets());
  });
});
