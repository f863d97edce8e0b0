/**
 * The sign step against its runtime's floor: `notary-sign sign` of one image with a local key on a loopback
 * registry, as a whole CLI process, alternating with a bare `node -e 0` in the same run; on the referrers tag
 * schema (the real distribution registry) and on the referrers API (the strict referrers double). Prints
 * medians, min–max, the ratio to bare Node, peak memory and the registry requests of one signature.
 *   npx tsx bench/local-sign.ts [runs=8]
 */
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { RegistryClient } from '../src/registry/client.js';
import { startRegistry } from '../test/helpers/registry.js';
import { startFaultProxy } from '../test/doubles/fault-proxy.js';
import { startReferrersRegistry } from '../test/doubles/referrers-registry.js';
import { pushImage } from '../test/helpers/image.js';
import { tempDir, writeTestChain } from '../test/helpers/files.js';
import { writeTrustFiles } from '../test/helpers/trust.js';

const RUNS = Number(process.argv[2] ?? 8);

/** Wall time and peak RSS (from GNU time when present) of one process. */
function timed(args: string[]): Promise<{ ms: number; rssKiB?: number; code: number; stderr: string }> {
  return new Promise((resolve) => {
    const useTime = process.platform === 'linux';
    const cmd = useTime ? '/usr/bin/time' : process.execPath;
    const argv = useTime ? ['-f', '%M', process.execPath, ...args] : args;
    const t0 = performance.now();
    const child = spawn(cmd, argv, { env: { ...process.env, DOCKER_CONFIG: '/nonexistent' } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.resume();
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      const rss = useTime ? Number(/(\d+)\s*$/.exec(stderr.trim())?.[1]) : undefined;
      resolve({ ms, ...(rss ? { rssKiB: rss } : {}), code: code ?? -1, stderr });
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (xs: number[]) => `${median(xs).toFixed(0)} ms (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;

const dir = await tempDir('notary-sign-bench-');
const keys = await writeTestChain(dir, 'bench');
const distribution = await startRegistry();
const proxy = await startFaultProxy(distribution.host);
const referrers = await startReferrersRegistry();
try {
  const rows: string[] = [];
  const verifyRows: string[] = [];
  for (const [label, host, requests] of [
    ['referrers tag schema (distribution 2.8 behind a counting proxy)', proxy.host, () => proxy.faults.requests],
    ['referrers API (strict referrers double)', referrers.host, () => referrers.log],
  ] as const) {
    const client = new RegistryClient({ insecureRegistries: [host] });
    const images: string[] = [];
    // A CI pipeline signs each build of an app into the same repository: new images, one repository.
    for (let i = 0; i < RUNS + 2; i++) {
      const d = await pushImage(client, { registry: host, repository: 'bench/app' }, `build-${i}`);
      images.push(`${host}/bench/app@${d.digest}`);
    }
    const sign = (image: string) =>
      timed([
        'bin/notary-sign.js',
        'sign',
        image,
        '--key',
        keys.keyPath,
        '--certificate-chain',
        keys.chainPath,
        '--insecure-registry',
        host,
      ]);
    const counted = async (image: string) => {
      const before = requests().length;
      const r = await sign(image);
      if (r.code !== 0) throw new Error(r.stderr);
      return requests().slice(before);
    };
    // The repository's first signature also uploads the shared empty config blob; every later one finds it.
    const firstInRepo = await counted(images[RUNS]!);
    const seen = await counted(images[RUNS + 1]!);
    const node: number[] = [];
    const ours: number[] = [];
    const nodeRss: number[] = [];
    const oursRss: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const n = await timed(['-e', '0']);
      node.push(n.ms);
      if (n.rssKiB) nodeRss.push(n.rssKiB);
      const s = await sign(images[i]!);
      if (s.code !== 0) throw new Error(s.stderr);
      ours.push(s.ms);
      if (s.rssKiB) oursRss.push(s.rssKiB);
    }
    // Verifying one of those images, against the same floor.
    const { args: trustArgs } = await writeTrustFiles(dir.path, { name: 'bench', rootPem: keys.root.certPem });
    const verifyMs: number[] = [];
    const verifyNode: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      verifyNode.push((await timed(['-e', '0'])).ms);
      const v = await timed(['bin/notary-sign.js', 'verify', images[i]!, ...trustArgs, '--insecure-registry', host]);
      if (v.code !== 0) throw new Error(v.stderr);
      verifyMs.push(v.ms);
    }
    verifyRows.push(
      `| verify, ${label} | ${fmt(verifyMs)} | ${fmt(verifyNode)} | ${(median(verifyMs) / median(verifyNode)).toFixed(2)}× | | |`,
    );
    // verify-base of a Dockerfile whose build pulls six signed images (the figure).
    const dockerfile = await dir.file(
      `Dockerfile-${verifyRows.length}`,
      images
        .slice(0, 6)
        .map((image, i) => `FROM ${image} AS stage${i}\nRUN true\n`)
        .join(''),
    );
    const baseMs: number[] = [];
    const baseNode: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      baseNode.push((await timed(['-e', '0'])).ms);
      const v = await timed(['bin/notary-sign.js', 'verify-base', '--dockerfile', dockerfile, ...trustArgs, '--insecure-registry', host]);
      if (v.code !== 0) throw new Error(v.stderr);
      baseMs.push(v.ms);
    }
    verifyRows.push(
      `| verify-base, 6 signed images, ${label} | ${fmt(baseMs)} | ${fmt(baseNode)} | ${(median(baseMs) / median(baseNode)).toFixed(2)}× | | |`,
    );
    const rss = (xs: number[]) => (xs.length ? `${(median(xs) / 1024).toFixed(0)} MiB` : 'n/a');
    const list = (xs: string[]) =>
      xs
        .map((r) =>
          r
            .replace(/\/v2\/bench\/app\//, '')
            .replace(/sha256[:-][0-9a-f]{64}/g, '<d>')
            .replace(/[?].*$/, '')
            .replace(/uploads\/[0-9a-f-]{36}/, 'uploads/<id>'),
        )
        .join(', ');
    rows.push(
      `| ${label} | ${fmt(ours)} | ${fmt(node)} | ${(median(ours) / median(node)).toFixed(2)}× | ${rss(oursRss)} vs ${rss(nodeRss)} | ${seen.length}: ${list(seen)} (first in the repository: ${firstInRepo.length}) |`,
    );
  }
  console.log(
    `notary-sign sign, one image, local key, loopback registry; ${RUNS} alternating runs; node ${process.version}; ${cpus().length} CPUs; ${new Date().toISOString()}`,
  );
  console.log('');
  console.log(
    '| path | notary-sign sign, median (min–max) | bare `node -e 0` | ratio | peak RSS (sign vs node) | registry requests for one signature |',
  );
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const r of [...rows, ...verifyRows]) console.log(r);
} finally {
  await referrers.stop();
  await proxy.stop();
  await distribution.stop();
  await dir.remove();
}
