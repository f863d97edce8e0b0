import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ensureTools } from '../../scripts/tools.js';
import { freePort, type TokenAuthConfig } from './registry.js';

/** A real notary-server (Debian `notary` 0.7, what `docker trust` talks to) on 127.0.0.1, and its CLI. */
export interface TestNotary {
  /** http://127.0.0.1:<port> */
  url: string;
  host: string;
  /** Run the real `notary` CLI against this server with the test's trust directory and passphrases. */
  notary(args: string[], opts?: { input?: string }): Promise<string>;
  trustDir: string;
  stop(): Promise<void>;
}

// The passphrases the CLI reads instead of prompting (notary cmd/notary docs: NOTARY_*_PASSPHRASE).
const PASSPHRASES = {
  NOTARY_ROOT_PASSPHRASE: 'root-passphrase',
  NOTARY_TARGETS_PASSPHRASE: 'targets-passphrase',
  NOTARY_SNAPSHOT_PASSPHRASE: 'snapshot-passphrase',
  NOTARY_DELEGATION_PASSPHRASE: 'delegation-passphrase',
};

export async function startNotaryServer(
  opts: { tokenAuth?: TokenAuthConfig; user?: { username: string; password: string } } = {},
): Promise<TestNotary> {
  const server = ensureTools(['notary']).notary;
  const cliPath = join(dirname(server), 'notary');
  const dir = await mkdtemp(join(tmpdir(), 'notary-sign-notary-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  // notary cmd/notary-server/config.go: memory storage and the in-process (local, ED25519) signer; plain HTTP
  // when no TLS files are named; token auth as the registry's (distribution registry/auth/token).
  const config = {
    server: { http_addr: host },
    trust_service: { type: 'local', hostname: '', port: '' },
    storage: { backend: 'memory' },
    logging: { level: 'error' },
    ...(opts.tokenAuth
      ? {
          auth: {
            type: 'token',
            options: {
              realm: opts.tokenAuth.realm,
              service: opts.tokenAuth.service,
              issuer: opts.tokenAuth.issuer,
              rootcertbundle: opts.tokenAuth.rootCertBundlePath,
            },
          },
        }
      : {}),
  };
  await writeFile(join(dir, 'server.json'), JSON.stringify(config));
  const child = spawn(server, ['-config', join(dir, 'server.json')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const deadline = Date.now() + 15_000;
  for (;;) {
    const up = await fetch(`http://${host}/_notary_server/health`).then(
      (r) => (void r.body?.cancel(), r.ok),
      () => false,
    );
    if (up) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
      throw new Error(`notary-server did not start: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const trustDir = join(dir, 'trust');
  const auth = opts.user ? { NOTARY_AUTH: Buffer.from(`${opts.user.username}:${opts.user.password}`).toString('base64') } : {};
  const notary = (args: string[], o: { input?: string } = {}) =>
    new Promise<string>((resolve, reject) => {
      const p = spawn(cliPath, ['-s', `http://${host}`, '-d', trustDir, ...args], {
        env: { PATH: process.env.PATH, HOME: dir, ...PASSPHRASES, ...auth },
      });
      let out = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      p.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
      // A notary command that exits without reading its input makes this write fail (EPIPE): its exit code says why.
      p.stdin.on('error', () => undefined);
      p.stdin.end(o.input ?? '');
      p.on('close', (code) => {
        clearTimeout(timer);
        if (code === 0) resolve(out);
        else reject(new Error(`notary ${args.join(' ')} exited ${code}: ${out}`));
      });
    });
  return {
    url: `http://${host}`,
    host,
    notary,
    trustDir,
    stop: async () => {
      if (child.exitCode === null) {
        await new Promise<void>((r) => {
          const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
          child.once('exit', () => (clearTimeout(t), r()));
          child.kill('SIGTERM');
        });
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The canonical root key ID `notary key list` shows (what `docker trust inspect` calls the root key). */
export async function rootKeyIds(n: TestNotary): Promise<string[]> {
  const out = await n.notary(['key', 'list']);
  return [...out.matchAll(/^root\s+([0-9a-f]{64})/gm)].map((m) => m[1]!);
}
