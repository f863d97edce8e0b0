import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { describe, test } from 'node:test';
import { canonicalJson } from '../../src/tuf/canonical-json.js';
import { keyId, type TufKey } from '../../src/tuf/keys.js';
import { verifyTrustData } from '../../src/tuf/trust-data.js';

/**
 * The TUF checks that the real notary-server cannot be made to fail (test/migrate covers what it can):
 * a collection written here with notary's formats, then changed one way at a time.
 */
const GUN = 'registry.example/app';
const later = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

function rootCertificate(): { key: KeyObject; tuf: TufKey } {
  // openssl writes the private key, then the certificate (CN = the GUN, as notary's root certificates are).
  const pem = execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      '-',
      '-subj',
      `/CN=${GUN.replace('/', '\\/')}`, // openssl -subj: a slash inside a value is escaped
      '-days',
      '30',
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/.exec(pem)![0];
  return { key: createPrivateKey(pem), tuf: { keytype: 'ecdsa-x509', keyval: { public: Buffer.from(cert).toString('base64') } } };
}

function ecdsaKey(): { key: KeyObject; tuf: TufKey } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    key: privateKey,
    tuf: { keytype: 'ecdsa', keyval: { public: publicKey.export({ type: 'spki', format: 'der' }).toString('base64') } },
  };
}

const ROOT = rootCertificate();
const ROLE = ecdsaKey();
const DELEGATE = ecdsaKey();

function signed(body: object, signers: { key: KeyObject; tuf: TufKey; id?: string }[]): Buffer {
  const message = canonicalJson(body);
  const signatures = signers.map((s) => ({
    keyid: s.id ?? keyId(s.tuf),
    method: 'ecdsa',
    sig: sign('sha256', message, { key: s.key, dsaEncoding: 'ieee-p1363' }).toString('base64'),
  }));
  return Buffer.from(JSON.stringify({ signed: body, signatures }));
}

const meta = (bytes: Buffer) => ({ length: bytes.length, hashes: { sha256: createHash('sha256').update(bytes).digest('base64') } });
const target = (fill: number) => ({ length: 100, hashes: { sha256: Buffer.alloc(32, fill).toString('base64') } });

interface Collection {
  targetsRole?: { keyids: string[]; threshold: number };
  extraRootKeys?: Record<string, TufKey>;
  targetsSigners?: { key: KeyObject; tuf: TufKey; id?: string }[];
  releases?: { paths: string[]; targets: Record<string, unknown> };
}

/** root, targets (and targets/releases), snapshot and timestamp as notary writes them. */
function collection(c: Collection = {}): Map<string, Buffer> {
  const rootId = keyId(ROOT.tuf);
  const roleId = keyId(ROLE.tuf);
  const files = new Map<string, Buffer>();
  const root = signed(
    {
      _type: 'Root',
      consistent_snapshot: false,
      expires: later(3650),
      keys: { [rootId]: ROOT.tuf, [roleId]: ROLE.tuf, ...c.extraRootKeys },
      roles: {
        root: { keyids: [rootId], threshold: 1 },
        targets: c.targetsRole ?? { keyids: [roleId], threshold: 1 },
        snapshot: { keyids: [roleId], threshold: 1 },
        timestamp: { keyids: [roleId], threshold: 1 },
      },
      version: 1,
    },
    [ROOT],
  );
  const delegateId = keyId(DELEGATE.tuf);
  const delegations = c.releases
    ? {
        keys: { [delegateId]: DELEGATE.tuf },
        roles: [{ name: 'targets/releases', keyids: [delegateId], threshold: 1, paths: c.releases.paths }],
      }
    : { keys: {}, roles: [] };
  const targets = signed(
    { _type: 'Targets', delegations, expires: later(1000), targets: { v1: target(1) }, version: 2 },
    c.targetsSigners ?? [ROLE],
  );
  files.set('root', root).set('targets', targets);
  const snapshotMeta: Record<string, unknown> = { root: meta(root), targets: meta(targets) };
  if (c.releases) {
    const releases = signed({ _type: 'Targets', expires: later(1000), targets: c.releases.targets, version: 3 }, [DELEGATE]);
    files.set('targets/releases', releases);
    snapshotMeta['targets/releases'] = meta(releases);
  }
  const snapshot = signed({ _type: 'Snapshot', expires: later(1000), meta: snapshotMeta, version: 2 }, [ROLE]);
  const timestamp = signed({ _type: 'Timestamp', expires: later(14), meta: { snapshot: meta(snapshot) }, version: 1 }, [ROLE]);
  return files.set('snapshot', snapshot).set('timestamp', timestamp);
}

const verify = (files: Map<string, Buffer>) =>
  verifyTrustData({ gun: GUN, pins: [keyId(ROOT.tuf)], source: { fetch: (name) => Promise.resolve(files.get(name)) } });

describe('canonical JSON as notary signs it', () => {
  test('sorted keys, no whitespace, only quote and backslash escaped, U+2028/9 as escapes', () => {
    const text = canonicalJson({ b: 1, a: 'x\u2028"\\\n\t', c: [true, null] }).toString('utf8');
    assert.equal(text, '{"a":"x\\u2028\\"\\\\\n\t","b":1,"c":[true,null]}');
  });
  test('keys sort by their UTF-8 bytes (as Go does), not by UTF-16 units', () => {
    assert.equal(canonicalJson({ '\u{10000}': 1, '\uffff': 2 }).toString('utf8'), '{"\uffff":2,"\u{10000}":1}');
  });
  test('a non-integer number has no canonical form', () => {
    assert.throws(() => canonicalJson({ length: 1.5 }), /not an integer/);
  });
});

describe('trust data that lies', () => {
  test('a well-formed collection verifies (so each case below fails for its own reason)', async () => {
    const r = await verify(collection());
    assert.deepEqual(
      r.tags.map((t) => [t.tag, t.role, t.digest]),
      [['v1', 'targets', `sha256:${'01'.repeat(32)}`]],
    );
  });

  test('one key listed twice under two IDs cannot meet a threshold of two', async () => {
    const decoy = 'f'.repeat(64);
    const files = collection({
      targetsRole: { keyids: [keyId(ROLE.tuf), decoy], threshold: 2 },
      extraRootKeys: { [decoy]: ROLE.tuf },
      targetsSigners: [ROLE, { ...ROLE, id: decoy }],
    });
    await assert.rejects(verify(files), /targets\.json has 1 valid signature\(s\) of the 2 required/);
  });

  test("a signature under a listed key's ID made by another key", async () => {
    const intruder = ecdsaKey();
    const files = collection({ targetsSigners: [{ ...intruder, id: keyId(ROLE.tuf) }] });
    await assert.rejects(verify(files), /targets\.json has 0 valid signature\(s\) of the 1 required/);
  });

  test('a delegate listing a tag outside its delegated paths: the tag is ignored, with the reason', async () => {
    const r = await verify(collection({ releases: { paths: ['release-'], targets: { 'release-1': target(2), v1: target(3) } } }));
    assert.deepEqual(
      r.tags.map((t) => [t.tag, t.role]),
      [
        ['release-1', 'targets/releases'],
        ['v1', 'targets'],
      ],
    );
    // v1 comes from targets: the delegate's v1 is outside its paths and never used.
    assert.equal(r.tags[1]!.digest, `sha256:${'01'.repeat(32)}`);
    assert.deepEqual(r.ignored, []);
  });

  test('a delegate-only tag outside the delegated paths is reported, not migrated', async () => {
    const r = await verify(collection({ releases: { paths: ['release-'], targets: { sneaky: target(4) } } }));
    assert.deepEqual(r.ignored, [{ tag: 'sneaky', reason: 'targets/releases lists it outside the paths delegated to it' }]);
    assert.ok(!r.tags.some((t) => t.tag === 'sneaky'));
  });
});
