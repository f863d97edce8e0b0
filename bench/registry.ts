/**
 * Registry cost of signing and of verify-base, in process against the real
 * distribution registry (referrers tag schema) and the referrers-API double,
 * each behind a counting proxy with injected latency.
 *   npx tsx bench/registry.ts [latencyMs=20]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RegistryClient } from '../src/registry/client.js';
import { LocalKeySigner } from '../src/crypto/signer.js';
import { sign } from '../src/sign/sign.js';
import { parseTrustPolicy } from '../src/verify/trust-policy.js';
import { TrustStore } from '../src/verify/trust-store.js';
import { verifyBaseImages } from '../src/verify-base/verify-base.js';
import { startRegistry } from '../test/helpers/registry.js';
import { pushImage } from '../test/helpers/image.js';
import { tempDir, writeTestChain } from '../test/helpers/files.js';
import { startFaultProxy } from '../test/doubles/fault-proxy.js';
import { startReferrersRegistry } from '../test/doubles/referrers-registry.js';

const LATENCY = Number(process.argv[2] ?? 20);
const distribution = await startRegistry();
const api = await startReferrersRegistry();
const tagProxy = await startFaultProxy(distribution.host);
const apiProxy = await startFaultProxy(api.host);
const dir = await tempDir('notary-sign-bench-');
try {
  const keys = await writeTestChain(dir, 'bench');
  const signer = await LocalKeySigner.fromFiles(keys.keyPath, keys.chainPath);
  const rows: string[] = [];
  for (const [name, proxy] of [
    ['referrers tag schema (distribution 2.8)', tagProxy],
    ['referrers API (double)', apiProxy],
  ] as const) {
    const client = new RegistryClient({ insecureRegistries: [proxy.host] });
    const refs: string[] = [];
    for (let i = 0; i < 10; i++)
      refs.push(
        `${proxy.host}/bench/app${i}@${(await pushImage(client, { registry: proxy.host, repository: `bench/app${i}` }, 'v1')).digest}`,
      );
    proxy.faults.clear();
    proxy.faults.latencyMs = LATENCY;
    const t0 = performance.now();
    await sign({ images: refs, signer, registry: new RegistryClient({ insecureRegistries: [proxy.host] }) });
    const ms = performance.now() - t0;
    const kinds = proxy.faults.requests.reduce<Record<string, number>>((acc, r) => {
      const k = r
        .replace(/\/v2\/bench\/app\d+/, '/v2/<repo>')
        .replace(/sha256[:-][0-9a-f]{64}/g, '<digest>')
        .replace(/uploads\/[^ ]+$/, 'uploads/<id>');
      acc[k] = (acc[k] ?? 0) + 1;
      return acc;
    }, {});
    rows.push(
      `| ${name} | ${(proxy.faults.requests.length / refs.length).toFixed(1)} | ${(ms / 1000).toFixed(2)} s | ${Object.entries(kinds)
        .map(([k, v]) => `${k} ×${(v / refs.length).toFixed(1)}`)
        .join('; ')} |`,
    );
    proxy.faults.latencyMs = 0;
  }
  console.log(`Registry requests per signature (10 images, local key, ${LATENCY} ms injected per request), node ${process.version}`);
  console.log('');
  console.log('| storage | requests / signature | wall time, 10 images | requests by kind, per signature |');
  console.log('| --- | --- | --- | --- |');
  for (const r of rows) console.log(r);

  // verify-base over six signed base images.
  const client = new RegistryClient({ insecureRegistries: [tagProxy.host] });
  const lines: string[] = [];
  for (let i = 0; i < 6; i++) {
    const d = await pushImage(client, { registry: tagProxy.host, repository: `base/img${i}` }, 'v1');
    await sign({ images: [`${tagProxy.host}/base/img${i}@${d.digest}`], signer, registry: client });
    lines.push(`FROM ${tagProxy.host}/base/img${i}:v1 AS s${i}`);
  }
  const dockerfile = await dir.file('Dockerfile', `${lines.join('\n')}\n`);
  await mkdir(join(dir.path, 'store/x509/ca/bench'), { recursive: true });
  await writeFile(join(dir.path, 'store/x509/ca/bench/root.pem'), keys.root.certPem);
  const trustPolicy = parseTrustPolicy(
    JSON.stringify({
      version: '1.0',
      trustPolicies: [
        {
          name: 'b',
          registryScopes: ['*'],
          signatureVerification: { level: 'strict' },
          trustStores: ['ca:bench'],
          trustedIdentities: ['*'],
        },
      ],
    }),
  );
  tagProxy.faults.clear();
  tagProxy.faults.latencyMs = LATENCY;
  const t0 = performance.now();
  const result = await verifyBaseImages({
    registry: new RegistryClient({ insecureRegistries: [tagProxy.host] }),
    trustPolicy,
    trustStore: new TrustStore(join(dir.path, 'store')),
    dockerfile,
  });
  const ms = performance.now() - t0;
  console.log('');
  console.log(
    `verify-base, Dockerfile with 6 signed base images, ${LATENCY} ms per request: ${result.verified ? 'verified' : 'FAILED'} in ${(ms / 1000).toFixed(2)} s, ${tagProxy.faults.requests.length} registry requests (${(tagProxy.faults.requests.length / 6).toFixed(1)} per image)`,
  );
} finally {
  await tagProxy.stop();
  await apiProxy.stop();
  await api.stop();
  await distribution.stop();
  await dir.remove();
}
