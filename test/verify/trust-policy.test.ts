import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NotarySignError } from '../../src/errors.js';
import { isSubset, parseDistinguishedName } from '../../src/verify/dn.js';
import { applicablePolicy, parseTrustPolicy } from '../../src/verify/trust-policy.js';
import { TrustStore } from '../../src/verify/trust-store.js';
import { issueCertificate } from '../helpers/test-certs.js';
import { tempDir } from '../helpers/files.js';

const statement = (over: Record<string, unknown> = {}) => ({
  name: 'p',
  registryScopes: ['reg.example.com/app'],
  signatureVerification: { level: 'strict' },
  trustStores: ['ca:acme'],
  trustedIdentities: ['x509.subject: C=US, ST=WA, O=acme'],
  ...over,
});
const doc = (...policies: object[]) => JSON.stringify({ version: '1.0', trustPolicies: policies });
const invalid = (text: string, pattern: RegExp) =>
  assert.throws(
    () => parseTrustPolicy(text),
    (e: unknown) => e instanceof NotarySignError && e.code === 'POLICY' && pattern.test(e.message),
    pattern.source,
  );

test('a valid policy parses with the level table and overrides applied', () => {
  const d = parseTrustPolicy(
    doc(
      statement({ signatureVerification: { level: 'permissive', override: { expiry: 'enforce', revocation: 'skip' } } }),
      statement({ name: 'all', registryScopes: ['*'], signatureVerification: { level: 'audit' } }),
    ),
  );
  const p = d.trustPolicies[0]!;
  assert.deepEqual(p.enforcement, {
    integrity: 'enforce',
    authenticity: 'enforce',
    authenticTimestamp: 'log',
    expiry: 'enforce',
    revocation: 'skip',
  });
  assert.deepEqual(p.trustStores, [{ type: 'ca', name: 'acme' }]);
  assert.equal(applicablePolicy(d, 'reg.example.com/app')?.name, 'p');
  assert.equal(applicablePolicy(d, 'reg.example.com/other')?.name, 'all');
});

test('invalid documents are refused with the field named', () => {
  invalid('{', /not valid JSON/);
  invalid(JSON.stringify({ trustPolicies: [] }), /"version" is missing/);
  invalid(JSON.stringify({ version: '2.0', trustPolicies: [statement()] }), /"version" "2.0" is not supported/);
  invalid(doc(), /at least one policy statement/);
  invalid(doc(statement({ name: '' })), /has no "name"/);
  invalid(doc(statement(), statement({ registryScopes: ['reg.example.com/b'] })), /statement name "p" is used twice/);
  invalid(doc(statement({ signatureVerification: {} })), /signatureVerification.level is missing/);
  invalid(doc(statement({ signatureVerification: { level: 'paranoid' } })), /level "paranoid" is not one of/);
  invalid(
    doc(statement({ signatureVerification: { level: 'strict', override: { integrity: 'log' } } })),
    /integrity verification cannot be overridden/,
  );
  invalid(
    doc(statement({ signatureVerification: { level: 'strict', override: { authenticity: 'skip' } } })),
    /authenticity verification cannot be skipped/,
  );
  invalid(
    doc(statement({ signatureVerification: { level: 'strict', override: { tampering: 'log' } } })),
    /override "tampering" is not one of/,
  );
  invalid(doc(statement({ signatureVerification: { level: 'skip', override: { expiry: 'log' } } })), /level "skip" cannot be customised/);
  invalid(doc(statement({ registryScopes: [] })), /has no registryScopes/);
  invalid(doc(statement({ registryScopes: ['*', 'reg.example.com/app'] })), /mixes the wildcard scope/);
  invalid(doc(statement({ registryScopes: ['reg.example.com/*'] })), /uses a wildcard/);
  invalid(doc(statement({ registryScopes: ['reg.example.com'] })), /not a fully qualified repository/);
  invalid(doc(statement({ registryScopes: ['https://reg.example.com/app'] })), /not a fully qualified repository/);
  invalid(doc(statement(), statement({ name: 'q' })), /registry scope "reg.example.com\/app" appears in statements "p" and "q"/);
  invalid(doc(statement({ trustStores: [] })), /needs both trustStores and trustedIdentities/);
  invalid(doc(statement({ signatureVerification: { level: 'skip' } })), /skips verification but lists trustStores/);
  invalid(
    doc(statement({ registryScopes: ['*'], signatureVerification: { level: 'skip' }, trustStores: [], trustedIdentities: [] })),
    /applies to "\*" with level "skip"; the global statement must verify/,
  );
  // Scopes that normalised references can never equal are refused with the spelling that works.
  invalid(
    doc(statement({ registryScopes: ['docker.io/alpine'] })),
    /"docker\.io\/alpine" can never match: image references normalise to "docker\.io\/library\/alpine"/,
  );
  invalid(doc(statement({ registryScopes: ['index.docker.io/library/busybox'] })), /normalise to "docker\.io\/library\/busybox"/);
  invalid(doc(statement({ trustStores: ['acme'] })), /is not <type>:<name>/);
  invalid(doc(statement({ trustStores: ['root:acme'] })), /type "root" .* is not one of ca, signingAuthority, tsa/);
  invalid(doc(statement({ trustStores: ['ca:ac/me'] })), /must match \[a-zA-Z0-9_.-\]\+/);
  invalid(doc(statement({ trustedIdentities: ['*', 'x509.subject: C=US, ST=WA, O=a'] })), /wildcard identity "\*" cannot be combined/);
  // An identity without a prefix is malformed; one with another prefix is left alone, as notation does
  // (test/verify/notation-rules.test.ts).
  invalid(doc(statement({ trustedIdentities: ['C=US, ST=WA, O=a'] })), /has no "x509.subject:" prefix/);
  invalid(doc(statement({ trustedIdentities: ['x509.subject: CN=only'] })), /lacks C, ST, O/);
  invalid(doc(statement({ trustedIdentities: ['x509.subject: C=US, ST=WA, O=a, O=b'] })), /repeats the attribute O/);
  invalid(doc(statement({ trustedIdentities: ['x509.subject: C=US+ST=WA, O=a'] })), /multi-valued RDN/);
  invalid(
    doc(statement({ trustedIdentities: ['x509.subject: C=US, ST=WA, O=a', 'x509.subject: C=US, ST=WA, O=a, CN=b'] })),
    /overlapping trusted identities/,
  );
  invalid(doc(statement({ signatureVerification: { level: 'strict', verifyTimestamp: 'sometimes' } })), /verifyTimestamp must be/);
});

test('distinguished names: RFC 4514 escapes as go-ldap reads them, subset matching', () => {
  const dn = parseDistinguishedName('C=US, ST=WA, O=Acme\\, Inc., CN=a\\+b');
  assert.ok(typeof dn !== 'string', typeof dn === 'string' ? dn : '');
  assert.equal(dn.get('O'), 'Acme, Inc.');
  assert.equal(dn.get('CN'), 'a+b');
  const subject = new Map([
    ['C', 'US'],
    ['ST', 'WA'],
    ['O', 'Acme, Inc.'],
    ['CN', 'a+b'],
    ['OU', 'x'],
  ]);
  assert.ok(isSubset(dn, subject));
  assert.ok(!isSubset(dn, new Map([...subject, ['CN', 'other']])));
  assert.match(parseDistinguishedName('C=US, ST="WA') as string, /must be escaped \(quoting is not supported\)/);
});

test('trust store: notation layout, clear errors for missing stores and non-CA certificates', async () => {
  const dir = await tempDir();
  try {
    const ca = await issueCertificate({ subject: 'CN=ca,O=a,ST=WA,C=US', ca: true });
    const leaf = await issueCertificate({ subject: 'CN=leaf,O=a,ST=WA,C=US', issuer: ca });
    await mkdir(join(dir.path, 'x509/ca/good'), { recursive: true });
    await writeFile(join(dir.path, 'x509/ca/good/root.crt'), ca.der);
    await mkdir(join(dir.path, 'x509/ca/bad'), { recursive: true });
    await writeFile(join(dir.path, 'x509/ca/bad/leaf.pem'), leaf.certPem);
    await mkdir(join(dir.path, 'x509/ca/empty'), { recursive: true });
    const store = new TrustStore(dir.path);
    assert.equal((await store.certificates('ca', 'good')).length, 1);
    await assert.rejects(
      store.certificates('ca', 'missing'),
      /trust store ca:missing was not found: put its certificates in .*x509\/ca\/missing\//,
    );
    await assert.rejects(store.certificates('ca', 'bad'), /neither a CA certificate nor self-signed/);
    await assert.rejects(store.certificates('ca', 'empty'), /holds no certificate/);
  } finally {
    await dir.remove();
  }
});

test('property: arbitrary JSON never crashes the trust policy parser, only POLICY errors', async () => {
  const fc = (await import('fast-check')).default;
  const statementArb = fc.record(
    {
      name: fc.oneof(fc.string(), fc.constant('p')),
      registryScopes: fc.oneof(fc.array(fc.oneof(fc.string(), fc.constant('*'), fc.constant('reg.io/app'))), fc.jsonValue()),
      signatureVerification: fc.oneof(
        fc.record({
          level: fc.constantFrom('strict', 'permissive', 'audit', 'skip', 'x'),
          override: fc.dictionary(fc.string(), fc.string()),
        }),
        fc.jsonValue(),
      ),
      trustStores: fc.oneof(fc.array(fc.oneof(fc.string(), fc.constant('ca:acme'))), fc.jsonValue()),
      trustedIdentities: fc.oneof(
        fc.array(fc.oneof(fc.string(), fc.constant('*'), fc.constant('x509.subject: C=US, ST=WA, O=a'))),
        fc.jsonValue(),
      ),
    },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(
      fc.oneof(
        fc.jsonValue(),
        fc.record({ version: fc.oneof(fc.constant('1.0'), fc.jsonValue()), trustPolicies: fc.array(statementArb, { maxLength: 3 }) }),
      ),
      (doc) => {
        try {
          parseTrustPolicy(JSON.stringify(doc));
        } catch (err) {
          assert.ok(err instanceof NotarySignError && err.code === 'POLICY', String(err));
        }
      },
    ),
    { numRuns: 2000 },
  );
});
