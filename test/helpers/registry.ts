import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTools } from '../../scripts/tools.js';

/** A real CNCF distribution registry (Debian `docker-registry`) on 127.0.0.1. */
export interface TestRegistry {
  /** host:port, e.g. 127.0.0.1:41234 */
  host: string;
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

export interface TokenAuthConfig {
  realm: string;
  service: string;
  issuer: string;
  rootCertBundlePath: string;
}

/** The registry binary; installed first where that is safe (scripts/tools.ts), else one line saying how. */
const findBinary = (): string => ensureTools(['registry']).registry;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** `readOnlyView`: a second registry serving another one's storage in maintenance read-only mode (pushes fail). */
export async function startRegistry(
  opts: { tokenAuth?: TokenAuthConfig; readOnlyView?: TestRegistry; pullThroughOf?: TestRegistry } = {},
): Promise<TestRegistry> {
  const binary = findBinary();
  const dir = await mkdtemp(join(tmpdir(), 'notary-sign-registry-'));
  const data = opts.readOnlyView ? join(opts.readOnlyView.dataDir, 'data') : join(dir, 'data');
  // distribution docs (configuration.md, "maintenance"): readonly rejects every write with 405.
  const readOnly = opts.readOnlyView ? '  maintenance:\n    readonly:\n      enabled: true\n' : '';
  // distribution docs (configuration.md, "proxy"): a pull-through cache of another registry.
  const proxy = opts.pullThroughOf ? `proxy:\n  remoteurl: ${opts.pullThroughOf.url}\n` : '';
  for (let tries = 0; ; tries++) {
    const port = await freePort();
    const auth = opts.tokenAuth
      ? `auth:
  token:
    realm: ${opts.tokenAuth.realm}
    service: ${opts.tokenAuth.service}
    issuer: ${opts.tokenAuth.issuer}
    rootcertbundle: ${opts.tokenAuth.rootCertBundlePath}
`
      : '';
    const config = `version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${data}
  delete:
    enabled: true
${readOnly}http:
  addr: 127.0.0.1:${port}
  secret: notary-sign-test-secret
${auth}${proxy}`;
    await writeFile(join(dir, 'config.yml'), config);
    const child = spawn(binary, ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const host = `127.0.0.1:${port}`;
    const ready = await waitReady(`http://${host}/v2/`, child);
    if (ready) {
      return {
        host,
        url: `http://${host}`,
        dataDir: dir,
        stop: async () => {
          await stopChild(child);
          await rm(dir, { recursive: true, force: true });
        },
      };
    }
    await stopChild(child);
    if (tries >= 2) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(`registry did not start: ${stderr.slice(-2000)}`);
    }
  }
}

async function waitReady(url: string, child: ChildProcess): Promise<boolean> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return false;
    try {
      const res = await fetch(url);
      await res.body?.cancel();
      if (res.status === 200 || res.status === 401) return true;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => (clearTimeout(t), resolve()));
    child.kill('SIGTERM');
  });
}
