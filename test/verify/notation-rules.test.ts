import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Certificate, codeSigningChainProblem } from '../../src/crypto/certificate.js';
import { parseTrustPolicy, type TrustPolicy } from '../../src/verify/trust-policy.js';
import { TrustStore } from '../../src/verify/trust-store.js';
import { verifyEnvelope } from '../../src/verify/verify.js';
import { forgeJws } from '../helpers/forge.js';
import { tempDir } from '../helpers/files.js';
import { issueCertificate, type IssuedCert } from '../helpers/test-certs.js';

/**
 * The places where notary-sign and notation v1.3.2 disagreed (issue: "Agree with notation"), each decided as
 * notation decides it, or kept and listed in README "Differences from notation".
 */
const statement = (over: Record<string, unknown>) =>
  JSON.stringify({
    version: '1.0',
    trustPolicies: [
      {
        name: 'p',
        registryScopes: ['*'],
        signatureVerification: { level: 'strict' },
        trustStores: ['ca:x'],
        trustedIdentities: ['*'],
        ...over,
      },
    ],
  });
const identities = (...ids: string[]) => statement({ trustedIdentities: ids });

describe('trust policy identities, read as notation reads them', () => {
  const accepted: [string, string][] = [
    ['S= as the short name for ST=', identities('x509.subject: C=US, S=WA, O=acme')],
    ['RDNs separated by ;', identities('x509.subject: C=US; ST=WA; O=acme')],
    [
      'an unknown identity prefix next to a valid x509.subject entry',
      identities('x509.subject: C=US, ST=WA, O=acme', 'plugin.id: anything'),
    ],
    ['the prefix with other capitalisation (an unknown prefix, left alone)', identities('X509.Subject: C=US, ST=WA, O=acme')],
    ['an attribute type containing a space', identities('x509.subject: C=US, ST=WA, O=acme, Street Address=1 Main St')],
    ['"verifyTimestamp": "" (the default)', statement({ signatureVerification: { level: 'strict', verifyTimestamp: '' } })],
  ];
  for (const [name, text] of accepted) test(`accepted: ${name}`, () => void parseTrustPolicy(text));

  const refused: [string, string, RegExp][] = [
    ['lower-case attribute types', identities('x509.subject: c=US, st=WA, o=acme'), /lacks C, ST, O: .*case-sensitive/],
    [
      'a quoted value containing a comma',
      identities('x509.subject: C=US, ST=WA, O="Acme, Inc."'),
      /must be escaped \(quoting is not supported\)/,
    ],
    ['a #-hex value', identities('x509.subject: C=US, ST=WA, O=#0c0461636d65'), /#-hex value/],
  ];
  for (const [name, text, why] of refused) test(`refused: ${name}`, () => assert.throws(() => parseTrustPolicy(text), why));
});

describe('signing certificate subjects notation cannot compare', () => {
  let root: IssuedCert;
  const target = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'b'.repeat(64)}`, size: 10 };
  before(async () => {
    root = await issueCertificate({ subject: 'CN=rules root,O=acme,ST=WA,C=US', ca: true });
  });
  const verdict = async (subject: string, identity: string) => {
    const leaf = await issueCertificate({ subject, issuer: root });
    const policy: TrustPolicy = parseTrustPolicy(identities(identity)).trustPolicies[0]!;
    return verifyEnvelope({
      mediaType: 'application/jose+json',
      bytes: forgeJws({ signer: leaf, chain: [leaf, root], target }),
      target,
      policy,
      anchors: () => Promise.resolve([new Certificate(root.der)]),
      now: new Date(),
    });
  };
  const cases: [string, string, RegExp][] = [
    ['a multi-valued RDN', 'CN=signer+OU=team,O=acme,ST=WA,C=US', /multi-valued RDN/],
    ['a repeated attribute (two OU)', 'CN=signer,OU=a,OU=b,O=acme,ST=WA,C=US', /repeats the attribute OU/],
    [
      'an attribute with no printable name (emailAddress)',
      'CN=signer,E=signer@acme.example,O=acme,ST=WA,C=US',
      /attribute E \(emailAddress\) has no name notation can print/,
    ],
  ];
  for (const [name, subject, why] of cases) {
    test(`${name}: refused with an explicit x509.subject identity, accepted with "*"`, async () => {
      const explicit = await verdict(subject, 'x509.subject: C=US, ST=WA, O=acme');
      assert.equal(explicit.verified, false);
      assert.equal(explicit.failedCheck, 'authenticity');
      assert.match(explicit.failure!, why);
      assert.match(explicit.failure!, /trust "\*" to accept any subject/);
      assert.equal((await verdict(subject, '*')).verified, true);
    });
  }
  test('a statement whose identities are all of other prefixes has no x509 identity to match', async () => {
    const v = await verdict('CN=signer,O=acme,ST=WA,C=US', 'plugin.id: anything');
    assert.equal(v.failedCheck, 'authenticity');
    assert.match(v.failure!, /no x509 trusted identities are configured/);
  });
});

describe('trust store layout, as notation reads it', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let root: IssuedCert;
  before(async () => {
    dir = await tempDir();
    root = await issueCertificate({ subject: 'CN=store root,O=acme,ST=WA,C=US', ca: true });
  });
  after(() => dir?.remove());
  test('a subdirectory in a named store is refused, naming it', async () => {
    await mkdir(join(dir.path, 'x509/ca/sub/nested'), { recursive: true });
    await writeFile(join(dir.path, 'x509/ca/sub/root.pem'), root.certPem);
    await assert.rejects(
      new TrustStore(dir.path).certificates('ca', 'sub'),
      /"[^"]*nested" is not a regular file \(directories or symlinks are not supported\)/,
    );
  });
  test('a symlink in a named store is refused, naming it', async () => {
    await mkdir(join(dir.path, 'x509/ca/link'), { recursive: true });
    await writeFile(join(dir.path, 'elsewhere.pem'), root.certPem);
    await symlink(join(dir.path, 'elsewhere.pem'), join(dir.path, 'x509/ca/link/root.pem'));
    await assert.rejects(new TrustStore(dir.path).certificates('ca', 'link'), /"[^"]*root\.pem" is not a regular file/);
  });
  test('a named store that is itself a symlink is refused', async () => {
    await mkdir(join(dir.path, 'real'), { recursive: true });
    await writeFile(join(dir.path, 'real/root.pem'), root.certPem);
    await mkdir(join(dir.path, 'x509/ca'), { recursive: true });
    await symlink(join(dir.path, 'real'), join(dir.path, 'x509/ca/linked'));
    await assert.rejects(new TrustStore(dir.path).certificates('ca', 'linked'), /is a symbolic link/);
  });
});

test('anyExtendedKeyUsage on a signing certificate: refused by the specification rule (notation accepts it)', async () => {
  const root = await issueCertificate({ subject: 'CN=eku root,O=acme,ST=WA,C=US', ca: true });
  const leaf = await issueCertificate({ subject: 'CN=any eku,O=acme,ST=WA,C=US', issuer: root, eku: ['2.5.29.37.0'] });
  assert.match(
    codeSigningChainProblem([new Certificate(leaf.der), new Certificate(root.der)]) ?? '',
    /has extended key usage anyExtendedKeyUsage, which the Notary Project signature specification \("Certificate Requirements"\) forbids/,
  );
});

test('a chain with a certificate signed with SHA-1 is refused, naming the certificate', async () => {
  const root = await issueCertificate({ subject: 'CN=sha1 root,O=acme,ST=WA,C=US', ca: true });
  const leaf = await issueCertificate({ subject: 'CN=sha1 leaf,O=acme,ST=WA,C=US', issuer: root, signatureHash: 'SHA-1' });
  assert.match(
    codeSigningChainProblem([new Certificate(leaf.der), new Certificate(root.der)]) ?? '',
    /certificate "CN=sha1 leaf, O=acme, ST=WA, C=US" is signed with ECDSA with SHA-1, which the Notary Project does not accept/,
  );
  const weakRoot = await issueCertificate({ subject: 'CN=sha1 self,O=acme,ST=WA,C=US', ca: true, signatureHash: 'SHA-1' });
  const under = await issueCertificate({ subject: 'CN=under,O=acme,ST=WA,C=US', issuer: weakRoot });
  assert.match(
    codeSigningChainProblem([new Certificate(under.der), new Certificate(weakRoot.der)]) ?? '',
    /certificate "CN=sha1 self, O=acme, ST=WA, C=US" is signed with ECDSA with SHA-1/,
  );
});

test('a CA certificate whose basicConstraints is not critical is refused (the specification requires it; notation does not check)', async () => {
  const root = await issueCertificate({ subject: 'CN=bc root,O=acme,ST=WA,C=US', ca: true });
  const inter = await issueCertificate({
    subject: 'CN=bc inter,O=acme,ST=WA,C=US',
    ca: true,
    issuer: root,
    basicConstraintsCritical: false,
  });
  const leaf = await issueCertificate({ subject: 'CN=bc leaf,O=acme,ST=WA,C=US', issuer: inter });
  assert.match(
    codeSigningChainProblem([new Certificate(leaf.der), new Certificate(inter.der), new Certificate(root.der)]) ?? '',
    /CA certificate "CN=bc inter, O=acme, ST=WA, C=US" has a basicConstraints extension that is not marked critical/,
  );
  // A leaf may carry a non-critical basicConstraints (CA=false): "OPTIONALLY be marked as critical".
  const plainLeaf = await issueCertificate({ subject: 'CN=bc ok,O=acme,ST=WA,C=US', issuer: root, basicConstraintsCritical: false });
  assert.equal(codeSigningChainProblem([new Certificate(plainLeaf.der), new Certificate(root.der)]), undefined);
});
