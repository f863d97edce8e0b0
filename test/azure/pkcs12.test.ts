import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { extractPkcs12Certificates, pkcs12Key } from '../../src/azure/pkcs12.js';
import { parseCertificates, type Certificate } from '../../src/crypto/certificate.js';
import { orderChain } from '../../src/crypto/chain.js';
import { NotarySignError } from '../../src/errors.js';
import { tempDir } from '../helpers/files.js';
import { issueCertificate, type IssuedCert } from '../helpers/test-certs.js';

/** Real Key Vault exports (../shared/fixtures/keyvault, README there): each yields its chain or its exact error. */
const FIXTURES = new URL('../../../shared/fixtures/keyvault/', import.meta.url);
const fixture = (name: string) => readFile(new URL(name, FIXTURES));
const subjects = (certs: Certificate[]) => certs.map((c) => c.subject);
const read = async (name: string) => orderChain(await extractPkcs12Certificates(await fixture(name), { source: name }), { source: name });

describe('PKCS#12 as Key Vault exports it', () => {
  test('a certificate with its key (3DES bags, SHA-1 MAC): the chain, leaf first; the key bag is never read', async () => {
    assert.deepEqual(subjects(await read('akv_imported_cert.pfx')), [
      'C=CN, ST=SHANGHAI, L=SHANGHAI, O=NOTATION, CN=notation.com',
      'C=CN, ST=SHANGHAI, L=SHANGHAI, O=NOTARY, CN=notary.com',
    ]);
  });

  test('a chain-only PFX, stored root first, comes back leaf first', async () => {
    assert.deepEqual(subjects(await read('cert_chain.pfx')), ['O=notation, ST=WA, C=US, CN=Test-Signer', 'CN=Test CA']);
  });

  test('a PFX without a MAC is read (there is nothing to verify)', async () => {
    assert.deepEqual(subjects(await read('cert_without_mac.pfx')), ['O=notation, ST=WA, C=US, CN=Test-Signer', 'CN=Test CA']);
  });

  test('a PFX whose MAC does not verify is refused with the reason and the fix', async () => {
    await assert.rejects(
      extractPkcs12Certificates(await fixture('cert_invalid_mac.pfx'), { source: 'Key Vault secret s', chainInput: 'certificate-chain' }),
      (err: NotarySignError) =>
        err.code === 'KEY' &&
        err.message ===
          'Key Vault secret s: its MAC does not verify (the file is corrupt, or protected by a password); ' +
            're-export it from Key Vault, or pass certificate-chain (a PEM file)',
    );
  });

  test('bytes that are not PKCS#12 say so', async () => {
    await assert.rejects(
      extractPkcs12Certificates(Buffer.from('not a pfx'), { source: 'x' }),
      /^NotarySignError: x: its PFX is not valid DER; re-export it from Key Vault/,
    );
  });

  // Runs before the OpenSSL cases below, which load node-forge for RC2 and PBES2.
  test("Key Vault's algorithms are read with Node's crypto alone: node-forge (~20 ms to load) stays unloaded", () => {
    const loaded = Object.keys(createRequire(import.meta.url).cache).filter((path) => path.includes('node-forge'));
    assert.deepEqual(loaded, []);
  });
});

test('the PKCS#12 key derivation gives what node-forge derives, for every hash, id, password and salt', async () => {
  const forge = (await import('node-forge')).default;
  const hashes = ['sha1', 'sha256', 'sha384', 'sha512'] as const;
  fc.assert(
    fc.property(
      fc.constantFrom(...hashes),
      fc.option(fc.string({ maxLength: 12, unit: 'binary' }), { nil: null }),
      fc.uint8Array({ maxLength: 24 }),
      fc.constantFrom(1 as const, 2 as const, 3 as const),
      fc.integer({ min: 1, max: 20 }),
      fc.integer({ min: 1, max: 70 }),
      (hash, password, salt, id, iterations, size) => {
        // forge reads a password as UTF-16 code units, as the BMPString is written.
        const theirs = forge.pkcs12.generateKey(
          password,
          forge.util.createBuffer(Buffer.from(salt).toString('binary')),
          id,
          iterations,
          size,
          forge.md[hash].create(),
        );
        assert.equal(pkcs12Key(hash, { password, salt, id, iterations, size }).toString('hex'), theirs.toHex());
      },
    ),
    { numRuns: 300 },
  );
});

describe('PKCS#12 as OpenSSL writes it', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let root: IssuedCert;
  let leaf: IssuedCert;
  let files: { key: string; chain: string };
  before(async () => {
    dir = await tempDir();
    root = await issueCertificate({ subject: 'CN=P12 Root,O=acme,ST=WA,C=US', ca: true });
    leaf = await issueCertificate({ subject: 'CN=P12 Signer,O=acme,ST=WA,C=US', issuer: root, key: 'RSA-2048' });
    files = { key: await dir.file('leaf.key', leaf.keyPem), chain: await dir.file('chain.pem', root.certPem + leaf.certPem) };
  });
  after(() => dir?.remove());

  const cases: [string, string[]][] = [
    ['OpenSSL 3 defaults (PBES2 AES-256, SHA-256 MAC)', []],
    ['-legacy (RC2-40 certificates, 3DES key, SHA-1 MAC)', ['-legacy']],
    ["Key Vault's algorithms (3DES, SHA-1 MAC)", ['-certpbe', 'PBE-SHA1-3DES', '-keypbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']],
    ['a SHA-256 MAC', ['-macalg', 'sha256']],
    ['no MAC', ['-nomac']],
    ['unencrypted certificates', ['-certpbe', 'NONE']],
    // RC4 is not a PBE anything here can decrypt: reading the certificates proves the key bag was left alone.
    ['a key bag under a cipher notary-sign does not have (RC4)', ['-legacy', '-keypbe', 'PBE-SHA1-RC4-128']],
  ];
  for (const [name, args] of cases) {
    test(`${name}: the chain, leaf first`, async () => {
      const out = `${dir.path}/${cases.findIndex(([n]) => n === name)}.pfx`;
      execFileSync('openssl', ['pkcs12', '-export', '-inkey', files.key, '-in', files.chain, '-passout', 'pass:', ...args, '-out', out]);
      const certs = await extractPkcs12Certificates(await readFile(out), { source: name });
      const chain = orderChain(certs, { source: name, leafKey: createPublicKey(leaf.keyPem) });
      assert.deepEqual(subjects(chain), ['CN=P12 Signer, O=acme, ST=WA, C=US', 'CN=P12 Root, O=acme, ST=WA, C=US']);
    });
  }
});

describe('chain order from a Key Vault secret, as notation-azure-kv decides it', () => {
  // notation-azure-kv's CertificateChainTests: which bundles make a chain, and in what order.
  const valid: Record<string, string> = {
    'self_signed_leaf.pem': 'self_signed_leaf.pem',
    'leaf_root.pem': 'leaf_root.pem',
    'root_leaf.pem': 'leaf_root.pem',
    'leaf_inter_root.pem': 'leaf_inter_root.pem',
    'inter_root_leaf.pem': 'leaf_inter_root.pem',
    'leaf_inter2_inter1_root.pem': 'leaf_inter2_inter1_root.pem',
    'inter2_inter1_root_leaf.pem': 'leaf_inter2_inter1_root.pem',
  };
  const invalid: Record<string, RegExp> = {
    'leaf.pem': /the issuer of "CN=ratify.default" is missing/,
    'leaf_inter.pem': /the issuer of "CN=ratify.inter" is missing/,
    '2self_signed_leaf.pem': /holds certificate ".*Ratify Root CA" twice/,
    '2root_leaf.pem': /holds certificate "CN=Test CA" twice/,
    'leaf_unknown.pem': /holds 2 candidate signing certificates/,
    'leaf_root_unknown.pem': /holds 2 candidate signing certificates/,
    'root_leaf1_leaf2.pem': /holds 2 candidate signing certificates/,
    'leaf_inter_root_unknown.pem': /holds 2 candidate signing certificates/,
    'leaf_inter2_inter1_unknown.pem': /holds 2 candidate signing certificates/,
    'leaf_inter_root_leaf2_root2.pem': /holds 2 candidate signing certificates/,
    'leaf_inter_root_otherinter.pem': /holds 2 candidate signing certificates/,
    'leaf_root_without_inter.pem': /holds 2 candidate signing certificates/,
    'root1_leaf_root2.pem': /holds 2 candidate signing certificates/,
    'DN_loop.pem': /name each other as issuer in a loop: "CN=ratify.inter2" → "CN=ratify.inter1" → "CN=ratify.inter2"/,
    'empty.pem': /contains no certificate/,
  };
  const bundle = async (name: string) => parseCertificates(await fixture(`chain/${name}`), name);

  test('every sample is classified', async () => {
    const names = (await readdir(new URL('chain/', FIXTURES))).sort();
    assert.deepEqual(names, [...Object.keys(valid), ...Object.keys(invalid)].sort());
  });
  for (const [name, expected] of Object.entries(valid)) {
    test(`${name} → ${expected}`, async () => {
      const chain = orderChain(await bundle(name), { source: name });
      assert.deepEqual(
        chain.map((c) => c.thumbprint),
        (await bundle(expected)).map((c) => c.thumbprint),
      );
    });
  }
  for (const [name, problem] of Object.entries(invalid)) {
    test(`${name} is refused: ${problem.source}`, async () => {
      await assert.rejects(async () => orderChain(await bundle(name), { source: name }), problem);
    });
  }
  test('with the vault key known, the unrelated certificate is named as such', async () => {
    const certs = await bundle('leaf_unknown.pem');
    const leaf = certs.find((c) => c.subject.includes('Test-Signer'))!;
    assert.throws(() => orderChain(certs, { source: 's', leafKey: leaf.publicKey }), /s: the issuer of ".*Test-Signer" is missing/);
    const withRoot = await bundle('leaf_root_unknown.pem');
    const signer = withRoot.find((c) => c.subject.includes('Test-Signer'))!;
    assert.throws(
      () => orderChain(withRoot, { source: 's', leafKey: signer.publicKey }),
      /s: holds certificates that are not part of the chain: "CN=ratify.default"/,
    );
  });
});
