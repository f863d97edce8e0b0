import { join } from 'node:path';
import { tempDir, writeTestChain } from '../helpers/files.js';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { request } from 'node:https';
import type { RegistryClient } from '../../src/registry/client.js';
import { listReferrers } from '../../src/registry/referrers.js';
import { MediaType, type Descriptor } from '../../src/oci/media-types.js';
import { pushImage } from '../helpers/image.js';
import { cli, type RunResult } from '../helpers/run.js';
import { startAzure, assertNoSecrets, type AzureFleet } from '../doubles/azure.js';

let az: AzureFleet;
let setup: RegistryClient;
let n = 0;

before(async () => {
  az = await startAzure();
  setup = az.setup;
  await az.provisionRelease([az.github.objectId, az.ado.objectId]);
});
after(() => az?.stop());

/** Push a fresh image through the upstream registry; its reference on the ACR login server. */
async function image(): Promise<{ ref: string; descriptor: Descriptor; repository: string }> {
  const repository = `team/app${++n}`;
  const descriptor = await pushImage(setup, { registry: az.acr.upstream.host, repository }, 'v1');
  return { ref: `${az.acr.host}/${repository}@${descriptor.digest}`, descriptor, repository };
}

const githubArgs = () => az.cliArgs();

async function signVia(env: NodeJS.ProcessEnv, ref: string, extra: string[]): Promise<RunResult> {
  const r = await cli(['sign', ref, ...extra, '--output', 'json'], { env });
  assertNoSecrets(r.stdout + r.stderr, az.secrets());
  return r;
}

describe('federated chain: CI OIDC → Entra → Key Vault sign → ACR exchange → real registry', () => {
  test("GitHub Actions OIDC signs with a Key Vault key, stored through ACR's referrers API; the signature verifies", async () => {
    const { ref, descriptor, repository } = await image();
    const signsBefore = az.kv.signCalls;
    const exchangesBefore = az.acr.exchanges;
    const r = await signVia(az.githubEnv(), ref, ['--key-id', `${az.kv.url}/keys/release`, ...githubArgs()]);
    assert.equal(r.code, 0, r.stderr);
    const [result] = JSON.parse(r.stdout).images;
    assert.equal(result.signedDigest, descriptor.digest);
    assert.match(result.keyId, new RegExp(`/keys/release/[0-9a-f]{32}$`), 'an unversioned key id resolves to the version that signed');
    assert.equal(az.kv.signCalls - signsBefore, 1, 'exactly one Key Vault sign call');
    assert.equal(az.acr.exchanges - exchangesBefore, 1, 'one ACR token exchange per run');
    assert.match(r.stderr, /Azure sign-in: GitHub OIDC federated credential/);

    // Stored as ACR stores it: indexed by the referrers API (the registry said OCI-Subject), no referrers tag.
    assert.equal(result.storage, 'referrers-api');
    assert.deepEqual(
      az.acr.referrersOf(repository, descriptor.digest).map((d) => d.artifactType),
      [MediaType.NotarySignature],
    );
    const tagSchema = await listReferrers(
      setup,
      { registry: az.acr.upstream.host, repository },
      { subject: descriptor.digest, mode: 'tag' },
    );
    assert.equal(tagSchema.descriptors.length, 0, 'no referrers tag was written');

    const v = await cli(['verify', ref, '--trust-policy', az.trustPolicy, '--trust-store', az.trustStore, ...githubArgs()], {
      env: az.githubEnv(),
    });
    assertNoSecrets(v.stdout + v.stderr, az.secrets());
    assert.equal(v.code, 0, v.stdout + v.stderr);
    assert.match(v.stdout, /^PASS\t.*"C=US, ST=WA, O=Contoso, CN=release"|^PASS\t.*CN=release/);
  });

  test("the registry's sign-in and reads run during Key Vault's set-up; one Entra request per scope; one vault challenge", async () => {
    const { ref } = await image();
    const hosts = [az.kv.faults, az.entra.faults, az.oidc.faults, az.acr.faults];
    for (const f of hosts) {
      f.clear();
      f.latencyMs = 20; // round trips long enough that overlap shows in the timelines
    }
    az.kv.faults.latencyMs = 100; // the vault's reads overlap by far more than a stall of a loaded machine
    try {
      const r = await signVia(az.githubEnv(), ref, ['--key-id', `${az.kv.url}/keys/release`, ...githubArgs()]);
      assert.equal(r.code, 0, r.stderr);
    } finally {
      for (const f of hosts) f.latencyMs = 0;
    }
    const spans = (f: (typeof hosts)[number], pattern: RegExp) => f.timeline.filter((_, i) => pattern.test(f.requests[i]!));
    const vaultReads = spans(az.kv.faults, /^GET /);
    const lastVaultRead = Math.max(...vaultReads.map((s) => s.end));
    const subjectHeads = spans(az.acr.faults, /^HEAD \/v2\/.*\/manifests\//);
    assert.ok(subjectHeads.length >= 1 && subjectHeads.every((s) => s.start < lastVaultRead), 'the image is resolved meanwhile');
    const listing = spans(az.acr.faults, /^GET \/v2\/.*\/referrers\//)[0]!;
    assert.ok(listing.start < subjectHeads.at(-1)!.end, 'a digest reference: its signatures are listed while it is resolved');
    assert.ok(spans(az.acr.faults, /^POST \/oauth2\/exchange$/)[0]!.start < lastVaultRead, 'ACR is signed in to meanwhile');
    // The key and its certificate are read at once: the two reads overlap.
    const keyRead = spans(az.kv.faults, /^GET \/keys\//).at(-1)!;
    const certificateRead = spans(az.kv.faults, /^GET \/certificates\//)[0]!;
    assert.ok(certificateRead.start < keyRead.end && keyRead.start < certificateRead.end, 'key and certificate read at once');
    // The vault's challenge is asked once, ahead; the key, certificate and secret clients each read at once.
    assert.deepEqual(
      az.kv.faults.requests
        .filter((r) => r.startsWith('GET '))
        .map((r) => r.replace(/[0-9a-f]{32}$/, '<version>'))
        .sort(),
      ['GET /keys/release', 'GET /keys/release/', 'GET /certificates/release/', 'GET /secrets/release/<version>'].sort(),
      'one challenge, then one read each',
    );
    assert.equal(az.entra.faults.count(/\/token$/), 2, 'one token request for the vault, one for ACR');
    assert.equal(az.kv.faults.count(/^POST .*\/sign$/), 1, "the sign call rides the key client's answered challenge");
    assert.equal(az.acr.faults.count(/^GET \/oauth2\/token$/), 1, 'one ACR access token (pull,push) for reads and push');
    const configCheck = spans(az.acr.faults, /^HEAD \/v2\/.*\/blobs\//)[0]!;
    assert.ok(configCheck.start < spans(az.kv.faults, /^POST .*\/sign$/)[0]!.end, 'the empty config goes up while Key Vault signs');
  });

  test('verify by digest: the signatures are listed while the image is resolved (one 401, then both at once)', async () => {
    const { ref } = await image();
    const signed = await signVia(az.githubEnv(), ref, ['--key-id', `${az.kv.url}/keys/release`, ...githubArgs()]);
    assert.equal(signed.code, 0, signed.stderr);
    az.acr.faults.clear();
    az.acr.faults.latencyMs = 20;
    try {
      const v = await cli(['verify', ref, '--trust-policy', az.trustPolicy, '--trust-store', az.trustStore, ...githubArgs()], {
        env: az.githubEnv(),
      });
      assert.equal(v.code, 0, v.stdout + v.stderr);
    } finally {
      az.acr.faults.latencyMs = 0;
    }
    const { requests, timeline } = az.acr.faults;
    const spans = (p: RegExp) => timeline.filter((_, i) => p.test(requests[i]!));
    const heads = spans(/^HEAD \/v2\/.*\/manifests\//);
    assert.equal(heads.length, 2, 'the challenged HEAD and the authorised one');
    assert.ok(spans(/^GET \/v2\/.*\/referrers\//)[0]!.start < heads[1]!.end, 'listed beside the authorised HEAD');
  });

  test('a pull-only identity (AcrPull): a re-run reuses the signature with the pull,push token it is given; a new image fails at the push', async () => {
    const { ref } = await image();
    const keyArgs = ['--key-id', `${az.kv.url}/keys/release`, ...githubArgs()];
    assert.equal((await signVia(az.githubEnv(), ref, keyArgs)).code, 0);
    az.acr.assignRole(az.github.objectId, 'AcrPull');
    try {
      const again = await signVia(az.githubEnv(), ref, keyArgs);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(JSON.parse(again.stdout).images[0].storage, 'existing');
      const denied = await signVia(az.githubEnv(), (await image()).ref, keyArgs);
      assert.equal(denied.code, 1);
      assert.match(denied.stderr, /rejected the credentials to push to .*: the Azure identity needs the AcrPush role on /);
      assert.equal(denied.stderr.split('\n').filter((l) => l.startsWith('error:')).length, 1);
    } finally {
      az.acr.assignRole(az.github.objectId, 'AcrPush');
    }
  });

  test('a registry that indexes the subject without answering OCI-Subject: the tag schema too, and it verifies', async () => {
    az.acr.ociSubjectHeader = false;
    try {
      const { ref, descriptor, repository } = await image();
      const r = await signVia(az.githubEnv(), ref, ['--key-id', `${az.kv.url}/keys/release`, ...githubArgs()]);
      assert.equal(r.code, 0, r.stderr);
      // distribution-spec: without OCI-Subject the client falls back to the referrers tag schema.
      assert.equal(JSON.parse(r.stdout).images[0].storage, 'referrers-tag');
      assert.equal(az.acr.referrersOf(repository, descriptor.digest).length, 1);
      const v = await cli(['verify', ref, '--trust-policy', az.trustPolicy, '--trust-store', az.trustStore, ...githubArgs()], {
        env: az.githubEnv(),
      });
      assert.equal(v.code, 0, v.stdout + v.stderr);
    } finally {
      az.acr.ociSubjectHeader = true;
    }
  });

  test('Azure DevOps workload identity federation signs the same way', async () => {
    const { ref } = await image();
    const r = await signVia(az.adoEnv(), ref, ['--key-id', `${az.kv.url}/keys/release`, ...az.cliArgs({ ado: true })]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Azure DevOps workload identity federation/);
  });

  test('a real Key Vault export (3DES bags, SHA-1 MAC) is read; its expired v1 certificate is refused by rule', async () => {
    const pfx = await readFile(new URL('../../../shared/fixtures/keyvault/akv_imported_cert.pfx', import.meta.url));
    const { certId } = await az.kv.importCertificate('imported-real', pfx);
    const { ref } = await image();
    const r = await signVia(az.githubEnv(), ref, ['--key-id', certId, ...githubArgs()]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^error: Key Vault secret imported-real: certificate "C=CN, ST=SHANGHAI, L=SHANGHAI, O=NOTATION, CN=notation.com" was not valid at signing time/m,
    );
  });

  test('after `az acr login`: the identitytoken in docker config is exchanged at /oauth2/token, not sent as Basic', async () => {
    const { ref } = await image();
    const keysDir = await tempDir();
    try {
      const keys = await writeTestChain(keysDir, 'idtoken');
      const refresh = az.acr.issueRefreshToken(az.github.objectId);
      const env = { ...az.githubEnv(), DOCKER_CONFIG: join(keysDir.path, 'docker') };
      await mkdir(env.DOCKER_CONFIG, { recursive: true });
      // What `az acr login` writes: the all-zero user in auth, the ACR refresh token as identitytoken.
      await writeFile(
        join(env.DOCKER_CONFIG, 'config.json'),
        JSON.stringify({
          auths: {
            [az.acr.host]: { auth: Buffer.from('00000000-0000-0000-0000-000000000000:').toString('base64'), identitytoken: refresh },
          },
        }),
      );
      const r = await cli(['sign', ref, '--key', keys.keyPath, '--certificate-chain', keys.chainPath, '--output', 'json'], { env });
      assertNoSecrets(r.stdout + r.stderr, [...az.secrets(), refresh]);
      assert.equal(r.code, 0, r.stderr);
    } finally {
      await keysDir.remove();
    }
  });

  test('a Key Vault certificate URL with a PEM secret works too (PKCS#12 is the default elsewhere)', async () => {
    const { certId } = await az.kv.createCertificate('release-pem', {
      issuer: az.pki.intermediate,
      chain: [az.pki.intermediate, az.pki.root],
      subject: 'CN=release pem,O=Contoso,ST=WA,C=US',
      contentType: 'application/x-pem-file',
      type: 'RSA-2048',
      // Stored root first: the product puts the chain leaf first itself.
      secretOrder: 'root-first',
    });
    const { ref } = await image();
    const r = await signVia(az.githubEnv(), ref, ['--key-id', certId, ...githubArgs()]);
    assert.equal(r.code, 0, r.stderr);
    const v = await cli(['verify', ref, '--trust-policy', az.trustPolicy, '--trust-store', az.trustStore, ...githubArgs()], {
      env: az.githubEnv(),
    });
    assert.equal(v.code, 0, v.stdout + v.stderr);
  });

  test('a self-signed Key Vault certificate needs no secret permission', async () => {
    await az.kv.createCertificate('selfsigned', { subject: 'CN=self,O=Contoso,ST=WA,C=US' });
    az.kv.grant(az.github.objectId, { keys: { '*': ['get', 'sign'] }, certificates: { '*': ['get'] } });
    try {
      const { ref } = await image();
      const r = await signVia(az.githubEnv(), ref, ['--key-id', `${az.kv.url}/keys/selfsigned`, ...githubArgs()]);
      assert.equal(r.code, 0, r.stderr);
      // A CA-issued certificate does need the secret (its chain): a clear error names the fix.
      const denied = await signVia(az.githubEnv(), ref, ['--key-id', `${az.kv.url}/keys/release`, ...githubArgs()]);
      assert.equal(denied.code, 1);
      assert.match(
        denied.stderr,
        /^error: reading the certificate chain needs "get" permission on secret release; grant it \(Key Vault Secrets User\), or pass --certificate-chain$/m,
      );
    } finally {
      az.kv.grant(az.github.objectId, { keys: { '*': ['get', 'sign'] }, certificates: { '*': ['get'] }, secrets: { '*': ['get'] } });
    }
  });

  test('an ACR repository-scoped token (scope map) works through basic auth', async () => {
    const { ref, repository } = await image();
    az.acr.addScopeMapToken('ci-token', 'scope-map-pass-123', { [repository]: ['pull', 'push'] });
    const signer = await az.kv.createCertificate('local-chain', { subject: 'CN=scoped,O=Contoso,ST=WA,C=US' });
    const r = await cli(
      [
        'sign',
        ref,
        '--key-id',
        `${az.kv.url}/keys/local-chain`,
        ...githubArgs(),
        '--registry-username',
        'ci-token',
        '--registry-password-stdin',
        '--output',
        'json',
      ],
      { env: az.githubEnv(), input: 'scope-map-pass-123\n' },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, /scope-map-pass-123/);
    assert.ok(signer.kid);
    const other = await image();
    const denied = await cli(
      [
        'sign',
        other.ref,
        '--key-id',
        `${az.kv.url}/keys/local-chain`,
        ...githubArgs(),
        '--registry-username',
        'ci-token',
        '--registry-password-stdin',
      ],
      { env: az.githubEnv(), input: 'scope-map-pass-123\n' },
    );
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /^error: .*team\/app\d+/m);
  });
});

describe('failures say what to fix, in one line, with no token in the output', () => {
  const expectFailure = (r: RunResult, pattern: RegExp) => {
    assert.equal(r.code, 1, r.stdout);
    const lines = r.stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('error: '));
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, pattern);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  };

  test('wrong federated subject: AADSTS70021 with the subject presented', async () => {
    const { ref } = await image();
    // The ADO token's subject is not trusted by the GitHub app registration.
    const r = await signVia(az.adoEnv(), ref, [
      '--key-id',
      `${az.kv.url}/keys/release`,
      ...az.cliArgs({ ado: true, clientId: az.github.clientId }),
    ]);
    expectFailure(
      r,
      /AADSTS70021: No matching federated identity record found for presented assertion\. Assertion Issuer: 'https:\/\/vstoken\.dev\.azure\.com\/.*Assertion Subject: 'sc:\/\/contoso\/app\/notary-signing'/,
    );
  });

  test('unknown client id: AADSTS700016', async () => {
    const { ref } = await image();
    const r = await signVia(az.githubEnv(), ref, [
      '--key-id',
      `${az.kv.url}/keys/release`,
      '--client-id',
      '11111111-0000-0000-0000-000000000000',
      '--tenant-id',
      az.entra.tenantId,
      '--authority-host',
      az.entra.authorityHost,
    ]);
    expectFailure(r, /AADSTS700016: Application with identifier '11111111-0000-0000-0000-000000000000' was not found/);
  });

  test('Key Vault rejects a token issued for another audience', async () => {
    const token = await az.entra.issuer.sign({
      aud: 'https://containerregistry.azure.net',
      tid: az.entra.tenantId,
      oid: az.github.objectId,
      appid: az.github.clientId,
    });
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        `${az.kv.url}/keys/release?api-version=7.4`,
        { ca: az.tls.ca.certPem, headers: { authorization: `Bearer ${token}` } },
        (r) => {
          let body = '';
          r.on('data', (d) => (body += d));
          r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.equal(res.status, 401);
    assert.match(res.body, /audience is not https:\/\/vault\.azure\.net/);
  });

  test('key without sign permission: AUTH error naming the role', async () => {
    az.kv.grant(az.github.objectId, { keys: { '*': ['get'] }, certificates: { '*': ['get'] }, secrets: { '*': ['get'] } });
    try {
      const { ref } = await image();
      const r = await signVia(az.githubEnv(), ref, ['--key-id', `${az.kv.url}/keys/release`, ...githubArgs()]);
      expectFailure(r, /Key Vault refused to sign with .*\(403\): .*does not have keys sign permission.*Key Vault Crypto User/);
    } finally {
      az.kv.grant(az.github.objectId, { keys: { '*': ['get', 'sign'] }, certificates: { '*': ['get'] }, secrets: { '*': ['get'] } });
    }
  });

  test('a certificate-chain of another key is refused before anything is pushed', async () => {
    const { ref, descriptor, repository } = await image();
    const other = await az.kv.createCertificate('other-key', { issuer: az.pki.intermediate, subject: 'CN=other,O=Contoso,ST=WA,C=US' });
    const { tempDir } = await import('../helpers/files.js');
    const dir = await tempDir();
    try {
      const chain = await dir.file('chain.pem', other.certificate.certPem + az.pki.intermediate.certPem + az.pki.root.certPem);
      const r = await signVia(az.githubEnv(), ref, [
        '--key-id',
        `${az.kv.url}/keys/release`,
        '--certificate-chain',
        chain,
        ...githubArgs(),
      ]);
      expectFailure(r, /does not belong to the signing key/);
      assert.equal(az.acr.referrersOf(repository, descriptor.digest).length, 0);
      const { descriptors } = await listReferrers(setup, { registry: az.acr.upstream.host, repository }, { subject: descriptor.digest });
      assert.equal(descriptors.length, 0);
    } finally {
      await dir.remove();
    }
  });

  test('Key Vault 429s with Retry-After are retried; a storm fails with a clear message', async () => {
    const { ref } = await image();
    az.kv.faults.add({ kind: '429', path: /\/sign$/, times: 2, retryAfter: 1 });
    const ok = await signVia(az.githubEnv(), ref, ['--key-id', `${az.kv.url}/keys/release`, ...githubArgs()]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(az.kv.faults.count(/^POST .*\/sign$/) >= 3, true);

    az.kv.faults.clear();
    az.kv.faults.add({ kind: '429', path: /\/sign$/, times: 50, retryAfter: 0 });
    try {
      const fresh = await image(); // the first image is signed now: a re-run would reuse that signature
      const storm = await signVia(az.githubEnv(), fresh.ref, ['--key-id', `${az.kv.url}/keys/release`, ...githubArgs()]);
      expectFailure(storm, /Key Vault kept throttling "sign with .*" \(429\) after retries/);
      assert.ok(az.kv.faults.count(/^POST .*\/sign$/) <= 6, 'retries are bounded');
    } finally {
      az.kv.faults.clear();
    }
  });

  test('Key Vault 503 and a dropped connection are retried', async () => {
    const { ref } = await image();
    az.kv.faults.add({ kind: '503', path: /\/sign$/, times: 1, retryAfter: 0 });
    az.kv.faults.add({ kind: 'reset', path: /\/keys\/release$/, times: 1 });
    try {
      const r = await signVia(az.githubEnv(), ref, ['--key-id', `${az.kv.url}/keys/release`, ...githubArgs()]);
      assert.equal(r.code, 0, r.stderr);
    } finally {
      az.kv.faults.clear();
    }
  });

  test('an expired token is refused by Key Vault with a clear message', async () => {
    const { ref } = await image();
    az.entra.issueExpired = true;
    try {
      const r = await signVia(az.githubEnv(), ref, ['--key-id', `${az.kv.url}/keys/release`, ...githubArgs()]);
      expectFailure(r, /Key Vault refused to get key release \(401\)/);
    } finally {
      az.entra.issueExpired = false;
    }
  });

  test('an Azure DevOps run without System.AccessToken is told how to fix it', async () => {
    const { ref } = await image();
    const env = { ...az.adoEnv(), SYSTEM_ACCESSTOKEN: '' };
    const r = await signVia(env, ref, ['--key-id', `${az.kv.url}/keys/release`, ...az.cliArgs({ ado: true, acr: false })]);
    expectFailure(r, /System\.AccessToken is not available: allow scripts to access the OAuth token/);
  });

  test('a malformed key id is an INPUT error', async () => {
    const { ref } = await image();
    const r = await signVia(az.githubEnv(), ref, ['--key-id', 'https://vault/secrets/x', ...githubArgs()]);
    expectFailure(r, /key-id: "https:\/\/vault\/secrets\/x" is not a Key Vault key or certificate URL/);
  });
});

test('the leak check itself catches a token in the output', () => {
  const token = az.entra.issued.at(-1) ?? az.oidc.github.requestToken;
  assert.throws(() => assertNoSecrets(`log line Bearer ${token} end`, az.secrets()), /leaked into the output/);
  assert.doesNotThrow(() => assertNoSecrets('nothing secret here', az.secrets()));
});
