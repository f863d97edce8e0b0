/**
 * Cold start of the GitHub Action bundle: time from spawning
 * `node dist/index.js` to its first network request (a registry HEAD), over
 * several runs, plus the bundle sizes.   npx tsx bench/cold-start.ts [runs=15]
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { readdir, stat, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateTestChain } from '../test/helpers/test-certs.js';

const RUNS = Number(process.argv[2] ?? 15);
const dir = await mkdtemp(join(tmpdir(), 'notary-sign-cold-'));
const chain = await generateTestChain();
await writeFile(join(dir, 'k.pem'), chain.leaf.keyPem);
await writeFile(join(dir, 'c.pem'), chain.chainPem);

let firstRequest: (() => void) | undefined;
const server = createServer((req, res) => {
  firstRequest?.();
  firstRequest = undefined;
  res.writeHead(404).end();
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const host = `127.0.0.1:${(server.address() as { port: number }).port}`;

const times: number[] = [];
const noops: number[] = [];
const bareNode = async () => {
  const t0 = performance.now();
  await new Promise((r) => spawn(process.execPath, ['-e', ''], { stdio: 'ignore' }).on('close', r));
  return performance.now() - t0;
};
for (let i = 0; i < RUNS; i++) {
  noops.push(await bareNode()); // alternating with the action, so both see the same machine
  const env = {
    PATH: process.env.PATH,
    INPUT_COMMAND: 'sign',
    INPUT_IMAGE: `${host}/bench/app:v1`,
    INPUT_KEY: join(dir, 'k.pem'),
    'INPUT_CERTIFICATE-CHAIN': join(dir, 'c.pem'),
    'INPUT_INSECURE-REGISTRIES': host,
    GITHUB_OUTPUT: join(dir, 'out'),
  };
  await writeFile(env.GITHUB_OUTPUT, '');
  const t0 = performance.now();
  const arrived = new Promise<number>((resolve) => (firstRequest = () => resolve(performance.now())));
  const child = spawn(process.execPath, ['dist/index.js'], { env, stdio: 'ignore' });
  const t1 = await arrived;
  await new Promise((r) => child.on('close', r));
  times.push(t1 - t0);
}
server.close();
await rm(dir, { recursive: true, force: true });

times.sort((a, b) => a - b);
noops.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)]!;
const noop = noops[Math.floor(noops.length / 2)]!;
const size = async (p: string) => (await stat(p)).size;
// Code only: the source maps beside the files are read only when a stack is printed with --debug.
const vendor = (await readdir('dist/vendor')).filter((c) => c.endsWith('.js'));
let vendorBytes = 0;
for (const c of vendor) vendorBytes += await size(join('dist/vendor', c));
console.log(
  `node ${process.version}, ${RUNS} alternating runs: spawn → first registry request median ${median.toFixed(0)} ms ` +
    `(min ${times[0]!.toFixed(0)}, max ${times.at(-1)!.toFixed(0)}); an empty \`node -e ''\` median ${noop.toFixed(0)} ms ` +
    `(min ${noops[0]!.toFixed(0)}, max ${noops.at(-1)!.toFixed(0)}); ratio ${(median / noop).toFixed(2)}× (target ≤ 1.3×)`,
);
console.log(
  `dist/index.js ${((await size('dist/index.js')) / 1024) | 0} KiB (all of our code); ` +
    `vendor libraries loaded by the runs that use them ${(vendorBytes / 1024) | 0} KiB in ${vendor.length} files`,
);
