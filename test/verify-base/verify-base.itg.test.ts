import assert from 'node:assert/strict';
import { cli as runCli } from '../helpers/run.js';
import { after, before, test } from 'node:test';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RegistryClient } from '../../src/registry/client.js';
import { LocalKeySigner } from '../../src/crypto/signer.js';
import { sign } from '../../src/sign/sign.js';
import { parseTrustPolicy } from '../../src/verify/trust-policy.js';
import { TrustStore } from '../../src/verify/trust-store.js';
import { verifyBaseImages } from '../../src/verify-base/verify-base.js';
import { baseImages, loadDockerfileParser } from '../../src/verify-base/dockerfile.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { pushImage, pushIndex } from '../helpers/image.js';
import { tempDir, writeTestChain, type KeyFiles } from '../helpers/files.js';

before(loadDockerfileParser);

let registry: TestRegistry;
let client: RegistryClient;
let dir: Awaited<ReturnType<typeof tempDir>>;
let keys: KeyFiles;
let policyPath: string;
let storePath: string;

before(async () => {
  registry = await startRegistry();
  client = new RegistryClient({ insecureRegistries: [registry.host] });
  dir = await tempDir();
  keys = await writeTestChain(dir, 'base-signer');
  storePath = join(dir.path, 'truststore');
  await mkdir(join(storePath, 'x509/ca/base'), { recursive: true });
  await writeFile(join(storePath, 'x509/ca/base/root.pem'), keys.root.certPem);
  policyPath = await dir.file(
    'trustpolicy.json',
    JSON.stringify({
      version: '1.0',
      trustPolicies: [
        {
          name: 'base-images',
          registryScopes: ['*'],
          signatureVerification: { level: 'strict' },
          trustStores: ['ca:base'],
          trustedIdentities: ['x509.subject: C=US, ST=WA, O=notary-sign'],
        },
      ],
    }),
  );
});
after(async () => {
  await registry?.stop();
  await dir?.remove();
});

/** `notary-sign verify-base` on this file with the suite's policy, store and registry. */
const verifyBaseCli = (dockerfile: string, ...extra: string[]) =>
  runCli([
    'verify-base',
    '--dockerfile',
    dockerfile,
    '--trust-policy',
    policyPath,
    '--trust-store',
    storePath,
    '--insecure-registry',
    registry.host,
    ...extra,
  ]);

test('three signed and one unsigned base image: fails naming the unsigned one, passes once it is signed, and pins exactly the verified digests', async () => {
  const R = registry.host;
  const golang = await pushImage(client, { registry: R, repository: 'base/golang' }, '1.23');
  const { index: alpineIndex, children } = await pushIndex(client, { registry: R, repository: 'base/alpine' }, '3.20');
  const jq = await pushImage(client, { registry: R, repository: 'tools/jq' }, '1.7');
  const distroless = await pushImage(client, { registry: R, repository: 'base/distroless' }, 'nonroot');
  const signer = await LocalKeySigner.fromFiles(keys.keyPath, keys.chainPath);
  await sign({
    images: [`${R}/base/golang@${golang.digest}`, `${R}/base/alpine@${alpineIndex.digest}`, `${R}/tools/jq@${jq.digest}`],
    signer,
    registry: client,
  });

  const dockerfile = await dir.file(
    'Dockerfile',
    `ARG REG=${R}
FROM \${REG}/base/golang:1.23 AS build
RUN go build -o /app ./...
FROM --platform=linux/arm64 \${REG}/base/alpine:3.20 AS certs
COPY --from=\${REG}/tools/jq:1.7 /jq /usr/bin/jq
FROM \${REG}/base/distroless:nonroot
COPY --from=build /app /app
COPY --from=certs /etc/ssl /etc/ssl
`,
  );
  const pinOutput = join(dir.path, 'Dockerfile.pinned');
  const opts = {
    registry: client,
    trustPolicy: parseTrustPolicy(await readFile(policyPath, 'utf8')),
    trustStore: new TrustStore(storePath),
    dockerfile,
    pinOutput,
  };

  const failing = await verifyBaseImages(opts);
  assert.equal(failing.verified, false);
  assert.deepEqual(
    failing.images.filter((i) => !i.verified).map((i) => i.image),
    [`${R}/base/distroless:nonroot`],
  );
  assert.match(failing.images.find((i) => !i.verified)!.reason, /no signature found .*unsigned/);
  assert.equal(failing.pinnedDockerfile, undefined);
  await assert.rejects(readFile(pinOutput), /ENOENT/, 'no pinned Dockerfile is written when verification fails');
  const alpine = failing.images.find((i) => i.image.endsWith('alpine:3.20'))!;
  assert.equal(alpine.verified, true);
  assert.equal(alpine.platformManifest?.digest, children[1]!.digest, 'reports the linux/arm64 manifest of the index');

  // Through the CLI as well: exit 1 and the unsigned image named.
  const cliFail = await verifyBaseCli(dockerfile);
  assert.equal(cliFail.code, 1);
  assert.match(cliFail.stderr, new RegExp(`1 base image of .* failed verification: ${R.replace(/\./g, '\\.')}/base/distroless:nonroot`));

  await sign({ images: [`${R}/base/distroless@${distroless.digest}`], signer, registry: client });
  const passing = await verifyBaseImages(opts);
  assert.equal(passing.verified, true, passing.images.map((i) => i.reason).join('\n'));
  assert.deepEqual(passing.pinned, {
    [`${R}/base/golang:1.23`]: `${R}/base/golang@${golang.digest}`,
    [`${R}/base/alpine:3.20`]: `${R}/base/alpine@${alpineIndex.digest}`,
    [`${R}/tools/jq:1.7`]: `${R}/tools/jq@${jq.digest}`,
    [`${R}/base/distroless:nonroot`]: `${R}/base/distroless@${distroless.digest}`,
  });

  // The pinned Dockerfile names exactly the verified digests, and each resolves to the same manifest.
  const pinned = await readFile(pinOutput, 'utf8');
  const pinnedImages = baseImages(pinned);
  assert.deepEqual(
    pinnedImages.map((b) => b.ref.digest),
    [golang.digest, alpineIndex.digest, jq.digest, distroless.digest],
  );
  for (const b of pinnedImages) assert.equal((await client.resolve(b.ref)).digest, b.ref.digest);
  assert.match(pinned, /^FROM --platform=linux\/arm64 .*\/base\/alpine:3\.20@sha256:[0-9a-f]{64} AS certs$/m);

  const cliPass = await verifyBaseCli(dockerfile, '--output', 'json');
  assert.equal(cliPass.code, 0, cliPass.stderr);
  assert.equal(JSON.parse(cliPass.stdout).verified, true);
});

test('verify-base keeps going past an unreachable or missing image and reports it', async () => {
  const R = registry.host;
  const dockerfile = await dir.file('Dockerfile.missing', `FROM ${R}/base/ghost:1\n`);
  const r = await verifyBaseImages({
    registry: client,
    trustPolicy: parseTrustPolicy(await readFile(policyPath, 'utf8')),
    trustStore: new TrustStore(storePath),
    dockerfile,
  });
  assert.equal(r.verified, false);
  assert.match(r.images[0]!.reason, /base\/ghost:1 was not found in the registry/);
});

test('an unsigned build frontend (# syntax=) fails the gate, named as the frontend; signed, it is pinned in place', async () => {
  const R = registry.host;
  const frontend = await pushImage(client, { registry: R, repository: 'frontends/dockerfile' }, '1');
  const base = await pushImage(client, { registry: R, repository: 'base/plain' }, '1');
  const signer = await LocalKeySigner.fromFiles(keys.keyPath, keys.chainPath);
  await sign({ images: [`${R}/base/plain@${base.digest}`], signer, registry: client });
  const dockerfile = await dir.file(
    'Dockerfile.frontend',
    `# syntax=${R}/frontends/dockerfile:1
FROM ${R}/base/plain:1
`,
  );
  const fail = await verifyBaseCli(dockerfile);
  assert.equal(fail.code, 1);
  assert.match(fail.stderr, /1 base image of .* failed verification: .*\/frontends\/dockerfile:1 \(the build frontend\)/);

  await sign({ images: [`${R}/frontends/dockerfile@${frontend.digest}`], signer, registry: client });
  const pinOutput = join(dir.path, 'Dockerfile.frontend.pinned');
  const pass = await verifyBaseCli(dockerfile, '--pin-output', pinOutput, '--output', 'json');
  assert.equal(pass.code, 0, pass.stderr);
  assert.equal(
    await readFile(pinOutput, 'utf8'),
    `# syntax=${R}/frontends/dockerfile:1@${frontend.digest}\nFROM ${R}/base/plain:1@${base.digest}\n`,
  );
});

test('verify CLI: PASS/FAIL lines and exit codes', async () => {
  const R = registry.host;
  const signed = await pushImage(client, { registry: R, repository: 'cli/verify' }, 'signed');
  const unsigned = await pushImage(client, { registry: R, repository: 'cli/verify' }, 'unsigned');
  await sign({
    images: [`${R}/cli/verify@${signed.digest}`],
    signer: await LocalKeySigner.fromFiles(keys.keyPath, keys.chainPath),
    registry: client,
  });
  const ok = await runCli([
    'verify',
    `${R}/cli/verify@${signed.digest}`,
    '--trust-policy',
    policyPath,
    '--trust-store',
    storePath,
    '--insecure-registry',
    R,
  ]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(
    ok.stdout,
    /^PASS\t.*cli\/verify@sha256:[0-9a-f]{64}\tsignature sha256:.* satisfies trust policy statement "base-images" \(strict\)/,
  );
  const bad = await runCli([
    'verify',
    `${R}/cli/verify@${unsigned.digest}`,
    '--trust-policy',
    policyPath,
    '--trust-store',
    storePath,
    '--insecure-registry',
    R,
  ]);
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /^FAIL\t.*no signature found/);
  const noPolicy = await runCli(['verify', `${R}/cli/verify@${unsigned.digest}`, '--trust-store', storePath]);
  assert.match(noPolicy.stderr, /^error: --trust-policy is required/);
});
