import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { Encoder, Tag } from 'cbor-x';
import { MediaType } from '../../src/oci/media-types.js';
import { RegistryClient } from '../../src/registry/client.js';
import { LocalKeySigner } from '../../src/crypto/signer.js';
import { sign } from '../../src/sign/sign.js';
import { parseCose } from '../../src/envelope/cose.js';
import { EnvelopeError } from '../../src/envelope/types.js';
import { parseTrustPolicy } from '../../src/verify/trust-policy.js';
import { TrustStore } from '../../src/verify/trust-store.js';
import { verifyImage } from '../../src/verify/verify.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { pushImage } from '../helpers/image.js';
import { tempDir, writeTestChain, type KeyFiles } from '../helpers/files.js';

const cbor = new Encoder({ useRecords: false, mapsAsObjects: false, tagUint8Array: false });
let registry: TestRegistry;
let client: RegistryClient;
let dir: Awaited<ReturnType<typeof tempDir>>;
let keys: KeyFiles;
let store: TrustStore;
const policy = parseTrustPolicy(
  JSON.stringify({
    version: '1.0',
    trustPolicies: [
      { name: 'p', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:cose'], trustedIdentities: ['*'] },
    ],
  }),
);

before(async () => {
  registry = await startRegistry();
  client = new RegistryClient({ insecureRegistries: [registry.host] });
  dir = await tempDir();
  keys = await writeTestChain(dir, 'cose-signer', 'RSA-3072');
  await mkdir(join(dir.path, 'store/x509/ca/cose'), { recursive: true });
  await writeFile(join(dir.path, 'store/x509/ca/cose/root.pem'), keys.root.certPem);
  store = new TrustStore(join(dir.path, 'store'));
});
after(async () => {
  await registry?.stop();
  await dir?.remove();
});

async function signedCose(repository: string) {
  const image = await pushImage(client, { registry: registry.host, repository }, 'v1');
  const ref = `${registry.host}/${repository}@${image.digest}`;
  const [r] = await sign({
    images: [ref],
    signer: await LocalKeySigner.fromFiles(keys.keyPath, keys.chainPath),
    registry: client,
    signatureFormat: 'cose',
    expiryMs: 86_400_000,
  });
  const manifest = JSON.parse((await client.getManifest({ registry: registry.host, repository }, r!.signatureDigest)).bytes.toString());
  const envelope = await client.getBlob({ registry: registry.host, repository }, manifest.layers[0].digest, 1 << 20);
  return { ref, image, manifest, envelope };
}

test('COSE: a COSE_Sign1_Tagged signature with the specified headers, stored as application/cose, verifies', async () => {
  const { ref, manifest, envelope, image } = await signedCose('cose/app');
  assert.equal(manifest.layers[0].mediaType, MediaType.Cose);
  const top = cbor.decode(envelope) as Tag;
  assert.equal(top.tag, 18);
  const [protectedBytes, unprotected, payload] = top.value as [Buffer, Map<unknown, unknown>, Buffer, Buffer];
  const header = cbor.decode(protectedBytes) as Map<unknown, unknown>;
  assert.equal(header.get(1), -38, 'PS384 for RSA-3072');
  assert.deepEqual(header.get(2), ['io.cncf.notary.signingScheme', 'io.cncf.notary.expiry']);
  assert.equal(header.get(3), 'application/vnd.cncf.notary.payload.v1+json');
  assert.equal(header.get('io.cncf.notary.signingScheme'), 'notary.x509');
  assert.ok(header.get('io.cncf.notary.signingTime') instanceof Date);
  // Times are tag 1 (epoch seconds) integers, as the specification asks.
  assert.ok(protectedBytes.includes(Buffer.from([0xc1, 0x1a])), 'tag 1 followed by a 32-bit unsigned integer');
  assert.equal((unprotected.get(33) as Buffer[]).length, 2);
  assert.deepEqual(JSON.parse(payload.toString()).targetArtifact.digest, image.digest);
  const v = await verifyImage(ref, { registry: client, trustPolicy: policy, trustStore: store });
  assert.equal(v.verified, true, v.reason);
});

test('COSE: a flipped payload byte, an unknown critical header, or a wrong alg is rejected', async () => {
  const { envelope } = await signedCose('cose/tamper');
  const top = cbor.decode(envelope) as Tag;
  const [p, u, payload, sig] = top.value as [Buffer, Map<unknown, unknown>, Buffer, Buffer];
  const { verifyIntegrity } = await import('../../src/envelope/envelope.js');
  const tampered = Buffer.from(payload);
  tampered[10] = tampered[10]! ^ 1;
  assert.throws(() => verifyIntegrity(parseCose(cbor.encode(new Tag([p, u, tampered, sig], 18)))), /does not match the signed content/);
  const header = cbor.decode(p) as Map<unknown, unknown>;
  header.set(2, ['io.cncf.notary.signingScheme', 'io.example.unknown']);
  header.set('io.example.unknown', 1);
  assert.throws(
    () => parseCose(cbor.encode(new Tag([cbor.encode(header), u, payload, sig], 18))),
    /unknown critical header "io.example.unknown"/,
  );
  const wrongAlg = cbor.decode(p) as Map<unknown, unknown>;
  wrongAlg.set(1, -37);
  assert.throws(
    () => verifyIntegrity(parseCose(cbor.encode(new Tag([cbor.encode(wrongAlg), u, payload, sig], 18)))),
    /signature algorithm PS256 does not match the signing certificate's RSA-3072 key/,
  );
  const hmac = cbor.decode(p) as Map<unknown, unknown>;
  hmac.set(1, 5);
  assert.throws(() => parseCose(cbor.encode(new Tag([cbor.encode(hmac), u, payload, sig], 18))), /COSE algorithm 5 is not allowed/);
  assert.throws(() => parseCose(cbor.encode(new Tag([p, u, payload, sig], 98))), /not a COSE_Sign1_Tagged/);
});

test('COSE: one encoding per meaning; each other encoding is rejected with its own message', async () => {
  const { envelope } = await signedCose('cose/encodings');
  const top = cbor.decode(envelope) as Tag;
  const [p, u, payload, sig] = top.value as [Buffer, Map<unknown, unknown>, Buffer, Buffer];
  assert.ok(p[0]! >= 0xa0 && p[0]! < 0xb7, 'the protected header is a small definite-length map');
  const envelopeOf = (protectedBytes: Uint8Array, unprotected: Uint8Array = cbor.encode(u)) =>
    // COSE_Sign1_Tagged by hand: tag 18, array of 4, so the buckets' bytes are exactly ours.
    Buffer.concat([
      Buffer.from([0xd2, 0x84]),
      cbor.encode(Buffer.from(protectedBytes)),
      unprotected,
      cbor.encode(payload),
      cbor.encode(sig),
    ]);
  assert.doesNotThrow(() => parseCose(envelopeOf(p)), 'the hand-built envelope is itself acceptable');
  const withEntry = (map: Uint8Array, key: unknown, value: unknown) =>
    Buffer.concat([Buffer.from([map[0]! + 1]), map.subarray(1), cbor.encode(key), cbor.encode(value)]);

  assert.throws(
    () => parseCose(envelopeOf(withEntry(p, 3, MediaType.NotaryPayload))),
    /the COSE protected header has a map with the key 3 twice/,
  );
  const signingAgent = 'io.cncf.notary.signingAgent';
  assert.throws(
    () => parseCose(envelopeOf(p, withEntry(cbor.encode(u), signingAgent, 'other/1.0'))),
    /the COSE envelope has a map with the key "io.cncf.notary.signingAgent" twice/,
  );
  const indefinite = Buffer.concat([Buffer.from([0xbf]), p.subarray(1), Buffer.from([0xff])]);
  assert.throws(() => parseCose(envelopeOf(indefinite)), /the COSE protected header uses an indefinite-length item/);
  for (const label of [1, 2]) {
    const moved = new Map(u).set(label, label === 1 ? -38 : ['io.cncf.notary.signingScheme']);
    assert.throws(
      () => parseCose(envelopeOf(p, cbor.encode(moved))),
      new RegExp(`unprotected header carries label ${label}, which must be protected`),
    );
  }
  const twice = new Map(u).set(3, MediaType.NotaryPayload);
  assert.throws(
    () => parseCose(envelopeOf(p, cbor.encode(twice))),
    /the COSE header label 3 is in both the protected and unprotected buckets/,
  );
  const stringTime = cbor.decode(p) as Map<unknown, unknown>;
  stringTime.set('io.cncf.notary.signingTime', new Tag('2026-11-27T00:00:00Z', 0));
  assert.throws(() => parseCose(envelopeOf(cbor.encode(stringTime))), /"io.cncf.notary.signingTime" must be a tag-1 date\/time, not tag 0/);
});

test('property: arbitrary bytes never crash the COSE parser, only EnvelopeError', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 400 }),
        fc.jsonValue().map((v) => cbor.encode(new Tag(v, 18))),
      ),
      (bytes) => {
        try {
          parseCose(bytes);
        } catch (err) {
          assert.ok(err instanceof EnvelopeError, String(err));
        }
      },
    ),
    { numRuns: 3000 },
  );
});
