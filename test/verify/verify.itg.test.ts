import { parseReference, repositoryName } from '../../src/oci/reference.js';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RegistryClient } from '../../src/registry/client.js';
import { LocalKeySigner } from '../../src/crypto/signer.js';
import { sign } from '../../src/sign/sign.js';
import { parseTrustPolicy, type LevelName } from '../../src/verify/trust-policy.js';
import { TrustStore } from '../../src/verify/trust-store.js';
import { verifyImage, type ImageVerification } from '../../src/verify/verify.js';
import { issueCertificate, type IssuedCert } from '../helpers/test-certs.js';
import * as x509 from '../../src/crypto/x509.js';
import type { Descriptor } from '../../src/oci/media-types.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { pushImage } from '../helpers/image.js';
import { tempDir } from '../helpers/files.js';
import { attachSignature, forgeJws, type ForgeOptions } from '../helpers/forge.js';

const DAY = 86_400_000;
let registry: TestRegistry;
let client: RegistryClient;
let dir: Awaited<ReturnType<typeof tempDir>>;
let store: TrustStore;
let root: IssuedCert;
let inter: IssuedCert;
let leaf: IssuedCert;
let chainPath: string;
let keyPath: string;
let evilRoot: IssuedCert;
let evilLeaf: IssuedCert;
let counter = 0;

const SIGNER = 'CN=signer,O=acme,ST=WA,C=US';
const SIGNER_SUBJECT = 'CN=signer, O=acme, ST=WA, C=US';

function policy(level: LevelName, extra: Record<string, unknown> = {}, scopes: string[] = ['*']) {
  return parseTrustPolicy(
    JSON.stringify({
      version: '1.0',
      trustPolicies: [
        {
          name: 'test',
          registryScopes: scopes,
          signatureVerification: { level, ...(extra.override ? { override: extra.override } : {}) },
          ...(level === 'skip'
            ? {}
            : { trustStores: ['ca:acme'], trustedIdentities: extra.identities ?? ['x509.subject: C=US, ST=WA, O=acme'] }),
        },
      ],
    }),
  );
}

async function freshImage(): Promise<{ ref: string; repo: { registry: string; repository: string }; image: Descriptor }> {
  const repo = { registry: registry.host, repository: `verify/img${++counter}` };
  const image = await pushImage(client, repo, 'v1');
  return { ref: `${registry.host}/${repo.repository}@${image.digest}`, repo, image };
}

async function verify(
  ref: string,
  level: LevelName = 'strict',
  extra: Record<string, unknown> = {},
  now?: Date,
): Promise<ImageVerification> {
  return verifyImage(ref, {
    registry: client,
    // "skip" may not apply to "*" (the specification forbids a global skip): scope it to the image's repository.
    trustPolicy: policy(level, extra, (extra.scopes as string[]) ?? (level === 'skip' ? [repositoryName(parseReference(ref))] : ['*'])),
    trustStore: store,
    ...(now ? { now: () => now } : {}),
    ...(extra.required ? { requiredAnnotations: extra.required as Record<string, string> } : {}),
  });
}

/** Attach a forged envelope to a fresh image and verify it at `level`. */
async function forged(
  opts: Partial<ForgeOptions> & { level?: LevelName; extra?: Record<string, unknown>; now?: Date },
  mutateTarget?: (d: Descriptor) => Descriptor,
): Promise<ImageVerification> {
  const { ref, repo, image } = await freshImage();
  const envelope = forgeJws({ signer: leaf, chain: [leaf, inter, root], target: mutateTarget ? mutateTarget(image) : image, ...opts });
  await attachSignature(client, repo, image, envelope);
  return verify(ref, opts.level ?? 'strict', opts.extra ?? {}, opts.now);
}

function rejected(v: ImageVerification, pattern: RegExp) {
  assert.equal(v.verified, false, `expected rejection, got: ${v.reason}`);
  assert.match(v.reason, pattern);
  assert.ok(!v.reason.includes('\n'));
}

before(async () => {
  registry = await startRegistry();
  client = new RegistryClient({ insecureRegistries: [registry.host] });
  dir = await tempDir();
  root = await issueCertificate({ subject: 'CN=acme root,O=acme,ST=WA,C=US', ca: true, key: 'EC-384' });
  inter = await issueCertificate({
    subject: 'CN=acme intermediate,O=acme,ST=WA,C=US',
    ca: true,
    key: 'EC-256',
    issuer: root,
    pathLength: 0,
  });
  leaf = await issueCertificate({ subject: SIGNER, key: 'EC-256', issuer: inter });
  evilRoot = await issueCertificate({ subject: 'CN=acme root,O=acme,ST=WA,C=US', ca: true, key: 'EC-256' });
  evilLeaf = await issueCertificate({ subject: SIGNER, key: 'EC-256', issuer: evilRoot });
  await mkdir(join(dir.path, 'store/x509/ca/acme'), { recursive: true });
  await writeFile(join(dir.path, 'store/x509/ca/acme/root.pem'), root.certPem);
  store = new TrustStore(join(dir.path, 'store'));
  keyPath = await dir.file('leaf.key', leaf.keyPem);
  chainPath = await dir.file('chain.pem', leaf.certPem + inter.certPem + root.certPem);
});
after(async () => {
  await registry?.stop();
  await dir?.remove();
});

describe('signatures made by sign() verify', () => {
  test('strict: a fresh signature from a trusted chain passes and names its signer', async () => {
    const { ref } = await freshImage();
    await sign({ images: [ref], signer: await LocalKeySigner.fromFiles(keyPath, chainPath), registry: client });
    const v = await verify(ref);
    assert.equal(v.verified, true, v.reason);
    assert.equal(v.signatures.length, 1);
    assert.equal(v.signatures[0]!.signer, SIGNER_SUBJECT);
    assert.deepEqual(
      v.signatures[0]!.results.map((r) => [r.type, r.ok]),
      [
        ['integrity', true],
        ['authenticity', true],
        ['expiry', true],
        ['authenticTimestamp', true],
        ['revocation', true],
      ],
    );
    assert.match(v.reason, /satisfies trust policy statement "test" \(strict\)/);
  });

  test('by tag: the tag is resolved and its digest verified', async () => {
    const { repo, image } = await freshImage();
    await sign({
      images: [`${registry.host}/${repo.repository}@${image.digest}`],
      signer: await LocalKeySigner.fromFiles(keyPath, chainPath),
      registry: client,
    });
    const v = await verify(`${registry.host}/${repo.repository}:v1`);
    assert.equal(v.verified, true);
    assert.equal(v.reference, `${registry.host}/${repo.repository}@${image.digest}`);
  });

  test('required annotations bind a signature to its pipeline', async () => {
    const { ref } = await freshImage();
    await sign({
      images: [ref],
      signer: await LocalKeySigner.fromFiles(keyPath, chainPath),
      registry: client,
      annotations: { 'io.example.run': '7' },
    });
    assert.equal((await verify(ref, 'strict', { required: { 'io.example.run': '7' } })).verified, true);
    rejected(
      await verify(ref, 'strict', { required: { 'io.example.run': '8' } }),
      /lacks the required annotation io.example.run=8 \(it has 7\)/,
    );
  });
});

describe('adversarial corpus: each forgery is rejected with its own reason', () => {
  test('baseline: the forge helper makes a valid signature', async () => {
    const v = await forged({});
    assert.equal(v.verified, true, v.reason);
  });

  test('tampered payload', async () => {
    rejected(
      await forged({
        after: (e) =>
          (e.payload = Buffer.from(
            JSON.stringify({ targetArtifact: { mediaType: 'x', digest: `sha256:${'1'.repeat(64)}`, size: 1 } }),
          ).toString('base64url')),
      }),
      /integrity: the signature does not match the signed content/,
    );
  });

  test('tampered protected header', async () => {
    rejected(
      await forged({
        after: (e) => {
          const h = JSON.parse(Buffer.from(e.protected, 'base64url').toString());
          h['io.cncf.notary.signingTime'] = '2020-01-01T00:00:00Z';
          e.protected = Buffer.from(JSON.stringify(h)).toString('base64url');
        },
      }),
      /integrity: the signature does not match the signed content/,
    );
  });

  test('signature of another digest swapped onto this image', async () => {
    rejected(
      await forged({}, (d) => ({ ...d, digest: `sha256:${'2'.repeat(64)}` })),
      /integrity: the signature is for sha256:2{64}, not this image/,
    );
  });

  test('signature manifest whose subject is another image, listed under this one', async () => {
    const { ref, repo, image } = await freshImage();
    const other = await pushImage(client, repo, 'other');
    const envelope = forgeJws({ signer: leaf, chain: [leaf, inter, root], target: other });
    await attachSignature(client, repo, image, envelope, { manifestSubject: other });
    rejected(await verify(ref), /names subject sha256:[0-9a-f]{64}, not this image/);
  });

  test('wrong size in the payload', async () => {
    rejected(await forged({}, (d) => ({ ...d, size: d.size + 1 })), /integrity: the signed size \d+ differs from the image manifest size/);
  });

  test('wrong mediaType in the payload', async () => {
    rejected(
      await forged({}, (d) => ({ ...d, mediaType: 'application/vnd.docker.distribution.manifest.v2+json' })),
      /integrity: the signed media type .* differs/,
    );
  });

  test('certificate chain not rooted in the trust store', async () => {
    rejected(
      await forged({ signer: evilLeaf, chain: [evilLeaf, evilRoot] }),
      /authenticity: .*does not chain to a certificate in trust store ca:acme/,
    );
  });

  test('self-signed leaf that is not in the trust store', async () => {
    const self = await issueCertificate({ subject: SIGNER, key: 'EC-256' });
    rejected(await forged({ signer: self, chain: [self] }), /authenticity: .*not produced by a trusted signer/);
  });

  test('chain in the wrong order', async () => {
    rejected(
      await forged({ chain: [leaf, root, inter] }),
      /integrity: invalid certificate chain: certificate "CN=signer.*" is not issued by the next certificate/,
    );
  });

  test('leaf expired at signing time', async () => {
    const old = await issueCertificate({
      subject: SIGNER,
      key: 'EC-256',
      issuer: inter,
      notBefore: new Date(Date.now() - 30 * DAY),
      notAfter: new Date(Date.now() - 10 * DAY),
    });
    rejected(
      await forged({ signer: old, chain: [old, inter, root] }),
      /integrity: invalid certificate chain: certificate "CN=signer.*" was not valid at signing time/,
    );
  });

  test('signature past io.cncf.notary.expiry', async () => {
    rejected(
      await forged({ signingTime: new Date(Date.now() - 2 * DAY), expiry: new Date(Date.now() - DAY) }),
      /expiry: the signature expired at/,
    );
  });

  test('unknown critical header', async () => {
    rejected(
      await forged({ header: { crit: ['io.cncf.notary.signingScheme', 'io.example.mustUnderstand'], 'io.example.mustUnderstand': 'x' } }),
      /integrity: unknown critical header "io.example.mustUnderstand"/,
    );
  });

  test('critical header listed but absent', async () => {
    rejected(
      await forged({ header: { crit: ['io.cncf.notary.signingScheme', 'io.cncf.notary.expiry'] } }),
      /integrity: header "io.cncf.notary.expiry" is marked critical but not present/,
    );
  });

  test('expiry present but not marked critical', async () => {
    rejected(
      await forged({ header: { 'io.cncf.notary.expiry': '2099-01-01T00:00:00Z' } }),
      /integrity: header "io.cncf.notary.expiry" must be marked critical/,
    );
  });

  test('alg that does not match the key', async () => {
    rejected(
      await forged({ hash: 'sha384' }),
      /integrity: signature algorithm ES384 does not match the signing certificate's EC-256 key, which requires ES256/,
    );
  });

  test('alg none', async () => {
    rejected(
      await forged({ header: { alg: 'none' }, after: (e) => (e.signature = '') }),
      /integrity: signature algorithm "none" is not allowed/,
    );
  });

  test('symmetric alg HS256', async () => {
    rejected(await forged({ header: { alg: 'HS256' } }), /integrity: signature algorithm "HS256" is not allowed/);
  });

  test('signature bytes from another key', async () => {
    rejected(await forged({ signer: evilLeaf, chain: [leaf, inter, root] }), /integrity: the signature does not match the signed content/);
  });

  test('wrong content type', async () => {
    rejected(await forged({ header: { cty: 'application/json' } }), /integrity: the protected header "cty" is "application\/json"/);
  });

  test('unsupported signing scheme', async () => {
    rejected(
      await forged({ header: { 'io.cncf.notary.signingScheme': 'notary.x509.custom' } }),
      /integrity: unsupported signing scheme "notary.x509.custom"/,
    );
  });

  test('signing time that is not RFC 3339', async () => {
    rejected(
      await forged({ header: { 'io.cncf.notary.signingTime': 'yesterday' } }),
      /integrity: "io.cncf.notary.signingTime" is missing or not an RFC 3339 time/,
    );
  });

  test('extra top-level envelope field (general JWS serialization)', async () => {
    rejected(
      await forged({ after: (e) => Object.assign(e, { signatures: [] }) }),
      /integrity: the JWS envelope has an unsupported top-level field "signatures"/,
    );
  });

  test('a certificate with trailing bytes after its DER is rejected', async () => {
    rejected(
      await forged({ after: (e) => ((e.header.x5c as string[])[0] = Buffer.concat([leaf.der, Buffer.from([0])]).toString('base64')) }),
      /integrity: x5c\[0\] is not a valid X\.509 certificate/,
    );
  });

  test('a signing certificate with two key usage extensions is rejected', async () => {
    const twice = await issueCertificate({
      subject: SIGNER,
      key: 'EC-256',
      issuer: inter,
      extraExtensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)],
    });
    rejected(
      await forged({ signer: twice, chain: [twice, inter, root] }),
      /integrity: x5c\[0\] is not a valid X\.509 certificate: the certificate has extension 2\.5\.29\.15 more than once/,
    );
  });

  test('payload size written with a fraction or an exponent', async () => {
    for (const [spelling, shown] of [
      ['$1.0', /written \d+\.0;/],
      ['$1e0', /written \d+e0;/],
    ] as const) {
      rejected(
        await forged({ payloadText: (json) => json.replace(/"size":(\d+)/, `"size":${spelling}`) }),
        new RegExp(`integrity: targetArtifact\\.size is ${shown.source} write the integer \\d+ \\(no fraction or exponent\\)`),
      );
    }
  });

  test('empty certificate chain', async () => {
    rejected(await forged({ after: (e) => (e.header.x5c = []) }), /integrity: the unprotected header has no "x5c" certificate chain/);
  });

  test('CA certificate used as the signing certificate', async () => {
    const caLeaf = await issueCertificate({ subject: SIGNER, key: 'EC-256', issuer: inter, ca: true });
    rejected(
      await forged({ signer: caLeaf, chain: [caLeaf, inter, root] }),
      /integrity: invalid certificate chain: signing certificate .* is a CA certificate/,
    );
  });

  test('signing certificate without digitalSignature key usage', async () => {
    const noDs = await issueCertificate({ subject: SIGNER, key: 'EC-256', issuer: inter, keyUsage: x509.KeyUsageFlags.keyAgreement });
    rejected(await forged({ signer: noDs, chain: [noDs, inter, root] }), /key usage lacks digitalSignature/);
  });

  test('signing certificate with a server-auth EKU', async () => {
    const tls = await issueCertificate({ subject: SIGNER, key: 'EC-256', issuer: inter, eku: ['1.3.6.1.5.5.7.3.1'] });
    rejected(await forged({ signer: tls, chain: [tls, inter, root] }), /extended key usage must not contain ServerAuth/);
  });

  test('intermediate without CA basic constraints', async () => {
    const fakeInter = await issueCertificate({
      subject: 'CN=fake intermediate,O=acme,ST=WA,C=US',
      ca: true,
      noBasicConstraints: true,
      key: 'EC-256',
      issuer: root,
    });
    const l = await issueCertificate({ subject: SIGNER, key: 'EC-256', issuer: fakeInter });
    rejected(
      await forged({ signer: l, chain: [l, fakeInter, root] }),
      /CA certificate "CN=fake intermediate.*" must have basicConstraints CA=true/,
    );
  });

  test('trusted identity mismatch', async () => {
    rejected(
      await forged({ extra: { identities: ['x509.subject: C=US, ST=WA, O=acme, CN=someone-else'] } }),
      /authenticity: signing certificate subject "CN=signer.*" matches none of the trusted identities/,
    );
  });

  test('no trust policy statement for the repository', async () => {
    const { ref } = await freshImage();
    await sign({ images: [ref], signer: await LocalKeySigner.fromFiles(keyPath, chainPath), registry: client });
    rejected(
      await verify(ref, 'strict', { scopes: ['example.com/other/repo'] }),
      /no trust policy statement applies to 127\.0\.0\.1:\d+\/verify\/img\d+/,
    );
  });

  test('multiple signatures where only one is valid: passes, and reports the rejected ones', async () => {
    const { ref, repo, image } = await freshImage();
    await attachSignature(client, repo, image, forgeJws({ signer: evilLeaf, chain: [evilLeaf, evilRoot], target: image }));
    await attachSignature(client, repo, image, forgeJws({ signer: leaf, chain: [leaf, inter, root], target: { ...image, size: 1 } }));
    await attachSignature(client, repo, image, forgeJws({ signer: leaf, chain: [leaf, inter, root], target: image }));
    const v = await verify(ref);
    assert.equal(v.verified, true, v.reason);
    assert.equal(v.signatures.length, 3);
    assert.equal(v.signatures.filter((s) => s.verified).length, 1);
    assert.ok(v.signatures.slice(0, 2).every((s) => s.failure));
  });

  test('several signatures, none valid: the reason lists each', async () => {
    const { ref, repo, image } = await freshImage();
    await attachSignature(client, repo, image, forgeJws({ signer: evilLeaf, chain: [evilLeaf, evilRoot], target: image }));
    await attachSignature(client, repo, image, forgeJws({ signer: leaf, chain: [leaf, inter, root], target: { ...image, size: 1 } }));
    rejected(
      await verify(ref),
      /rejected: none of its 2 signatures satisfies trust policy statement .*sha256:[0-9a-f]{64}: authenticity: .*; sha256:[0-9a-f]{64}: integrity: the signed size/,
    );
  });

  test('no signature at all', async () => {
    const { ref } = await freshImage();
    rejected(await verify(ref), /no signature found for .*: the image is unsigned/);
  });
});

describe('verification levels follow the specification table', () => {
  test('expired signature: strict fails, permissive and audit pass with a warning', async () => {
    const opts = { signingTime: new Date(Date.now() - 2 * DAY), expiry: new Date(Date.now() - DAY) };
    rejected(await forged({ ...opts, level: 'strict' }), /expiry/);
    for (const level of ['permissive', 'audit'] as const) {
      const v = await forged({ ...opts, level });
      assert.equal(v.verified, true, `${level}: ${v.reason}`);
      assert.ok(
        v.warnings.some((w) => /expiry: the signature expired/.test(w)),
        v.warnings.join('\n'),
      );
    }
  });

  test('untrusted signer: strict and permissive fail, audit passes with a warning', async () => {
    for (const level of ['strict', 'permissive'] as const)
      rejected(await forged({ signer: evilLeaf, chain: [evilLeaf, evilRoot], level }), /authenticity/);
    const v = await forged({ signer: evilLeaf, chain: [evilLeaf, evilRoot], level: 'audit' });
    assert.equal(v.verified, true, v.reason);
    assert.ok(v.warnings.some((w) => /authenticity:/.test(w)));
  });

  test('tampered signature fails at every level but skip', async () => {
    const tamper = { after: (e: { signature: string }) => (e.signature = Buffer.from('x'.repeat(64)).toString('base64url')) };
    for (const level of ['strict', 'permissive', 'audit'] as const) rejected(await forged({ ...tamper, level }), /integrity/);
    const v = await forged({ ...tamper, level: 'skip' });
    assert.equal(v.verified, true);
    assert.match(v.reason, /skipped/);
  });

  test('skip passes an unsigned image without looking for signatures', async () => {
    const { ref } = await freshImage();
    const v = await verify(ref, 'skip');
    assert.equal(v.verified, true);
    assert.equal(v.signatures.length, 0);
  });

  test('certificate expired since signing: authenticTimestamp enforced by strict, logged by permissive', async () => {
    const soon = new Date(Date.now() + 60_000);
    const shortLived = await issueCertificate({ subject: SIGNER, key: 'EC-256', issuer: inter, notAfter: soon });
    const later = new Date(Date.now() + 2 * 60_000);
    rejected(
      await forged({ signer: shortLived, chain: [shortLived, inter, root], now: later }),
      /authenticTimestamp: verification time is after certificate "CN=signer.*" validity period, it was expired at/,
    );
    const v = await forged({ signer: shortLived, chain: [shortLived, inter, root], now: later, level: 'permissive' });
    assert.equal(v.verified, true, v.reason);
  });

  test('revocation endpoints: strict fails closed; override revocation skip accepts', async () => {
    const withCrl = await issueCertificate({
      subject: SIGNER,
      key: 'EC-256',
      issuer: inter,
      extraExtensions: [new x509.CRLDistributionPointsExtension(['http://127.0.0.1:2/acme.crl'])],
    });
    rejected(
      await forged({ signer: withCrl, chain: [withCrl, inter, root] }),
      /revocation: signing certificate "CN=signer.*" revocation status is unknown \(CRL http:\/\/127\.0\.0\.1:2\/acme\.crl: unreachable \(ECONNREFUSED\)\)/,
    );
    const v = await forged({ signer: withCrl, chain: [withCrl, inter, root], extra: { override: { revocation: 'skip' } } });
    assert.equal(v.verified, true, v.reason);
  });
});
