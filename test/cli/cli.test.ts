import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { cli, runNode } from '../helpers/run.js';

/** The CLI from source runs exactly as the bundle does (no registry needed). */
const fromSource = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runNode('--import', ['tsx', 'cli/main.ts', ...args], { env: { ...process.env, DOCKER_CONFIG: '/nonexistent', ...env } });

test('tsx cli/main.ts runs the CLI: same version, same errors as bin/notary-sign.js', async () => {
  const { version } = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
  for (const run of [fromSource, (a: string[]) => cli(a)]) {
    const v = await run(['--version']);
    assert.equal(v.code, 0, v.stderr);
    assert.equal(v.stdout.trim(), version);
    const bad = await run(['verify']);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, 'error: <image> is required: the image(s) to verify\n');
  }
});

test('a stack trace only with --debug or the CI debug switches', async () => {
  const plain = await cli(['sign', 'x/y:z']);
  assert.equal(plain.stderr.trim().split('\n').length, 1, plain.stderr);
  for (const [args, env] of [
    [['sign', 'x/y:z', '--debug'], {}],
    [['--debug', 'sign', 'x/y:z'], {}],
    [['sign', 'x/y:z'], { RUNNER_DEBUG: '1' }],
    [['sign', 'x/y:z'], { SYSTEM_DEBUG: 'true' }],
  ] as const) {
    const r = await cli([...args], { env: { ...process.env, DOCKER_CONFIG: '/nonexistent', ...env } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: --key-id .* is required/);
    assert.match(r.stderr, /\n\s+at /, `stack expected for ${args.join(' ')} ${JSON.stringify(env)}`);
    // Source maps: the frames name the TypeScript file where the error was made, not a minified chunk.
    assert.match(r.stderr, /\n\s+at .*src\/run\/session\.ts:\d+:\d+/, r.stderr);
  }
});

test('a signer that fails stops the registry work begun meanwhile: no retries after the error', async () => {
  const { createServer } = await import('node:http');
  let requests = 0;
  // A registry that answers slowly, then asks to be retried at once: the signer's failure comes first, and only the
  // run's own stop keeps the retry from being sent.
  const server = createServer((_req, res) => {
    requests++;
    setTimeout(() => res.writeHead(503, { 'retry-after': '0' }).end(), 300).unref();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${(server.address() as { port: number }).port}`;
  try {
    const digest = `sha256:${'0'.repeat(64)}`;
    const r = await cli([
      'sign',
      `${host}/a/b@${digest}`,
      '--key',
      '/nonexistent',
      '--certificate-chain',
      '/nonexistent',
      '--insecure-registry',
      host,
    ]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'error: --key: cannot read /nonexistent (no such file)\n');
    await new Promise((r) => setTimeout(r, 800));
    assert.ok(requests <= 1, `the registry work stopped with the signer's failure (${requests} requests)`);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
