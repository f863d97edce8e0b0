import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { Certificate } from '../../src/crypto/certificate.js';
import { signJws } from '../../src/envelope/jws.js';
import { parseTrustPolicy } from '../../src/verify/trust-policy.js';
import { verifyEnvelope } from '../../src/verify/verify.js';
import { LocalKeySigner } from '../../src/crypto/signer.js';
import { tempDir, writeTestChain } from '../helpers/files.js';

/** A real notation-made envelope (see test/fixtures/notation/README.md). */
const fixture = () => readFile(new URL('../fixtures/notation/withoutTimestamp.sig', import.meta.url));
const target = {
  mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  digest: 'sha256:c0669ef34cdc14332c0f1ab0c2c01acb91d96014b172f1a76f3a39e63d1f0bda',
  size: 528,
};

async function check(bytes: Buffer, identity = 'x509.subject: C=US, ST=WA, L=Seattle, O=Notary, CN=alpine') {
  const env = JSON.parse((await fixture()).toString());
  const anchor = new Certificate(Buffer.from(env.header.x5c[0], 'base64'));
  const doc = parseTrustPolicy(
    JSON.stringify({
      version: '1.0',
      trustPolicies: [
        {
          name: 'notation',
          registryScopes: ['*'],
          signatureVerification: { level: 'strict' },
          trustStores: ['ca:notation'],
          trustedIdentities: [identity],
        },
      ],
    }),
  );
  return verifyEnvelope({
    mediaType: 'application/jose+json',
    bytes,
    target,
    policy: doc.trustPolicies[0]!,
    anchors: () => Promise.resolve([anchor]),
    now: new Date('2026-11-26T00:00:00Z'),
  });
}

test('a signature made by notation verifies with notary-sign (strict)', async () => {
  const v = await check(await fixture());
  assert.equal(v.verified, true, v.failure);
  assert.equal(v.signer, 'C=US, ST=WA, L=Seattle, O=Notary, CN=alpine');
  assert.equal(v.signingTime, '2024-06-18T09:08:35Z'); // notation wrote +08:00; RFC 3339 offsets are honoured
});

test('the notation signature fails for another identity or a flipped byte', async () => {
  const wrongIdentity = await check(await fixture(), 'x509.subject: C=US, ST=WA, O=Notary, CN=debian');
  assert.equal(wrongIdentity.verified, false);
  assert.match(wrongIdentity.failure!, /authenticity: .*matches none of the trusted identities/);
  const env = JSON.parse((await fixture()).toString());
  env.signature = env.signature.slice(0, 10) + (env.signature[10] === 'A' ? 'B' : 'A') + env.signature.slice(11);
  const tampered = await check(Buffer.from(JSON.stringify(env)));
  assert.equal(tampered.verified, false);
  assert.match(tampered.failure!, /integrity: the signature does not match/);
});

test('our envelope has exactly the shape notation writes', async () => {
  const dir = await tempDir();
  try {
    const keys = await writeTestChain(dir, 'shape', 'RSA-2048');
    const signer = await LocalKeySigner.fromFiles(keys.keyPath, keys.chainPath);
    const ours = JSON.parse(
      (
        await signJws({
          payload: Buffer.from(JSON.stringify({ targetArtifact: target })),
          signer,
          signingTime: new Date(),
          signingAgent: 'notary-sign/test',
        })
      ).toString(),
    );
    const theirs = JSON.parse((await fixture()).toString());
    const headerOf = (e: { protected: string }) => JSON.parse(Buffer.from(e.protected, 'base64url').toString());
    assert.deepEqual(Object.keys(ours), Object.keys(theirs));
    assert.deepEqual(Object.keys(headerOf(ours)), Object.keys(headerOf(theirs)));
    assert.deepEqual(headerOf(ours).crit, headerOf(theirs).crit);
    assert.equal(headerOf(ours).alg, headerOf(theirs).alg);
    assert.equal(headerOf(ours).cty, headerOf(theirs).cty);
    assert.deepEqual(Object.keys(ours.header).sort(), Object.keys(theirs.header).sort());
  } finally {
    await dir.remove();
  }
});
