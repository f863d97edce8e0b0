import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { RegistryClient } from '../../src/registry/client.js';
import { startRegistry, freePort, type TestRegistry } from '../helpers/registry.js';
import { pushImage } from '../helpers/image.js';
import { tempDir, writeTestChain, type KeyFiles } from '../helpers/files.js';
import { generateTestChain } from '../helpers/test-certs.js';
import { cli } from '../helpers/run.js';
import { writeTrustFiles } from '../helpers/trust.js';
import { runAction } from '../helpers/action.js';

/** What a user meets at the CLI and in the action when something is wrong: each answer says what and why. */
let registry: TestRegistry;
let readOnly: TestRegistry;
let dir: Awaited<ReturnType<typeof tempDir>>;
let keys: KeyFiles;
let client: RegistryClient;
let trust: string[];
let n = 0;

const EVIL_SUBJECT = 'CN=**OK** [rerun here](https://evil.example/x),O=x,C=US';

before(async () => {
  registry = await startRegistry();
  readOnly = await startRegistry({ readOnlyView: registry });
  dir = await tempDir();
  keys = await writeTestChain(dir, 'messages');
  client = new RegistryClient({ insecureRegistries: [registry.host, readOnly.host] });
  const files = await writeTrustFiles(dir.path, { name: 'msgs', rootPem: keys.root.certPem });
  trust = [...files.args, '--insecure-registry', registry.host];
});
after(async () => {
  await readOnly?.stop();
  await registry?.stop();
  await dir?.remove();
});

async function image() {
  const repository = `msg/app${++n}`;
  const d = await pushImage(client, { registry: registry.host, repository }, 'v1');
  return { repository, digest: d.digest, ref: `${registry.host}/${repository}@${d.digest}` };
}

const signArgs = (k: { keyPath: string; chainPath: string } = keys) => [
  '--key',
  k.keyPath,
  '--certificate-chain',
  k.chainPath,
  '--insecure-registry',
  registry.host,
  '--insecure-registry',
  readOnly.host,
];

/** A fresh image signed by a chain the policy does not trust, whose subject is markdown with a link. */
async function signedByHostileSubject() {
  const a = await image();
  const evil = await generateTestChain({ subject: EVIL_SUBJECT });
  const keyPath = await dir.file(`evil${n}.key`, evil.leaf.keyPem);
  const chainPath = await dir.file(`evil${n}.crt`, evil.chainPem);
  assert.equal((await cli(['sign', a.ref, ...signArgs({ keyPath, chainPath })])).code, 0);
  return a;
}

describe('wrong or misleading answers, fixed', () => {
  test('a rejected signature reads as rejected: which statement, which check, why', async () => {
    const a = await signedByHostileSubject();
    const r = await cli(['verify', a.ref, ...trust]);
    assert.equal(r.code, 1);
    assert.match(
      r.stdout,
      /^FAIL\t\S+\trejected: its only signature sha256:[0-9a-f]{64} fails trust policy statement "msgs" \(strict\): authenticity: .*does not chain/m,
    );
    assert.doesNotMatch(r.stdout + r.stderr, /passed/);
    assert.match(r.stderr, /^verify: 1 rejected in (\d+ ms|\d+\.\d s)$/m);
  });

  test('verify-base refuses a Dockerfile a build cannot use; FROM scratch alone passes', async () => {
    const cases: [string | Buffer, RegExp][] = [
      ['', /^error: \S+ is empty: a build cannot use it/],
      ['  \n\n', /^error: \S+ is empty/],
      [Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 0xff]), /^error: \S+ is not a text file \(NUL bytes or invalid UTF-8\)/],
      ['RUN echo hi\n', /^error: \S+ has no FROM instruction: a build cannot use it/],
      ['# just a comment\n', /^error: \S+ has no instructions/],
    ];
    for (const [content, pattern] of cases) {
      const dockerfile = await dir.file(`Dockerfile.bad${++n}`, content);
      const r = await cli(['verify-base', '--dockerfile', dockerfile, ...trust]);
      assert.equal(r.code, 1, JSON.stringify(content));
      assert.match(r.stderr, pattern);
    }
    const scratch = await dir.file('Dockerfile.scratch', 'FROM scratch\nCOPY x /\n');
    const ok = await cli(['verify-base', '--dockerfile', scratch, ...trust]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, /uses no external image/);
  });

  test('a --pin-output that cannot be written names the input and path, and the results still print', async () => {
    const a = await image();
    assert.equal((await cli(['sign', a.ref, ...signArgs()])).code, 0);
    const dockerfile = await dir.file(`Dockerfile.pin${++n}`, `FROM ${registry.host}/${a.repository}:v1\n`);
    const cases: [string, RegExp][] = [
      [dir.path, /it is a directory; give a file path/],
      [join(dir.path, 'no/such/dir/Dockerfile.pinned'), /its directory does not exist/],
      [join(await dir.file('plain-file', 'x'), 'Dockerfile.pinned'), /a parent of it is a file/],
    ];
    for (const [path, why] of cases) {
      const r = await cli(['verify-base', '--dockerfile', dockerfile, '--pin-output', path, ...trust]);
      assert.equal(r.code, 1, path);
      assert.match(r.stdout, new RegExp(`^PASS\\t${registry.host}/${a.repository}:v1\\t`, 'm'), 'the verification result is reported');
      assert.match(r.stderr, new RegExp(`^error: --pin-output: cannot write ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `, 'm'));
      assert.match(r.stderr, why);
      assert.doesNotMatch(r.stderr, /unexpected error|EISDIR|ENOENT/);
      const json = await cli(['verify-base', '--dockerfile', dockerfile, '--pin-output', path, '--output', 'json', ...trust]);
      const doc = JSON.parse(json.stdout);
      assert.equal(doc.ok, false);
      assert.equal(doc.images[0].verified, true);
      assert.match(doc.error, /pinned Dockerfile was not written/);
    }
  });

  test('a multi-image sign that fails part-way reports every image: signed, reused, not signed', async () => {
    const a = await image();
    const b = await image();
    const c = await image();
    assert.equal((await cli(['sign', b.ref, ...signArgs()])).code, 0);
    // The same repository served read-only: it resolves, and refuses the push.
    const cReadOnly = `${readOnly.host}/${c.repository}@${c.digest}`;
    const r = await cli(['sign', a.ref, b.ref, cReadOnly, ...signArgs(), '--output', 'json']);
    assert.equal(r.code, 1);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.ok, false);
    assert.deepEqual(
      doc.images.map((i: { outcome: string }) => i.outcome),
      ['signed', 'reused', 'failed'],
    );
    assert.match(doc.images[2].reason, new RegExp(readOnly.host.replace(/\./g, '\\.')));
    assert.match(doc.error, /^1 of 3 images not signed: /);
    const text = await cli(['sign', a.ref, cReadOnly, ...signArgs()]);
    assert.equal(text.code, 1);
    assert.match(text.stdout, /^REUSED\t.*\nFAILED\t/m);
    assert.match(text.stderr, /^error: 1 of 2 images not signed: /m);
    assert.match(text.stderr, /^sign: 1 already signed, 1 not signed in \d/m);
  });

  test('a registry host with no repository is refused with the reference meant; an HTML page is not a registry', async () => {
    for (const [ref, host] of [
      [registry.host, registry.host],
      ['myacr.azurecr.io', 'myacr.azurecr.io'],
      ['localhost', 'localhost'],
    ]) {
      const r = await cli(['verify', ref!, ...trust]);
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        new RegExp(
          `^error: invalid image reference .*"${host!.replace(/\./g, '\\.')}" is a registry, not an image; name the repository too, e.g. ${host!.replace(/\./g, '\\.')}/<repository>:<tag>`,
        ),
      );
      assert.doesNotMatch(r.stderr, /docker\.io/);
    }
    const port = await freePort();
    const html: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>Welcome</body></html>');
    });
    await new Promise<void>((resolve) => html.listen(port, '127.0.0.1', resolve));
    try {
      const r = await cli(['verify', `127.0.0.1:${port}/app:v1`, ...trust, '--insecure-registry', `127.0.0.1:${port}`]);
      assert.equal(r.code, 1);
      assert.match(
        r.stderr + r.stdout,
        /answered GET manifest app:v1 with text\/html, not an OCI or Docker manifest; is this the registry address\?/,
      );
      assert.doesNotMatch(r.stdout, /sha256:/);
    } finally {
      html.close();
    }
  });

  test('the job summary shows a hostile certificate subject as text, and the log has a line per image', async () => {
    const a = await signedByHostileSubject();
    const r = await runAction(
      dir.path,
      { command: 'verify', image: a.ref, 'trust-policy': trust[1]!, 'trust-store': trust[3]!, 'insecure-registries': registry.host },
      { ...process.env, DOCKER_CONFIG: '/nonexistent' },
    );
    assert.equal(r.code, 1);
    assert.match(r.visible, new RegExp(`^FAIL\\t${registry.host}/${a.repository}@sha256:`, 'm'));
    assert.match(r.summary, /\| ❌ rejected \|/);
    const { default: MarkdownIt } = await import('markdown-it');
    const html = new MarkdownIt({ html: true, linkify: true }).render(r.summary);
    assert.match(html, /\*\*OK\*\* \[rerun here\]\(https:\/\/evil\.example\/x\)/, 'shown as typed');
    assert.doesNotMatch(html, /<strong>|<a /);
  });
});

describe('validation that says no in time', () => {
  const cases: [string, string[], RegExp][] = [
    [
      'expiry under a minute',
      ['sign', 'r.example/a@sha256:' + 'a'.repeat(64), '--expiry', '30s'],
      /^error: --expiry: "30s" is under a minute/,
    ],
    ['empty expiry', ['sign', 'r.example/a:v1', '--expiry', ''], /^error: --expiry is empty; give it a value or leave it out/],
    [
      'reserved annotation',
      ['sign', 'r.example/a:v1', '--annotation', 'io.cncf.notary.x=1'],
      /^error: --annotation: "io\.cncf\.notary\.x" uses the reserved io\.cncf\.notary\. prefix/,
    ],
    [
      'bad platform',
      ['verify-base', '--dockerfile', 'D', '--platform', 'amd64'],
      /^error: --platform: "amd64" is not os\/arch\[\/variant\]/,
    ],
    [
      'password without user',
      ['sign', 'r.example/a:v1', '--registry-password-stdin'],
      /^error: --registry-password-stdin needs --registry-username/,
    ],
    ['missing value', ['sign', 'r.example/a:v1', '--key'], /^error: --key needs a value; run notary-sign sign --help/],
    [
      'ambiguous value',
      ['sign', 'r.example/a:v1', '--key', '--recursive'],
      /^error: --key needs a value but is followed by another option; write --key=<value>/,
    ],
    ['value for a switch', ['sign', 'r.example/a:v1', '--recursive=yes'], /^error: --recursive takes no value/],
  ];
  for (const [what, args, pattern] of cases) {
    test(what, async () => {
      // The case's own arguments last: a trailing option must stay trailing.
      const full = [args[0]!, ...(args[0] === 'sign' ? signArgs() : trust), ...args.slice(1)];
      const r = await cli(full);
      assert.equal(r.code, 1);
      assert.match(r.stderr, pattern);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    });
  }

  test('--client-id without --tenant-id is refused where the sign-in is federated', async () => {
    const r = await cli(['sign', 'r.example/a:v1', '--key-id', 'https://v.vault.azure.net/keys/k', '--client-id', 'abc'], {
      env: { ...process.env, ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:9/x', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 't' },
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: --client-id needs --tenant-id for a federated sign-in \(GitHub OIDC\)/);
  });

  test('a --platform the index does not list fails that image, naming the input', async () => {
    const { pushIndex } = await import('../helpers/image.js');
    const repository = `msg/multi${++n}`;
    await pushIndex(client, { registry: registry.host, repository }, 'v1');
    const dockerfile = await dir.file(`Dockerfile.plat${n}`, `FROM ${registry.host}/${repository}:v1\n`);
    const r = await cli(['verify-base', '--dockerfile', dockerfile, '--platform', 'linux/s390x', ...trust]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^FAIL\t.*the image index has no linux\/s390x manifest; --platform asks for it/m);
  });

  test('a --build-arg the Dockerfile never declares is a warning', async () => {
    const dockerfile = await dir.file('Dockerfile.args', 'ARG USED=1\nFROM scratch\n');
    const r = await cli(['verify-base', '--dockerfile', dockerfile, '--build-arg', 'USED=2', '--build-arg', 'TYPO=3', ...trust]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^warning: --build-arg: TYPO is not declared by an ARG in \S+; the build ignores it$/m);
    assert.doesNotMatch(r.stderr, /USED is not/);
  });
});

describe('words a user understands', () => {
  test('key and chain files that are something else say what they are', async () => {
    const encrypted = await dir.file('enc.key', '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n');
    const notPem = await dir.file('bin.key', Buffer.from([0x30, 0x82, 0x01, 0x00, 0x02]));
    const junkChain = await dir.file('junk.crt', 'hello, world');
    const keyAsChain = await dir.file('key-as-chain.crt', keys.leaf.keyPem);
    const cases: [string, string, RegExp][] = [
      [keys.chainPath, keys.chainPath, /^error: --key \S+ holds a certificate, not a private key/],
      [encrypted, keys.chainPath, /^error: --key \S+ is an encrypted key; decrypt it first \(openssl pkey/],
      [notPem, keys.chainPath, /^error: --key \S+ is not PEM \(no -----BEGIN line\)/],
      [keys.keyPath, junkChain, /^error: --certificate-chain \S+ is neither PEM .* nor a DER certificate/],
      [keys.keyPath, keyAsChain, /^error: --certificate-chain \S+ holds PRIVATE KEY but no CERTIFICATE block/],
    ];
    const a = await image();
    for (const [key, chain, pattern] of cases) {
      const r = await cli(['sign', a.ref, '--key', key, '--certificate-chain', chain, '--insecure-registry', registry.host]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, pattern);
      assert.doesNotMatch(r.stderr, /error:[0-9A-F]{8}|DECODER|asn1/i);
    }
  });

  test('--trust-store pointing at a file, or a non-certificate file inside one, is named as such', async () => {
    const a = await image();
    assert.equal((await cli(['sign', a.ref, ...signArgs()])).code, 0);
    const file = await dir.file('not-a-store', 'x');
    const r = await cli(['verify', a.ref, '--trust-policy', trust[1]!, '--trust-store', file, '--insecure-registry', registry.host]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: --trust-store: \S+ is a file; give the trust store directory/);
    await mkdir(join(dir.path, 'store2/x509/ca/msgs'), { recursive: true });
    await writeFile(join(dir.path, 'store2/x509/ca/msgs/README.txt'), 'certificates go here');
    const store2 = await cli([
      'verify',
      a.ref,
      '--trust-policy',
      trust[1]!,
      '--trust-store',
      join(dir.path, 'store2'),
      '--insecure-registry',
      registry.host,
    ]);
    assert.equal(store2.code, 1);
    assert.match(store2.stdout + store2.stderr, /trust store file \S+README\.txt is neither PEM/);
  });

  test('--output json prints a document with an error field when the run fails before any result', async () => {
    const r = await cli(['verify', 'r.example/a:v1', '--output', 'json', '--trust-policy', '/nonexistent.json', '--trust-store', dir.path]);
    assert.equal(r.code, 1);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.ok, false);
    assert.equal(doc.command, 'verify');
    assert.match(doc.error, /trust-policy/);
  });

  test('--verbose shows each registry request as it starts', async () => {
    const a = await image();
    const r = await cli(['verify', a.ref, ...trust, '--verbose']);
    assert.match(r.stderr, new RegExp(`^debug: HEAD http://${registry.host}/v2/${a.repository}/manifests/sha256:`, 'm'));
  });
});
