import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { which } from '../../scripts/tools.js';

/**
 * The set-up step on a machine where the registry is missing and cannot be
 * installed: one line naming the command for that system, never a stack trace.
 * PATH is narrowed to a folder of our own; as root, the child runs as `nobody`
 * (no sudo rights), which is the "non-root user without sudo" of the issue.
 */
let bin: string;
before(async () => {
  bin = await mkdtemp(join(tmpdir(), 'notary-sign-tools-'));
  await chmod(bin, 0o755);
  await symlink(process.execPath, join(bin, 'node'));
});
after(() => rm(bin, { recursive: true, force: true }));

const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
function runTools(script: string, extra: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], {
    env: { PATH: bin, HOME: tmpdir(), TMPDIR: tmpdir(), ...extra },
    encoding: 'utf8',
    timeout: 60_000,
    ...asUser,
  });
  return { code: r.status, stderr: r.stderr, stdout: r.stdout };
}
async function fake(name: string) {
  await writeFile(join(bin, name), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
}

test('nothing installable: one line naming what to install', () => {
  const r = runTools('scripts/tools.ts');
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(
    r.stderr,
    /^notary-sign: the CNCF distribution registry, openssl and notary are not installed \(.*\); run: install .*registry.*, openssl and notary so that they are on PATH$/m,
  );
});

test('with apt-get but neither root nor sudo: the apt-get command, run with sudo', async () => {
  const apt = which(['apt-get']);
  assert.ok(apt, 'apt-get is on this (Debian) machine');
  await symlink(apt, join(bin, 'apt-get'));
  try {
    const r = runTools('scripts/tools.ts');
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /run: sudo apt-get update && sudo apt-get install -y docker-registry openssl notary/);
    assert.doesNotMatch(r.stderr, /installing/);
  } finally {
    await rm(join(bin, 'apt-get'));
  }
});

test('dnf systems get the dnf command; docker hosts get the registry binary out of the image', async () => {
  await fake('dnf');
  let r = runTools('scripts/tools.ts');
  // Fedora packages no notary: the line says where it comes from instead.
  assert.match(
    r.stderr,
    /run: sudo dnf install -y docker-distribution openssl; build github\.com\/notaryproject\/notary v0\.7\.0 \(notary-server and notary\) from source$/m,
  );
  await rm(join(bin, 'dnf'));

  const openssl = which(['openssl']);
  assert.ok(openssl, 'openssl is on this machine');
  await symlink(openssl, join(bin, 'openssl'));
  await fake('notary-server');
  await fake('docker');
  r = runTools('scripts/tools.ts');
  assert.match(
    r.stderr,
    /registry is not installed .*run: docker create --name notary-sign-registry registry:2 && docker cp notary-sign-registry:\/bin\/registry \/usr\/local\/bin\/registry/,
  );
  await rm(join(bin, 'docker'));
  await rm(join(bin, 'notary-server'));
  await rm(join(bin, 'openssl'));
});

test('without a registry binary, the demo says so in one line and tells the same story on an OCI layout', () => {
  const r = runTools('scripts/demo.ts');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(
    r.stdout,
    /^notary-sign: the CNCF distribution registry is not installed.*\nNo registry here: the same story on an OCI image layout instead\.$/m,
  );
  assert.match(r.stdout, /^PASS\toci:\S+\/layout@sha256:[0-9a-f]{64}\tsignature sha256:/m);
  assert.match(r.stdout, /^FAIL\toci:\S+\/layout@sha256:[0-9a-f]{64}\tno signature found/m);
  assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at /);
});
