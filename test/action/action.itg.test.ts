import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parse as parseYaml } from 'yaml';
import type { RegistryClient } from '../../src/registry/client.js';
import { pushImage } from '../helpers/image.js';
import { runAction } from '../helpers/action.js';
import { startAzure, assertNoSecrets, type AzureFleet } from '../doubles/azure.js';

let az: AzureFleet;
let setup: RegistryClient;
let n = 0;

before(async () => {
  az = await startAzure();
  setup = az.setup;
  await az.provisionRelease([az.github.objectId]);
});
after(() => az?.stop());

const azureInputs = () => ({
  'key-id': `${az.kv.url}/keys/release`,
  'client-id': az.github.clientId,
  'tenant-id': az.entra.tenantId,
  'authority-host': az.entra.authorityHost,
  'acr-hosts': az.acr.host,
});
async function image(tag = 'v1') {
  const repository = `gh/app${++n}`;
  const d = await pushImage(setup, { registry: az.acr.upstream.host, repository }, tag);
  return { repository, digest: d.digest, ref: `${az.acr.host}/${repository}@${d.digest}`, tagRef: `${az.acr.host}/${repository}:${tag}` };
}

describe('dist/index.js run as the GitHub runner runs it', () => {
  test('sign: outputs, job summary, exit 0, and no token in the log', async () => {
    const a = await image();
    const b = await image();
    const r = await runAction(
      az.dir,
      { command: 'sign', image: `${a.ref}\n${b.ref}\n`, ...azureInputs(), expiry: '30d', annotations: 'io.example.run=42' },
      az.githubEnv(),
    );
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.outputs['signed-digest'], a.digest);
    assert.deepEqual(JSON.parse(r.outputs['signed-digests']!), [a.ref, b.ref]);
    assert.match(r.outputs['signature-digest']!, /^sha256:[0-9a-f]{64}$/);
    assert.equal(JSON.parse(r.outputs['signature-digests']!).length, 2);
    assert.match(r.summary, /### notary-sign: signed/);
    assert.match(r.summary, new RegExp(`\\| ✅ signed \\| \`${az.acr.host.replace(/\./g, '\\.')}/gh/app\\d+\` \\| \`sha256:`));
    // ACR serves the referrers API: that is where the signatures went.
    assert.match(r.summary, /stored via the referrers API<br>key `https:\/\/[^`]+\/keys\/release\/[0-9a-f]{32}`/);
    assert.match(r.visible, /::group::notary-sign sign/);
    assert.match(r.stdout, /::add-mask::/, 'tokens are masked as they are obtained');
    assertNoSecrets(r.visible + r.stderr, az.secrets());
  });

  test("a certificate whose secret is PKCS#12 in Key Vault's format, chain stored root first, signs and verifies", async () => {
    const { certId } = await az.kv.createCertificate('gh-p12', {
      issuer: az.pki.intermediate,
      chain: [az.pki.intermediate, az.pki.root],
      subject: 'CN=release gh-p12,O=Contoso,ST=WA,C=US',
      contentType: 'application/x-pkcs12',
      secretOrder: 'root-first',
    });
    const a = await image();
    const signed = await runAction(az.dir, { image: a.ref, ...azureInputs(), 'key-id': certId }, az.githubEnv());
    assert.equal(signed.code, 0, signed.visible);
    const { 'key-id': _k, ...auth } = azureInputs();
    const ok = await runAction(
      az.dir,
      { command: 'verify', image: a.ref, ...auth, 'trust-policy': az.trustPolicy, 'trust-store': az.trustStore },
      az.githubEnv(),
    );
    assert.equal(ok.code, 0, ok.visible);
    assert.match(ok.summary, /✅ verified \| .*CN=release gh-p12/);
  });

  describe('after azure/login: the Azure CLI session that expires mid-job', () => {
    // A stand-in `az` answering `az account get-access-token --output json --resource R` as the CLI does (the
    // command @azure/identity azureCliCredential.ts runs): a token for Key Vault, then, as the federated assertion
    // azure/login gave it expires, the CLI's AADSTS700024 failure (text from Azure/login#180 and #372).
    const standInAz = async () => {
      const bin = join(az.dir, `az-bin-${++n}`);
      await mkdir(bin, { recursive: true });
      const now = Math.floor(Date.now() / 1000);
      const vaultToken = await az.entra.issuer.sign(
        {
          aud: 'https://vault.azure.net',
          tid: az.entra.tenantId,
          oid: az.github.objectId,
          sub: az.github.objectId,
          appid: az.github.clientId,
        },
        3600,
        now,
      );
      const tokenJson = JSON.stringify({
        accessToken: vaultToken,
        expiresOn: new Date((now + 3600) * 1000).toISOString().replace('T', ' ').replace('Z', ''),
        expires_on: now + 3600,
        subscription: '00000000-0000-4000-8000-000000000001',
        tenant: az.entra.tenantId,
        tokenType: 'Bearer',
      });
      await writeFile(join(bin, 'token.json'), tokenJson);
      const calls = join(bin, 'calls.log');
      await writeFile(calls, '');
      await writeFile(
        join(bin, 'az'),
        [
          '#!/bin/sh',
          `echo "$*" >> '${calls}'`,
          'case "$*" in',
          `  "account get-access-token --output json --resource https://vault.azure.net"*) cat '${join(bin, 'token.json')}'; exit 0 ;;`,
          'esac',
          'echo "ERROR: AADSTS700024: Client assertion is not within its valid time range. Current time: 2026-11-27T09:53:04.4424859Z, ' +
            'assertion valid from 2026-11-27T09:39:49.0000000Z, expiry time of assertion 2026-11-27T09:44:49.0000000Z. Review the documentation ' +
            'at https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials . Trace ID: d64c537e ' +
            'Correlation ID: 5c769bb7 Timestamp: 2026-11-27 09:53:04Z" >&2',
          'echo "Interactive authentication is needed. Please run:" >&2',
          'echo "az login --scope https://containerregistry.azure.net/.default" >&2',
          'exit 1',
          '',
        ].join('\n'),
        { mode: 0o755 },
      );
      return { bin, calls, tokens: [vaultToken] };
    };

    test('falling back to the CLI, AADSTS700024 is answered with the inputs that fix it', async () => {
      const stand = await standInAz();
      const a = await image();
      const { 'client-id': _c, 'tenant-id': _t, ...rest } = azureInputs();
      const env = { ...az.githubEnv(), PATH: `${stand.bin}:${process.env.PATH}` };
      const r = await runAction(az.dir, { image: a.ref, ...rest }, env);
      assert.equal(r.code, 1, r.visible);
      assert.match(
        r.visible,
        /^::error::Azure sign-in failed: the Azure CLI session can no longer get tokens, because the federated assertion it signed in with expired \(AADSTS700024\); give client-id and tenant-id \(or set AZURE_CLIENT_ID and AZURE_TENANT_ID\) with permissions: id-token: write/m,
      );
      assert.match(
        await readFile(stand.calls, 'utf8'),
        /get-access-token --output json --resource https:\/\/containerregistry\.azure\.net/,
      );
      assertNoSecrets(r.visible + r.stderr, [...az.secrets(), ...stand.tokens]);
    });

    test('with AZURE_CLIENT_ID and AZURE_TENANT_ID and an OIDC-capable job, the CLI is never asked', async () => {
      const stand = await standInAz();
      const a = await image();
      const { 'client-id': _c, 'tenant-id': _t, ...rest } = azureInputs();
      const env = {
        ...az.githubEnv(),
        PATH: `${stand.bin}:${process.env.PATH}`,
        AZURE_CLIENT_ID: az.github.clientId,
        AZURE_TENANT_ID: az.entra.tenantId,
      };
      const r = await runAction(az.dir, { image: a.ref, ...rest }, env);
      assert.equal(r.code, 0, r.visible);
      assert.match(r.visible, /client-id and tenant-id taken from AZURE_CLIENT_ID and AZURE_TENANT_ID/);
      assert.match(r.visible, /Azure sign-in: GitHub OIDC federated credential/);
      assert.equal(await readFile(stand.calls, 'utf8'), '', 'the Azure CLI was not used');
    });
  });

  test('transient failures of the GitHub token endpoint and ACR token services are retried, boundedly', async () => {
    const a = await image();
    az.oidc.faults.add({ kind: '503', path: /\/github\/token$/, times: 1 });
    az.oidc.faults.add({ kind: '504', path: /\/github\/token$/, times: 1 });
    az.acr.faults.add({ kind: '429', path: /\/oauth2\/exchange$/, times: 1, retryAfter: 1 });
    az.acr.faults.add({ kind: '500', path: /\/oauth2\/exchange$/, times: 1 });
    az.acr.faults.add({ kind: '503', path: /\/oauth2\/token$/, times: 1 });
    az.acr.faults.add({ kind: '500', path: /\/oauth2\/token$/, times: 1 });
    const ok = await runAction(az.dir, { image: a.ref, ...azureInputs() }, az.githubEnv());
    assert.equal(ok.code, 0, ok.visible);

    // A service that keeps failing is given up on after a bounded number of attempts, with the reason.
    az.acr.faults.clear();
    az.acr.faults.add({ kind: '503', path: /\/oauth2\/exchange$/, times: 100 });
    const b = await image();
    const failed = await runAction(az.dir, { image: b.ref, ...azureInputs() }, az.githubEnv());
    const exchanges = az.acr.faults.count(/\/oauth2\/exchange$/);
    az.acr.faults.clear();
    assert.equal(failed.code, 1);
    assert.match(failed.visible, /^::error::ACR .* refused the Entra token exchange \(503\)/m);
    assert.equal(exchanges, 4, 'four attempts, then the failure');
  });

  test('verify passes for the signed image and fails for an unsigned one', async () => {
    const signed = await image();
    const unsigned = await image();
    assert.equal((await runAction(az.dir, { image: signed.ref, ...azureInputs() }, az.githubEnv())).code, 0);
    const { 'key-id': _k, ...auth } = azureInputs();
    const ok = await runAction(
      az.dir,
      { command: 'verify', image: signed.ref, ...auth, 'trust-policy': az.trustPolicy, 'trust-store': az.trustStore },
      az.githubEnv(),
    );
    assert.equal(ok.code, 0, ok.visible);
    assert.equal(ok.outputs.verified, 'true');
    assert.match(ok.summary, /✅ verified \| .*CN=release/);
    const bad = await runAction(
      az.dir,
      { command: 'verify', image: unsigned.ref, ...auth, 'trust-policy': az.trustPolicy, 'trust-store': az.trustStore },
      az.githubEnv(),
    );
    assert.equal(bad.code, 1);
    assert.equal(bad.outputs.verified, 'false');
    assert.match(bad.visible, /^::error::.*no signature found for .*unsigned/m);
    assertNoSecrets(ok.visible + bad.visible + ok.stderr + bad.stderr, az.secrets());
  });

  test('annotate-ci binds the signature to the run; verify can require it', async () => {
    const a = await image();
    const ci = {
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: 'contoso/app',
      GITHUB_SHA: 'a1b2c3d4',
      GITHUB_WORKFLOW_REF: 'contoso/app/.github/workflows/release.yml@refs/heads/main',
      GITHUB_RUN_ID: '777',
      GITHUB_RUN_ATTEMPT: '2',
    };
    // key=value inputs split on newlines only: a value keeps its commas.
    const signed = await runAction(
      az.dir,
      { image: a.ref, ...azureInputs(), 'annotate-ci': 'true', annotations: 'io.example.list=a,b' },
      { ...az.githubEnv(), ...ci },
    );
    assert.equal(signed.code, 0, signed.visible);
    const { 'key-id': _k, ...auth } = azureInputs();
    const verifyWith = (required: string) =>
      runAction(
        az.dir,
        {
          command: 'verify',
          image: a.ref,
          ...auth,
          'trust-policy': az.trustPolicy,
          'trust-store': az.trustStore,
          'required-annotations': required,
        },
        az.githubEnv(),
      );
    const ok = await verifyWith(
      'io.notary-sign.ci.run=https://github.com/contoso/app/actions/runs/777/attempts/2\norg.opencontainers.image.revision=a1b2c3d4\nio.example.list=a,b',
    );
    assert.equal(ok.code, 0, ok.visible);
    const other = await verifyWith('io.notary-sign.ci.run=https://github.com/contoso/app/actions/runs/778/attempts/1');
    assert.equal(other.code, 1);
    assert.match(
      other.visible,
      /lacks the required annotation io\.notary-sign\.ci\.run=.*\/778\/attempts\/1 \(it has .*\/777\/attempts\/2\)/,
    );
  });

  test('without id-token: write the error says exactly that and how to fix it', async () => {
    const a = await image();
    const env = { ...az.githubEnv(), ACTIONS_ID_TOKEN_REQUEST_URL: '', ACTIONS_ID_TOKEN_REQUEST_TOKEN: '' };
    const r = await runAction(az.dir, { image: a.ref, ...azureInputs() }, env);
    assert.equal(r.code, 1);
    assert.match(r.visible, /^::error::this job cannot request a GitHub OIDC token: add "permissions: id-token: write"/m);
  });

  test('a tag warns and the resolved digest is signed', async () => {
    const a = await image('latest');
    const r = await runAction(az.dir, { image: a.tagRef, ...azureInputs() }, az.githubEnv());
    assert.equal(r.code, 0, r.visible);
    assert.equal(r.outputs['signed-digest'], a.digest);
    assert.match(r.visible, /^::warning::.*:latest is a tag; signing the digest it points to now, sha256:/m);
  });

  test('verify-base: fails the step naming the unsigned base image, then passes and pins', async () => {
    const signedBase = await image();
    const unsignedBase = await image();
    assert.equal((await runAction(az.dir, { image: signedBase.ref, ...azureInputs() }, az.githubEnv())).code, 0);
    const dockerfile = join(az.dir, `Dockerfile.${n}`);
    await writeFile(
      dockerfile,
      `FROM ${az.acr.host}/${signedBase.repository}:v1 AS build\nFROM ${az.acr.host}/${unsignedBase.repository}:v1\nCOPY --from=build /a /a\n`,
    );
    const { 'key-id': _k, ...auth } = azureInputs();
    const pin = join(az.dir, `Dockerfile.${n}.pinned`);
    const inputs = {
      command: 'verify-base',
      dockerfile,
      ...auth,
      'trust-policy': az.trustPolicy,
      'trust-store': az.trustStore,
      'pin-output': pin,
    };
    const failing = await runAction(az.dir, inputs, az.githubEnv());
    assert.equal(failing.code, 1);
    assert.match(
      failing.visible,
      new RegExp(
        `^::error::1 base image of .* failed verification: ${az.acr.host.replace(/\./g, '\\.')}/${unsignedBase.repository}:v1: no signature found`,
        'm',
      ),
    );
    assert.equal(failing.outputs.verified, 'false');
    assert.equal(failing.outputs['pinned-dockerfile'], '');

    assert.equal((await runAction(az.dir, { image: unsignedBase.ref, ...azureInputs() }, az.githubEnv())).code, 0);
    const passing = await runAction(az.dir, inputs, az.githubEnv());
    assert.equal(passing.code, 0, passing.visible);
    assert.equal(passing.outputs['pinned-dockerfile'], pin);
    const bases = JSON.parse(passing.outputs['base-images']!);
    assert.deepEqual(
      bases.map((b: { digest: string }) => b.digest),
      [signedBase.digest, unsignedBase.digest],
    );
    assert.match(await readFile(pin, 'utf8'), new RegExp(`FROM .*${signedBase.repository}:v1@${signedBase.digest} AS build`));
  });

  test('bad input is one ::error:: line naming the input', async () => {
    const r = await runAction(az.dir, { command: 'publish', image: 'x' }, az.githubEnv());
    assert.equal(r.code, 1);
    assert.match(r.visible, /^::error::command: "publish" is not one of sign, verify, verify-base, copy, migrate-dct$/m);
    const r2 = await runAction(az.dir, { image: 'x/y:z', ...azureInputs(), expiry: 'forever' }, az.githubEnv());
    assert.match(r2.visible, /^::error::expiry: "forever" is not a duration/m);
  });
});

describe('action.yml', () => {
  test('validates against the published GitHub Action metadata schema (SchemaStore types)', async () => {
    const action = parseYaml(await readFile('action.yml', 'utf8'));
    assert.equal(action.runs.using, 'node24');
    assert.equal(action.runs.main, 'dist/index.js');
    // Type-check the metadata as an object literal against the schema's published types: unknown keys and wrong types fail.
    // Inside the repository so '@schemastore/github-action' resolves from node_modules.
    const checkDir = 'node_modules/.cache/notary-sign-test';
    await mkdir(checkDir, { recursive: true });
    const file = join(checkDir, 'action-metadata-check.ts');
    await writeFile(
      file,
      `import type { HttpsJsonSchemastoreOrgGithubActionJson as Action } from '@schemastore/github-action';\nexport const action: Action = ${JSON.stringify(action, null, 2)};\n`,
    );
    const bad = join(checkDir, 'action-metadata-bad.ts');
    await writeFile(
      bad,
      `import type { HttpsJsonSchemastoreOrgGithubActionJson as Action } from '@schemastore/github-action';\nexport const action: Action = ${JSON.stringify({ ...action, runs: { using: 'node99', main: 'x' } })};\n`,
    );
    const tsc = (f: string) =>
      spawnSync(
        process.execPath,
        [
          'node_modules/typescript/bin/tsc',
          '--noEmit',
          '--strict',
          '--skipLibCheck',
          '--module',
          'nodenext',
          '--moduleResolution',
          'nodenext',
          '--types',
          'node',
          f,
        ],
        { encoding: 'utf8' },
      );
    const good = tsc(file);
    assert.equal(good.status, 0, good.stdout + good.stderr);
    assert.notEqual(tsc(bad).status, 0, 'the check rejects a wrong runtime');
  });

  test('every input and output is documented in README.md', async () => {
    const action = parseYaml(await readFile('action.yml', 'utf8'));
    const readme = await readFile('README.md', 'utf8');
    for (const name of [...Object.keys(action.inputs), ...Object.keys(action.outputs)])
      assert.match(readme, new RegExp(`\`${name}\``), `${name} missing from README.md`);
  });
});
