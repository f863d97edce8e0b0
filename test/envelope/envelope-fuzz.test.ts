import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import fc from 'fast-check';
import { parseJws } from '../../src/envelope/jws.js';
import { EnvelopeError } from '../../src/envelope/types.js';
import { Certificate } from '../../src/crypto/certificate.js';
import { parseTrustPolicy } from '../../src/verify/trust-policy.js';
import { verifyEnvelope } from '../../src/verify/verify.js';
import { generateTestChain, type TestChain } from '../helpers/test-certs.js';
import { forgeJws } from '../helpers/forge.js';

const target = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'a'.repeat(64)}`, size: 100 };
const policy = parseTrustPolicy(
  JSON.stringify({
    version: '1.0',
    trustPolicies: [
      { name: 'p', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:x'], trustedIdentities: ['*'] },
    ],
  }),
).trustPolicies[0]!;
let chain: TestChain;
let valid: Buffer;
before(async () => {
  chain = await generateTestChain();
  valid = forgeJws({ signer: chain.leaf, chain: [chain.leaf, chain.root], target });
});

const check = (bytes: Uint8Array) =>
  verifyEnvelope({
    mediaType: 'application/jose+json',
    bytes,
    target,
    policy,
    anchors: () => Promise.resolve([new Certificate(chain.root.der)]),
    now: new Date(),
  });

test('the fuzz baseline verifies', async () => {
  assert.equal((await check(valid)).verified, true);
});

test('property: arbitrary bytes never crash the JWS parser, only EnvelopeError', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 512 }),
        fc.json().map((j) => Buffer.from(j)),
        fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v))),
      ),
      (bytes) => {
        try {
          parseJws(bytes);
        } catch (err) {
          assert.ok(err instanceof EnvelopeError, String(err));
        }
      },
    ),
    { numRuns: 3000 },
  );
});

test('property: any single-byte change of a valid envelope never verifies', async () => {
  await fc.assert(
    fc.asyncProperty(fc.nat({ max: 1_000_000 }), fc.integer({ min: 1, max: 255 }), async (pos, delta) => {
      const bytes = Buffer.from(valid);
      const i = pos % bytes.length;
      bytes[i] = (bytes[i]! + delta) % 256;
      const v = await check(bytes);
      // A change inside unsigned, ignorable parts (e.g. the signing agent) may still verify; anything else must not.
      if (v.verified) {
        const a = JSON.parse(valid.toString());
        const b = JSON.parse(bytes.toString());
        assert.equal(b.payload, a.payload);
        assert.equal(b.protected, a.protected);
        assert.equal(b.signature, a.signature);
        assert.deepEqual(b.header.x5c, a.header.x5c);
      }
    }),
    { numRuns: 400 },
  );
});

test('property: fields replaced by arbitrary JSON never verify', async () => {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom('payload', 'protected', 'signature', 'header'), fc.jsonValue(), async (field, value) => {
      const env = JSON.parse(valid.toString());
      fc.pre(JSON.stringify(env[field]) !== JSON.stringify(value));
      env[field] = value;
      const v = await check(Buffer.from(JSON.stringify(env)));
      assert.equal(v.verified, false);
    }),
    { numRuns: 400 },
  );
});
