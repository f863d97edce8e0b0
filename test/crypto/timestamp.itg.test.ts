import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Certificate } from '../../src/crypto/certificate.js';
import { RegistryClient } from '../../src/registry/client.js';
import { LocalKeySigner } from '../../src/crypto/signer.js';
import { sign } from '../../src/sign/sign.js';
import { parseTrustPolicy } from '../../src/verify/trust-policy.js';
import { TrustStore } from '../../src/verify/trust-store.js';
import { verifyImage } from '../../src/verify/verify.js';
import { generateKeys, issueCertificate, type IssuedCert } from '../helpers/test-certs.js';
import * as x509 from '../../src/crypto/x509.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { pushImage } from '../helpers/image.js';
import { tempDir } from '../helpers/files.js';
import { startTsa, type Tsa, type TsaOptions } from '../doubles/tsa.js';

let registry: TestRegistry;
let client: RegistryClient;
let dir: Awaited<ReturnType<typeof tempDir>>;
let tsa: Tsa;
let root: IssuedCert;
let store: TrustStore;
let n = 0;

before(async () => {
  registry = await startRegistry();
  client = new RegistryClient({ insecureRegistries: [registry.host] });
  dir = await tempDir();
  tsa = await startTsa(dir.path);
  root = await issueCertificate({ subject: 'CN=ts root,O=acme,ST=WA,C=US', ca: true });
  await mkdir(join(dir.path, 'store/x509/ca/acme'), { recursive: true });
  await writeFile(join(dir.path, 'store/x509/ca/acme/root.pem'), root.certPem);
  await mkdir(join(dir.path, 'store/x509/tsa/test-tsa'), { recursive: true });
  await writeFile(join(dir.path, 'store/x509/tsa/test-tsa/root.pem'), tsa.root.certPem);
  store = new TrustStore(join(dir.path, 'store'));
});
after(async () => {
  await tsa?.stop();
  await registry?.stop();
  await dir?.remove();
});

const policy = (stores: string[], extra: Record<string, unknown> = {}) =>
  parseTrustPolicy(
    JSON.stringify({
      version: '1.0',
      trustPolicies: [
        {
          name: 'ts',
          registryScopes: ['*'],
          signatureVerification: { level: 'strict', ...extra },
          trustStores: stores,
          trustedIdentities: ['*'],
        },
      ],
    }),
  );

/** Sign with a leaf that expires in a minute, then verify "later", after it expired. */
async function signShortLived(opts: { timestamped: boolean; format?: 'jws' | 'cose'; via?: Tsa }) {
  const leaf = await issueCertificate({
    subject: 'CN=short-lived,O=acme,ST=WA,C=US',
    issuer: root,
    notAfter: new Date(Date.now() + 60_000),
  });
  const keyPath = await dir.file(`short${++n}.key`, leaf.keyPem);
  const chainPath = await dir.file(`short${n}.crt`, leaf.certPem + root.certPem);
  const repo = { registry: registry.host, repository: `ts/app${n}` };
  const image = await pushImage(client, repo, 'v1');
  const ref = `${registry.host}/${repo.repository}@${image.digest}`;
  await sign({
    images: [ref],
    signer: await LocalKeySigner.fromFiles(keyPath, chainPath),
    registry: client,
    ...(opts.format ? { signatureFormat: opts.format } : {}),
    ...(opts.timestamped
      ? { timestamp: { url: (opts.via ?? tsa).url, rootCertificates: [new Certificate((opts.via ?? tsa).root.der)] } }
      : {}),
  });
  return ref;
}
const later = () => new Date(Date.now() + 5 * 60_000);

test('a timestamped signature stays valid after its certificate expires (JWS and COSE)', async () => {
  for (const format of ['jws', 'cose'] as const) {
    const ref = await signShortLived({ timestamped: true, format });
    const v = await verifyImage(ref, { registry: client, trustPolicy: policy(['ca:acme', 'tsa:test-tsa']), trustStore: store, now: later });
    assert.equal(v.verified, true, `${format}: ${v.reason}`);
    assert.ok(v.signatures[0]!.results.some((r) => r.type === 'authenticTimestamp' && r.ok));
  }
});

test('without a timestamp the same expiry fails authentic timestamp under strict', async () => {
  const ref = await signShortLived({ timestamped: false });
  const v = await verifyImage(ref, { registry: client, trustPolicy: policy(['ca:acme', 'tsa:test-tsa']), trustStore: store, now: later });
  assert.equal(v.verified, false);
  // notation-go verifyTimestamp: a tsa: store in the statement makes a timestamp required.
  assert.match(v.reason, /authenticTimestamp: no timestamp countersignature was found in the signature envelope/);
});

test('a timestamp from a TSA outside the tsa trust store is rejected', async () => {
  const ref = await signShortLived({ timestamped: true });
  const other = await issueCertificate({ subject: 'CN=other tsa root,O=x,ST=WA,C=US', ca: true });
  await mkdir(join(dir.path, 'store/x509/tsa/other'), { recursive: true });
  await writeFile(join(dir.path, 'store/x509/tsa/other/root.pem'), other.certPem);
  const v = await verifyImage(ref, { registry: client, trustPolicy: policy(['ca:acme', 'tsa:other']), trustStore: store, now: later });
  assert.equal(v.verified, false);
  assert.match(v.reason, /authenticTimestamp: timestamp: the TSA certificate does not chain to a trusted TSA root/);
  // No tsa: store: timestamp verification is disabled (as notation does), so the expired certificate decides.
  const noStore = await verifyImage(ref, { registry: client, trustPolicy: policy(['ca:acme']), trustStore: store, now: later });
  assert.equal(noStore.verified, false);
  assert.match(
    noStore.reason,
    /authenticTimestamp: verification time is after certificate "CN=short-lived.*" validity period, it was expired at/,
  );
});

test('afterCertExpiry skips the timestamp while the certificate is valid', async () => {
  const ref = await signShortLived({ timestamped: true });
  const v = await verifyImage(ref, {
    registry: client,
    trustPolicy: policy(['ca:acme'], { verifyTimestamp: 'afterCertExpiry' }),
    trustStore: store,
  });
  assert.equal(v.verified, true, v.reason);
});

test('signing refuses a TSA whose tokens do not chain to timestamp-root-cert', async () => {
  const leaf = await issueCertificate({ subject: 'CN=x,O=acme,ST=WA,C=US', issuer: root });
  const repo = { registry: registry.host, repository: 'ts/refuse' };
  const image = await pushImage(client, repo, 'v1');
  await assert.rejects(
    sign({
      images: [`${registry.host}/ts/refuse@${image.digest}`],
      signer: await LocalKeySigner.fromFiles(await dir.file('x.key', leaf.keyPem), await dir.file('x.crt', leaf.certPem + root.certPem)),
      registry: client,
      timestamp: { url: tsa.url, rootCertificates: [new Certificate(root.der)] },
    }),
    /timestamp-url: the TSA's token does not verify against timestamp-root-cert: the TSA certificate does not chain/,
  );
});

/** Sign through a TSA that gets something wrong; signing checks the token as verification does, and must refuse it. */
async function refusedTsa(opts: TsaOptions, expected: RegExp, roots?: (t: Tsa) => IssuedCert[]) {
  const bad = await startTsa(dir.path, opts);
  try {
    const leaf = await issueCertificate({ subject: 'CN=x,O=acme,ST=WA,C=US', issuer: root });
    const repository = `ts/bad-tsa${++n}`;
    const image = await pushImage(client, { registry: registry.host, repository }, 'v1');
    await assert.rejects(
      sign({
        images: [`${registry.host}/${repository}@${image.digest}`],
        signer: await LocalKeySigner.fromFiles(
          await dir.file(`b${n}.key`, leaf.keyPem),
          await dir.file(`b${n}.crt`, leaf.certPem + root.certPem),
        ),
        registry: client,
        timestamp: { url: bad.url, rootCertificates: (roots?.(bad) ?? [bad.root]).map((c) => new Certificate(c.der)) },
      }),
      expected,
    );
  } finally {
    await bad.stop();
  }
}

// Each way a timestamp token can fall short of "Validate Trusted Timestamp", with its own message.
test('a TSA whose certificate is signed with SHA-1 is refused', async () => {
  await refusedTsa(
    { signer: { signatureHash: 'SHA-1' } },
    /timestamp-root-cert: .*the TSA chain is not acceptable: certificate "CN=Test TSA,.*" is signed with ECDSA with SHA-1/,
  );
});

test('a token with only the SHA-1 ESS signingCertificate (v1) attribute is refused', async () => {
  await refusedTsa(
    { essHash: 'sha1' },
    /the timestamp token has no signed ESS signingCertificateV2 attribute binding its signing certificate/,
  );
});

test('a TSA certificate that is a CA is refused', async () => {
  await refusedTsa(
    { signer: { ca: true }, resign: true },
    /the TSA chain is not acceptable: TSA certificate "CN=Test TSA,.*" is a CA certificate \(basicConstraints CA=true\)/,
  );
});

test('a TSA certificate without digitalSignature key usage is refused', async () => {
  await refusedTsa(
    { signer: { keyUsage: x509.KeyUsageFlags.keyEncipherment }, resign: true },
    /the TSA chain is not acceptable: TSA certificate "CN=Test TSA,.*" key usage lacks digitalSignature/,
  );
});

test('a token whose certificates issue each other ends at once with the reason', async () => {
  // A and B issue each other (A first self-signed to bootstrap B); the TSA certificate hangs below A.
  const keysA = await generateKeys('EC-256');
  const bootstrap = await issueCertificate({ subject: 'CN=cycle A,O=x,ST=WA,C=US', ca: true }, keysA);
  const b = await issueCertificate({ subject: 'CN=cycle B,O=x,ST=WA,C=US', ca: true, issuer: bootstrap });
  const a = await issueCertificate({ subject: 'CN=cycle A,O=x,ST=WA,C=US', ca: true, issuer: b }, keysA);
  await refusedTsa(
    { issuer: a, extra: [a, b, b, a] },
    /the TSA certificate does not chain to a trusted TSA root \(no issuer of "CN=cycle B, O=x, ST=WA, C=US" in the token or the TSA roots\)/,
  );
});

test('a token with too many certificates, or too long a chain, is refused', async () => {
  const many = await Promise.all(
    Array.from({ length: 16 }, (_, i) => issueCertificate({ subject: `CN=filler ${i},O=x,ST=WA,C=US`, ca: true })),
  );
  await refusedTsa({ extra: many }, /the timestamp token carries \d+ certificates; at most 16 are accepted/);
  const top = await issueCertificate({ subject: 'CN=deep root,O=x,ST=WA,C=US', ca: true });
  const chain = [top];
  for (let i = 1; i <= 9; i++)
    chain.unshift(await issueCertificate({ subject: `CN=deep ${i},O=x,ST=WA,C=US`, ca: true, issuer: chain[0] }));
  await refusedTsa(
    { issuer: chain[0], extra: chain },
    /the TSA certificate "CN=Test TSA,.*" does not reach a trusted TSA root within 8 certificates/,
    () => [top],
  );
});

test("the TSA chain's revocation follows the signing chain's rule", async () => {
  const crl = [new x509.CRLDistributionPointsExtension(['http://127.0.0.1:2/tsa.crl'])];
  const revocable = await startTsa(dir.path, { signer: { extraExtensions: crl } });
  try {
    await mkdir(join(dir.path, 'store/x509/tsa/revocable'), { recursive: true });
    await writeFile(join(dir.path, 'store/x509/tsa/revocable/root.pem'), revocable.root.certPem);
    const ref = await signShortLived({ timestamped: true, via: revocable });
    const stores = ['ca:acme', 'tsa:revocable'];
    const strict = await verifyImage(ref, { registry: client, trustPolicy: policy(stores), trustStore: store, now: later });
    assert.equal(strict.verified, false);
    assert.match(
      strict.reason,
      /authenticTimestamp: timestamp: TSA certificate "CN=Test TSA,.*" revocation status is unknown \(CRL http:\/\/127\.0\.0\.1:2\/tsa\.crl: unreachable \(ECONNREFUSED\)\)/,
    );
    const logged = await verifyImage(ref, {
      registry: client,
      trustPolicy: policy(stores, { override: { revocation: 'log' } }),
      trustStore: store,
      now: later,
    });
    assert.equal(logged.verified, true, logged.reason);
  } finally {
    await revocable.stop();
  }
});

test('a run that asks for a timestamp does not reuse a signature without one (or one from another TSA)', async () => {
  const leaf = await issueCertificate({ subject: 'CN=reuse,O=acme,ST=WA,C=US', issuer: root });
  const signer = await LocalKeySigner.fromFiles(
    await dir.file('reuse.key', leaf.keyPem),
    await dir.file('reuse.crt', leaf.certPem + root.certPem),
  );
  const repo = { registry: registry.host, repository: 'ts/reuse' };
  const image = await pushImage(client, repo, 'v1');
  const ref = `${registry.host}/${repo.repository}@${image.digest}`;
  const timestamp = { url: tsa.url, rootCertificates: [new Certificate(tsa.root.der)] };
  const plain = await sign({ images: [ref], signer, registry: client });
  const lines: string[] = [];
  const logger = { info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), debug: () => {} };
  const stamped = await sign({ images: [ref], signer, registry: client, timestamp, logger });
  assert.notEqual(stamped[0]!.storage, 'existing');
  assert.notEqual(stamped[0]!.signatureDigest, plain[0]!.signatureDigest);
  assert.ok(
    lines.some((l) => /not reusing signature .*: it has no RFC 3161 timestamp and this run asks for one/.test(l)),
    lines.join('\n'),
  );
  // Now a timestamped one exists: the next run with the same TSA reuses it.
  assert.equal((await sign({ images: [ref], signer, registry: client, timestamp }))[0]!.storage, 'existing');
  // A run naming another TSA root does not.
  const otherRoot = await issueCertificate({ subject: 'CN=other tsa,O=x,ST=WA,C=US', ca: true });
  const other = await sign({
    images: [ref],
    signer,
    registry: client,
    timestamp: { url: tsa.url, rootCertificates: [new Certificate(otherRoot.der)] },
  }).catch((err: Error) => err);
  // The TSA's own token does not chain to that root either, so signing itself refuses: nothing is reused by mistake.
  assert.ok(
    other instanceof Error && /does not verify against timestamp-root-cert/.test(other.message),
    other instanceof Error ? other.message : 'it signed',
  );
});

test('authentic timestamp, every combination, decided as notation-go does', async () => {
  // {tsa store named or not} × {timestamp present or not} × {always, afterCertExpiry} × {certificates valid or expired}
  const signed = { with: await signShortLived({ timestamped: true }), without: await signShortLived({ timestamped: false }) };
  const expected = (tsa: boolean, timestamped: boolean, mode: string, expired: boolean): boolean => {
    // notation-go verifier.go verifyTimestamp: no tsa store, or afterCertExpiry before any expiry, means no timestamp
    // verification and certificates valid now; otherwise a timestamp is required and decides.
    const verifyTimestamp = tsa && !(mode === 'afterCertExpiry' && !expired);
    return verifyTimestamp ? timestamped : !expired;
  };
  for (const tsa of [true, false]) {
    for (const timestamped of [true, false]) {
      for (const mode of ['always', 'afterCertExpiry']) {
        for (const expired of [false, true]) {
          const v = await verifyImage(timestamped ? signed.with : signed.without, {
            registry: client,
            trustPolicy: policy(tsa ? ['ca:acme', 'tsa:test-tsa'] : ['ca:acme'], { verifyTimestamp: mode }),
            trustStore: store,
            ...(expired ? { now: later } : {}),
          });
          const want = expected(tsa, timestamped, mode, expired);
          const label = `tsa store ${tsa ? 'named' : 'absent'}, ${timestamped ? 'timestamped' : 'no timestamp'}, ${mode}, certificate ${expired ? 'expired' : 'valid'}`;
          assert.equal(v.verified, want, `${label}: ${v.reason}`);
          if (!want) assert.equal(v.signatures[0]?.failedCheck, 'authenticTimestamp', label);
        }
      }
    }
  }
});
