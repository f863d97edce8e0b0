import assert from 'node:assert/strict';
import { cli as runCli } from '../helpers/run.js';
import { after, before, test } from 'node:test';
import { RegistryClient } from '../../src/registry/client.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { pushImage } from '../helpers/image.js';
import { tempDir, writeTestChain, type KeyFiles } from '../helpers/files.js';

let registry: TestRegistry;
let dir: Awaited<ReturnType<typeof tempDir>>;
let keys: KeyFiles;
before(async () => {
  registry = await startRegistry();
  dir = await tempDir();
  keys = await writeTestChain(dir, 'cli');
});
after(async () => {
  await registry?.stop();
  await dir?.remove();
});

test('notary-sign sign prints a JSON result and exits 0', async () => {
  const client = new RegistryClient({ insecureRegistries: [registry.host] });
  const image = await pushImage(client, { registry: registry.host, repository: 'cli/app' }, 'v1');
  const r = await runCli([
    'sign',
    `${registry.host}/cli/app:v1`,
    '--key',
    keys.keyPath,
    '--certificate-chain',
    keys.chainPath,
    '--insecure-registry',
    registry.host,
    '--output',
    'json',
    '--annotation',
    'io.example.list=a,b',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const [result] = JSON.parse(r.stdout).images;
  assert.equal(result.signedDigest, image.digest);
  assert.equal(result.storage, 'referrers-tag');
  assert.match(r.stderr, /warning: .*is a tag; signing the digest/);
});

test('errors are one line on stderr, exit 1, no stack trace', async () => {
  const cases: [string[], RegExp][] = [
    [['sign', 'x/y:z'], /^error: --key-id \(Azure Key Vault key URL\) or --key \(local PEM private key\) is required/],
    [['sign', 'BAD', '--key', keys.keyPath, '--certificate-chain', keys.chainPath], /^error: invalid image reference "BAD"/],
    [
      ['sign', 'a/b', '--key', keys.keyPath, '--certificate-chain', keys.chainPath, '--expiry', 'soon'],
      /^error: --expiry: "soon" is not a duration/,
    ],
    [
      ['sign', 'a/b', '--key', keys.keyPath, '--certificate-chain', keys.chainPath, '--network-timeout', '5x'],
      /^error: --network-timeout: "5x" is not a duration/,
    ],
    [['sign', 'a/b', '--bogus'], /^error: unknown option --bogus; run notary-sign sign --help/],
    [['frobnicate'], /^error: unknown command "frobnicate"/],
  ];
  for (const [args, pattern] of cases) {
    const r = await runCli(args);
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
});

test('--registry-username reads the password from stdin and never echoes it', async () => {
  const r = await runCli(
    [
      'sign',
      `${registry.host}/cli/none:v1`,
      '--key',
      keys.keyPath,
      '--certificate-chain',
      keys.chainPath,
      '--insecure-registry',
      registry.host,
      '--registry-username',
      'bob',
      '--registry-password-stdin',
    ],
    { input: 'hunter2-secret\n' },
  );
  assert.equal(r.code, 1);
  assert.match(r.stderr, /was not found in the registry/);
  assert.doesNotMatch(r.stdout + r.stderr, /hunter2-secret/);
});

test('core messages name inputs as the CLI spells them', async () => {
  // The TLS mismatch hint comes from the registry client, deep in the core.
  const plain = await runCli(['sign', `${registry.host}/cli/app:v1`, '--key', keys.keyPath, '--certificate-chain', keys.chainPath]);
  assert.equal(plain.code, 1);
  assert.match(plain.stderr, /list it in --insecure-registry$/m);
  // The trust policy reader, in verify/.
  const policy = await runCli(['verify', `${registry.host}/cli/app:v1`, '--trust-policy', '/nonexistent/tp.json', '--trust-store', '/tmp']);
  assert.match(policy.stderr, /^error: --trust-policy: cannot read \/nonexistent\/tp\.json/m);
});
