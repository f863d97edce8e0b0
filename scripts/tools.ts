/**
 * The programs the demo and the integration tests run for real: the CNCF
 * distribution registry and openssl. Shared by `npm run demo`, `npm test`
 * (its pretest step), the test helpers and so `.ci/run`: each finds them on
 * PATH and, where that is safe (root, or passwordless sudo, with apt-get),
 * installs what is missing. Elsewhere it stops with one line naming the
 * command for this system.
 *
 * Run directly (`tsx scripts/tools.ts`) it ensures every tool and exits 1 with
 * that line when it cannot.
 */

import { spawnSync } from 'node:child_process';
import { accessSync, constants, realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Tool {
  /** Names the binary may have on PATH. */
  binaries: readonly string[];
  /** Package names per package manager. */
  apt: string;
  /** Absent where Fedora has no package: `source` says where the binaries come from instead. */
  dnf?: string;
  brew: string;
  source?: string;
}

export const TOOLS = {
  // Debian ships distribution 2.8 as docker-registry; upstream builds and Fedora call it `registry`.
  registry: { binaries: ['docker-registry', 'registry'], apt: 'docker-registry', dnf: 'docker-distribution', brew: 'distribution' },
  openssl: { binaries: ['openssl'], apt: 'openssl', dnf: 'openssl', brew: 'openssl@3' },
  // Docker Content Trust's server and CLI (notary 0.7), for the migrate-dct tests.
  notary: {
    binaries: ['notary-server'],
    apt: 'notary',
    brew: 'notary',
    source: 'github.com/notaryproject/notary v0.7.0 (notary-server and notary)',
  },
} as const satisfies Record<string, Tool>;

export type ToolName = keyof typeof TOOLS;
const ALL = Object.keys(TOOLS) as ToolName[];
const WHY = 'the demo and the tests run a real CNCF distribution registry and notary-server on 127.0.0.1 and use openssl';

/** A missing tool that could not be installed here; the message is the one line to print. */
export class ToolsMissingError extends Error {
  override readonly name = 'ToolsMissingError';
}

/** The first executable of these names on PATH. */
export function which(names: readonly string[], path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    for (const name of names) {
      const candidate = join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        /* not here */
      }
    }
  }
  return undefined;
}

const runs = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore', timeout: 10_000 }).status === 0;

/** "a", "a and b", "a, b and c". */
const listed = (items: string[]) => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);

/** How this machine may install packages without asking anyone: 'root', 'sudo', or no way. */
function privilege(): 'root' | 'sudo' | undefined {
  if (process.getuid?.() === 0) return 'root';
  if (which(['sudo']) && runs('sudo', ['-n', 'true'])) return 'sudo';
  return undefined;
}

/** The one command a person should run on this system to get the tools. */
export function installHint(missing: readonly ToolName[]): string {
  const pkgs = (pm: 'apt' | 'dnf' | 'brew') =>
    missing.flatMap((t): string[] => (pm === 'dnf' && !('dnf' in TOOLS[t]) ? [] : [(TOOLS[t] as Tool)[pm]!])).join(' ');
  const unpackaged = missing.filter((t) => !('dnf' in TOOLS[t])).map((t) => `build ${(TOOLS[t] as Tool).source} from source`);
  const root = process.getuid?.() === 0;
  const sudo = root ? '' : 'sudo ';
  if (which(['apt-get']))
    return `${sudo}apt-get update && ${sudo}apt-get install -y ${pkgs('apt')}${root ? '' : ' (as root, or a user with sudo)'}`;
  if (which(['dnf'])) return [...(pkgs('dnf') ? [`${sudo}dnf install -y ${pkgs('dnf')}`] : []), ...unpackaged].join('; ');
  if (which(['brew'])) return `brew install ${pkgs('brew')}`;
  const engine = which(['docker', 'podman']);
  if (engine && missing.length === 1 && missing[0] === 'registry') {
    const e = engine.endsWith('podman') ? 'podman' : 'docker';
    // The official image holds the same binary; the tests start it themselves, so copy it onto PATH.
    return `${e} create --name notary-sign-registry registry:2 && ${e} cp notary-sign-registry:/bin/registry /usr/local/bin/registry && ${e} rm notary-sign-registry`;
  }
  const names = listed(missing.map((t) => (t === 'registry' ? 'the CNCF distribution registry (a `registry` binary)' : t)));
  return `install ${names} so that ${missing.length === 1 ? 'it is' : 'they are'} on PATH`;
}

function aptInstall(missing: readonly ToolName[], how: 'root' | 'sudo', log: (line: string) => void): void {
  const pkgs = missing.map((t) => TOOLS[t].apt);
  log(`notary-sign: installing ${pkgs.join(', ')} with apt-get (${WHY})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args: string[]) => {
    const [cmd, argv] = how === 'root' ? ['apt-get', args] : ['sudo', ['-n', 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args]];
    return spawnSync(cmd, argv, { env, encoding: 'utf8', timeout: 15 * 60_000 });
  };
  // The package lists of a fresh machine may be empty or stale: refresh them first.
  apt(['update', '-qq']);
  const r = apt(['install', '-y', '-qq', '--no-install-recommends', ...pkgs]);
  if (r.status !== 0) {
    const last = `${r.stderr ?? ''}${r.error?.message ?? ''}`.trim().split('\n').pop() ?? `exit ${r.status}`;
    throw new ToolsMissingError(`notary-sign: apt-get could not install ${pkgs.join(', ')} (${last}); run: ${installHint(missing)}`);
  }
}

/**
 * The path of each tool, installing the missing ones when that is safe here.
 * Throws ToolsMissingError (one line) when a tool is missing and cannot be installed.
 */
export function ensureTools(
  names: readonly ToolName[] = ALL,
  log: (line: string) => void = (l) => console.error(l),
): Record<ToolName, string> {
  const find = () => Object.fromEntries(names.map((n) => [n, which(TOOLS[n].binaries)])) as Record<ToolName, string | undefined>;
  let found = find();
  let missing = names.filter((n) => !found[n]);
  if (missing.length === 0) return found as Record<ToolName, string>;
  const how = privilege();
  if (how && process.platform === 'linux' && which(['apt-get'])) {
    aptInstall(missing, how, log);
    found = find();
    missing = names.filter((n) => !found[n]);
  }
  if (missing.length > 0) {
    const what = listed(missing.map((t) => (t === 'registry' ? 'the CNCF distribution registry' : t)));
    throw new ToolsMissingError(
      `notary-sign: ${what} ${missing.length === 1 ? 'is' : 'are'} not installed (${WHY}); run: ${installHint(missing)}`,
    );
  }
  return found as Record<ToolName, string>;
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    ensureTools();
  } catch (err) {
    console.error(err instanceof ToolsMissingError ? err.message : `notary-sign: could not check the tools: ${(err as Error).message}`);
    process.exitCode = 1;
  }
}
