/**
 * Signing throughput through the Azure doubles (GitHub OIDC → Entra → Key
 * Vault → ACR → real registry) with an injected latency on every double.
 * Prints wall time for 1 and N images and the requests each host received.
 *   npx tsx bench/sign.ts [N=50] [latencyMs=20]
 */
import { startAzure } from '../test/doubles/azure.js';
import { pushImage } from '../test/helpers/image.js';
import { cli } from '../test/helpers/run.js';
import { spawn } from 'node:child_process';

/**
 * Round trips on the critical path: the most requests that ran one after another without overlapping
 * (earliest-finish greedy over the doubles' timelines). Requests on one dependency chain never overlap,
 * so this bounds the chain from above.
 */
function longestChain<S extends { start: number; end: number }>(spans: S[]): S[] {
  const chain: S[] = [];
  let free = -Infinity;
  for (const s of [...spans].sort((a, b) => a.end - b.end)) {
    if (s.start >= free) {
      chain.push(s);
      free = s.end;
    }
  }
  return chain;
}

/**
 * Where a one-image run's time went, along its chain: before the first round trip (Node's start, loading, the
 * first requests' set-up), the doubles' own time beyond the injected latency, the gaps between round trips (the
 * CLI's work on the path), and after the last (the result, the exit).
 */
function attribution(r: { ms: number; chain: { start: number; end: number }[] }, latency: number): string {
  const first = r.chain[0]!;
  const last = r.chain.at(-1)!;
  const doubles = r.chain.reduce((t, s) => t + (s.end - s.start - latency), 0);
  const gaps = r.chain.slice(1).reduce((t, s, i) => t + (s.start - r.chain[i]!.end), 0);
  const ms = (v: number) => `${v.toFixed(0)} ms`;
  return (
    `before the first round trip ${ms(first.start)}; the doubles' own handling beyond the injected ${latency} ms, summed over ` +
    `the chain, ${ms(doubles)}; between round trips ${ms(gaps)}; after the last ${ms(r.ms - last.end)}`
  );
}

const N = Number(process.argv[2] ?? 50);
const LATENCY = Number(process.argv[3] ?? 20);

const az = await startAzure();
try {
  await az.provisionRelease([az.github.objectId]);
  const setup = az.setup;
  const refs: string[] = [];
  for (let i = 0; i < N + 5; i++) {
    const d = await pushImage(setup, { registry: az.acr.upstream.host, repository: `bench/app${i}` }, 'v1');
    refs.push(`${az.acr.host}/bench/app${i}@${d.digest}`);
  }
  const doubles = { 'Key Vault': az.kv.faults, Entra: az.entra.faults, 'GitHub OIDC': az.oidc.faults, 'ACR + registry': az.acr.faults };
  for (const f of Object.values(doubles)) f.latencyMs = LATENCY;
  const args = ['--key-id', `${az.kv.url}/keys/release`, ...az.cliArgs()];

  const run = async (images: string[]) => {
    for (const f of Object.values(doubles)) f.clear();
    const signs = az.kv.signCalls;
    const start = performance.now();
    const r = await cli(['sign', ...images, ...args, '--output', 'json'], { env: az.githubEnv(), timeoutMs: 300_000 });
    const ms = performance.now() - start;
    if (r.code !== 0) throw new Error(r.stderr);
    const perHost = Object.fromEntries(Object.entries(doubles).map(([k, f]) => [k, f.requests.length]));
    return {
      ms,
      chain: longestChain(Object.values(doubles).flatMap((f) => f.timeline.map((t) => ({ start: t.start - start, end: t.end - start })))),
      signCalls: az.kv.signCalls - signs,
      perHost,
      kv: az.kv.faults.requests.slice(),
      entra: az.entra.faults.count(/token$/),
      oidc: az.oidc.faults.requests.length,
      exchanges: az.acr.faults.count(/exchange$/),
    };
  };

  // The floor, measured in the same run: a bare Node start, alternating with one-image signs.
  const bare: number[] = [];
  const ones: Awaited<ReturnType<typeof run>>[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await new Promise((r) => spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' }).on('close', r));
    bare.push(performance.now() - t0);
    ones.push(await run([refs[N + i]!])); // a new image each time: a re-run would reuse the signature
  }
  const one = [...ones].sort((a, b) => a.ms - b.ms)[2]!;
  const node = [...bare].sort((a, b) => a - b)[2]!;
  const many = await run(refs.slice(0, N));
  console.log(
    `notary-sign sign through the Azure doubles, ${LATENCY} ms injected per request, ${new Date().toISOString()}, node ${process.version}, ${(await import('node:os')).cpus().length} CPUs`,
  );
  const sequential = one.chain.length;
  const bound = node + sequential * LATENCY * 1.2;
  console.log(
    `one image: ${one.ms.toFixed(0)} ms (median of 5) with ${sequential} sequential round trips on the critical path; ` +
      `bare Node ${node.toFixed(0)} ms; target bare Node + round trips × ${LATENCY} ms × 1.2 = ${bound.toFixed(0)} ms: ` +
      `${one.ms <= bound ? 'met' : `not met (${(one.ms - node - sequential * LATENCY).toFixed(0)} ms beyond Node and the round trips)`}`,
  );
  console.log(`one image, along its chain: ${attribution(one, LATENCY)}`);
  console.log('');
  console.log(
    `| run | wall time | Key Vault sign calls | Key Vault requests | Entra token requests | GitHub OIDC requests | ACR exchanges | ACR + registry requests |`,
  );
  console.log(`| --- | --- | --- | --- | --- | --- | --- | --- |`);
  for (const [name, r] of [
    ['1 image', one],
    [`${N} images`, many],
  ] as const) {
    console.log(
      `| ${name} | ${(r.ms / 1000).toFixed(2)} s | ${r.signCalls} | ${r.perHost['Key Vault']} | ${r.entra} | ${r.oidc} | ${r.exchanges} | ${r.perHost['ACR + registry']} |`,
    );
  }
  console.log('');
  console.log(
    `${N} signatures took ${(many.ms / one.ms).toFixed(2)}x the time of one (target ≤ 3x); Key Vault sign calls per signature: ${(many.signCalls / N).toFixed(2)}; registry requests per signature: ${(many.perHost['ACR + registry']! / N).toFixed(1)}`,
  );
  const kvKinds = many.kv.reduce<Record<string, number>>(
    (acc, r) => ((acc[r.replace(/\/[0-9a-f]{32}/, '/<version>')] = (acc[r.replace(/\/[0-9a-f]{32}/, '/<version>')] ?? 0) + 1), acc),
    {},
  );
  console.log(`Key Vault requests in the ${N}-image run: ${JSON.stringify(kvKinds)}`);
} finally {
  await az.stop();
}
