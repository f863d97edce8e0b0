import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Revocation data kept on disk between runs (notation keeps CRLs in its cache directory too), so a CI job
 * that saves the directory pays no request for a CRL or OCSP response that is still current. An entry is
 * only a hint: whoever reads it verifies it again (signature, issuer, freshness) exactly as if just fetched.
 */
export class RevocationCache {
  constructor(readonly dir: string) {}

  private path(key: string): string {
    return join(this.dir, createHash('sha256').update(key).digest('hex'));
  }

  /** The bytes stored under `key` while `usableUntil` has not passed; undefined otherwise or when unreadable. */
  async get(key: string, now: Date): Promise<Buffer | undefined> {
    try {
      const meta = JSON.parse(await readFile(`${this.path(key)}.json`, 'utf8')) as { key?: string; usableUntil?: string };
      if (meta.key !== key || !meta.usableUntil || now > new Date(meta.usableUntil)) return undefined;
      return await readFile(`${this.path(key)}.der`);
    } catch {
      return undefined;
    }
  }

  /** Store best-effort: a cache that cannot be written costs requests next time, never a verdict. */
  async put(key: string, bytes: Uint8Array, usableUntil: Date): Promise<void> {
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const base = this.path(key);
      const tmp = `${base}.${randomBytes(6).toString('hex')}.tmp`;
      // Bytes first, then the metadata that makes them visible: a reader never sees half an entry.
      await writeFile(tmp, bytes);
      await rename(tmp, `${base}.der`);
      await writeFile(tmp, JSON.stringify({ key, usableUntil: usableUntil.toISOString() }));
      await rename(tmp, `${base}.json`);
    } catch {
      // Read-only or full disk: the check itself already has its answer.
    }
  }
}

/** The default cache directory: `$XDG_CACHE_HOME/notary-sign/revocation`, else `~/.cache/notary-sign/revocation`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || (process.platform === 'win32' && env.LOCALAPPDATA) || join(homedir(), '.cache');
  return join(base, 'notary-sign', 'revocation');
}
