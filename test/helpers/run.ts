import { spawn } from 'node:child_process';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a Node script as a separate process (as a user, runner or agent would), bounded in time. */
export function runNode(
  script: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number; cwd?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], {
      env: opts.env ?? { ...process.env, DOCKER_CONFIG: '/nonexistent' },
      cwd: opts.cwd,
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    // A run that exits without reading its input makes this write fail (EPIPE): its exit code and output say why.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** The committed CLI bundle, as users run it. */
export const cli = (args: string[], opts: Parameters<typeof runNode>[2] = {}) => runNode('bin/notary-sign.js', args, opts);
