/**
 * What revocation checking adds to `notary-sign verify`: requests per verification on a cold and a warm cache,
 * and wall time against the same verification of a chain that names no endpoint, measured in the same run
 * (whole CLI processes, alternating, medians). The CA is OpenSSL's (`openssl ca`, `openssl ocsp`) on loopback.
 *   npx tsx bench/revocation.ts [runs=8]
 */
import { join } from 'node:path';
import { cpus } from 'node:os';
import { RegistryClient } from '../src/registry/client.js';
import { startRegistry } from '../test/helpers/registry.js';
import { pushImage } from '../test/helpers/image.js';
import { tempDir } from '../test/helpers/files.js';
import { cli } from '../test/helpers/run.js';
import { writeTrustFiles } from '../test/helpers/trust.js';
import { RevocationPki } from '../test/helpers/revocation-pki.js';

const RUNS = Number(process.argv[2] ?? 8);
const registry = await startRegistry();
const dir = await tempDir('notary-sign-bench-');
const pki = await RevocationPki.start(dir.path);
try {
  const client = new RegistryClient({ insecureRegistries: [registry.host] });
  const inter = await pki.newCa('inter', pki.root);
  const { args: trustArgs } = await writeTrustFiles(dir.path, { name: 'bench', rootPem: pki.root.certPem });
  // Two signers under the same root: one whose chain names OCSP and CRL endpoints, one whose chain names none.
  const revocable = await pki.leaf(inter, 'bench-revocable');
  const signed = async (leaf: typeof revocable, chain: string, repo: string) => {
    const d = await pushImage(client, { registry: registry.host, repository: repo }, 'v1');
    const ref = `${registry.host}/${repo}@${d.digest}`;
    const key = await dir.file(`${repo.replace('/', '-')}.key`, leaf.keyPem);
    const crt = await dir.file(`${repo.replace('/', '-')}.crt`, chain);
    const r = await cli(['sign', ref, '--key', key, '--certificate-chain', crt, '--insecure-registry', registry.host]);
    if (r.code !== 0) throw new Error(r.stderr);
    return ref;
  };
  const withEndpoints = await signed(revocable, pki.chainPem(revocable, inter, pki.root), 'bench/revocable');
  // The baseline chain: a leaf naming nothing, under an intermediate that names nothing either.
  const plainChainCa = await pki.newCa('quiet-inter', pki.root, { ocsp: null, crl: null });
  const quiet = await pki.leaf(plainChainCa, 'bench-quiet', { ocsp: null, crl: null });
  const baseline = await signed(quiet, pki.chainPem(quiet, plainChainCa) + pki.root.certPem, 'bench/quiet');

  const verify = async (ref: string, cache: string) => {
    const before = pki.requests.length;
    const start = performance.now();
    const r = await cli(['verify', ref, ...trustArgs, '--insecure-registry', registry.host, '--revocation-cache', cache]);
    const ms = performance.now() - start;
    if (r.code !== 0) throw new Error(r.stdout + r.stderr);
    return { ms, requests: pki.requests.length - before };
  };
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const runs = { baseline: [] as number[], cold: [] as number[], warm: [] as number[] };
  const requests = { baseline: [] as number[], cold: [] as number[], warm: [] as number[] };
  for (let i = 0; i < RUNS; i++) {
    const cache = join(dir.path, `cache-${i}`);
    for (const [name, ref, c] of [
      ['baseline', baseline, join(dir.path, `base-${i}`)],
      ['cold', withEndpoints, cache],
      ['warm', withEndpoints, cache],
    ] as const) {
      const r = await verify(ref, c);
      runs[name].push(r.ms);
      requests[name].push(r.requests);
    }
  }
  const fmt = (xs: number[]) => `${median(xs).toFixed(0)} ms (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;
  console.log(
    `notary-sign verify with revocation checking, ${RUNS} alternating runs, node ${process.version}, ${cpus().length} CPUs, ${new Date().toISOString()}`,
  );
  console.log('');
  console.log('| verification | wall, median (min–max) | ratio to baseline | revocation requests per verification |');
  console.log('| --- | --- | --- | --- |');
  for (const name of ['baseline', 'cold', 'warm'] as const) {
    const label = {
      baseline: 'chain naming no endpoint (baseline)',
      cold: 'leaf + intermediate with OCSP/CRL, cold cache',
      warm: 'the same, warm cache',
    }[name];
    console.log(
      `| ${label} | ${fmt(runs[name])} | ${(median(runs[name]) / median(runs.baseline)).toFixed(2)}× | ${median(requests[name])} (max ${Math.max(...requests[name])}) |`,
    );
  }
} finally {
  await pki.stop();
  await registry.stop();
  await dir.remove();
}
