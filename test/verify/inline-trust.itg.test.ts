import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Descriptor } from '../../src/oci/media-types.js';
import { parseTrustPolicy } from '../../src/verify/trust-policy.js';
import { startAzure, assertNoSecrets, type AzureFleet } from '../doubles/azure.js';
import { runAction } from '../helpers/action.js';
import { pushImage } from '../helpers/image.js';
import { cli, runNode } from '../helpers/run.js';
import { tempDir, writeTestChain } from '../helpers/files.js';

/** Trust without committed files: inline PEM, Key Vault certificates, and `policy init` / `policy show`. */
let az: AzureFleet;
let dir: Awaited<ReturnType<typeof tempDir>>;
let n = 0;
const images: Record<'signed' | 'unsigned' | 'foreign', string> = { signed: '', unsigned: '', foreign: '' };

const github = () => az.cliArgs();
async function image(): Promise<{ ref: string; descriptor: Descriptor }> {
  const repository = `trust/app${++n}`;
  const descriptor = await pushImage(az.setup, { registry: az.acr.upstream.host, repository }, 'v1');
  return { ref: `${az.acr.host}/${repository}@${descriptor.digest}`, descriptor };
}

before(async () => {
  az = await startAzure();
  dir = await tempDir();
  await az.provisionRelease([az.github.objectId, az.ado.objectId]);
  const signed = await image();
  const unsigned = await image();
  const foreign = await image();
  const sign = (ref: string, extra: string[]) => cli(['sign', ref, ...extra, ...github()], { env: az.githubEnv() });
  assert.equal((await sign(signed.ref, ['--key-id', `${az.kv.url}/keys/release`])).code, 0);
  // Signed by a chain from another root: no way of setting up trust here trusts it.
  const other = await writeTestChain(dir, 'foreign');
  assert.equal((await sign(foreign.ref, ['--key', other.keyPath, '--certificate-chain', other.chainPath])).code, 0);
  Object.assign(images, { signed: signed.ref, unsigned: unsigned.ref, foreign: foreign.ref });
});
after(async () => {
  await az?.stop();
  await dir?.remove();
});

describe('three ways of setting up the same trust give the same verdicts', () => {
  const ways: Record<string, () => Promise<string[]>> = {
    files: () => Promise.resolve(['--trust-policy', az.trustPolicy, '--trust-store', az.trustStore]),
    'inline PEM': async () => [
      '--trusted-certificate',
      await dir.file('contoso-root.pem', az.pki.root.certPem),
      '--trusted-identity',
      'x509.subject: C=US, ST=WA, O=Contoso',
    ],
    'Key Vault certificate': () => Promise.resolve(['--trusted-key-vault-certificate', `${az.kv.url}/certificates/release`]),
  };
  const expected = { signed: 0, unsigned: 1, foreign: 1 };
  for (const [way, args] of Object.entries(ways)) {
    test(way, async () => {
      for (const [which, code] of Object.entries(expected)) {
        const r = await cli(['verify', images[which as keyof typeof images], ...(await args()), ...github()], { env: az.githubEnv() });
        assert.equal(r.code, code, `${way}, ${which}: ${r.stdout}${r.stderr}`);
        assertNoSecrets(r.stdout + r.stderr, az.secrets());
        if (way !== 'files') assert.match(r.stderr, /^trust: trusting "CN=Contoso Signing Root, O=Contoso, ST=WA, C=US"/m);
      }
    });
  }
});

test('a Key Vault certificate anchors its root and, by default, its exact subject; a real Key Vault export is read', async () => {
  const shown = await cli(['policy', 'show', '--trusted-key-vault-certificate', `${az.kv.url}/certificates/release`, ...github()], {
    env: az.githubEnv(),
  });
  assert.equal(shown.code, 0, shown.stderr);
  const doc = JSON.parse(shown.stdout) as { trustPolicies: { trustedIdentities: string[]; trustStores: string[] }[] };
  assert.deepEqual(doc.trustPolicies[0]!.trustedIdentities, ['x509.subject: CN=release, O=Contoso, ST=WA, C=US']);
  // The real PFX bytes Key Vault serves as the secret (3DES bags, SHA-1 MAC): root and subject come from them.
  const { certId } = await az.kv.importCertificate(
    'anchor-real',
    await readFile(new URL('../../../shared/fixtures/keyvault/akv_imported_cert.pfx', import.meta.url)),
  );
  const real = await cli(['policy', 'show', '--trusted-key-vault-certificate', certId, ...github()], { env: az.githubEnv() });
  assert.equal(real.code, 0, real.stderr);
  assert.match(real.stderr, /trusting "C=CN, ST=SHANGHAI, L=SHANGHAI, O=NOTARY, CN=notary\.com"/);
  assert.match(real.stdout, /"x509\.subject: C=CN, ST=SHANGHAI, L=SHANGHAI, O=NOTATION, CN=notation\.com"/);
});

test('policy init writes files notation reads, which verify the same way', async () => {
  const out = join(dir.path, 'init');
  const root = await dir.file('init-root.pem', az.pki.root.certPem);
  const r = await cli([
    'policy',
    'init',
    '--output-dir',
    out,
    '--trusted-certificate',
    root,
    '--trusted-identity',
    'x509.subject: C=US, ST=WA, O=Contoso',
    '--registry-scope',
    `${az.acr.host}/trust/app1`,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const policy = await readFile(join(out, 'trustpolicy.json'), 'utf8');
  const doc = parseTrustPolicy(policy);
  assert.deepEqual(doc.trustPolicies[0]!.registryScopes, [`${az.acr.host}/trust/app1`]);
  // The form of the corpus' policies (written by `notation policy import`): one statement, ca:<store>, strict.
  const form = JSON.parse(policy) as { version: string; trustPolicies: Record<string, unknown>[] };
  assert.deepEqual(Object.keys(form.trustPolicies[0]!).sort(), [
    'name',
    'registryScopes',
    'signatureVerification',
    'trustStores',
    'trustedIdentities',
  ]);
  assert.equal(form.version, '1.0');
  assert.deepEqual(await readdir(join(out, 'truststore/x509/ca')), ['notary-sign']);
  const v = await cli(
    ['verify', images.signed, '--trust-policy', join(out, 'trustpolicy.json'), '--trust-store', join(out, 'truststore'), ...github()],
    { env: az.githubEnv() },
  );
  assert.equal(v.code, 0, v.stdout + v.stderr);
  // An existing policy is never overwritten.
  const again = await cli(['policy', 'init', '--output-dir', out, '--trusted-certificate', root, '--trusted-identity', '*']);
  assert.match(again.stderr, /^error: .*trustpolicy\.json already exists/);

  // --from: the root and subject of an image's signature, proposed, then written.
  const fromDir = join(dir.path, 'from');
  const from = await cli(['policy', 'init', '--output-dir', fromDir, '--from', images.signed, ...github()], { env: az.githubEnv() });
  assert.equal(from.code, 0, from.stderr);
  assert.match(
    from.stderr,
    /trusting root "CN=Contoso Signing Root, O=Contoso, ST=WA, C=US" and identity x509\.subject: CN=release, O=Contoso, ST=WA, C=US/,
  );
  const fromVerify = await cli(
    [
      'verify',
      images.signed,
      '--trust-policy',
      join(fromDir, 'trustpolicy.json'),
      '--trust-store',
      join(fromDir, 'truststore'),
      ...github(),
    ],
    { env: az.githubEnv() },
  );
  assert.equal(fromVerify.code, 0, fromVerify.stdout + fromVerify.stderr);
});

test('bad inline trust gets one line naming the input', async () => {
  const key = await writeTestChain(dir, 'bad');
  const cases: [string[], RegExp][] = [
    [['--trusted-certificate', key.keyPath, '--trusted-identity', '*'], /^error: --trusted-certificate holds a private key/],
    [['--trusted-certificate', await dir.file('r.pem', az.pki.root.certPem)], /^error: --trusted-identity is empty/],
    [
      ['--trusted-key-vault-certificate', `${az.kv.url}/keys/release`],
      /^error: --trusted-key-vault-certificate: ".*\/keys\/release" is a key URL; give a certificate URL/,
    ],
    [
      ['--trusted-certificate', await dir.file('r2.pem', az.pki.root.certPem), '--trusted-identity', 'x509.subject: CN=someone'],
      /^error: --trusted-identity, --registry-scope, --verification-level: .*lacks C, ST, O/,
    ],
    [
      ['--trust-policy', az.trustPolicy, '--trust-store', az.trustStore, '--trusted-identity', '*'],
      /^error: give either --trust-policy and --trust-store \(files\) or the inline trust inputs/,
    ],
  ];
  for (const [args, pattern] of cases) {
    const r = await cli(['verify', images.signed, ...args, ...github()], { env: az.githubEnv() });
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.stderr, new RegExp(pattern.source, 'm'));
    assert.equal(
      r.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('error:')).length,
      1,
      r.stderr,
    );
  }
});

test('the GitHub Action and the Azure DevOps task verify with a Key Vault certificate as the only trust set-up', async () => {
  const action = await runAction(
    az.dir,
    {
      command: 'verify',
      image: images.signed,
      'trusted-key-vault-certificates': `${az.kv.url}/certificates/release`,
      'client-id': az.github.clientId,
      'tenant-id': az.entra.tenantId,
      'authority-host': az.entra.authorityHost,
      'acr-hosts': az.acr.host,
    },
    az.githubEnv(),
  );
  assert.equal(action.code, 0, action.visible);
  assert.match(
    action.summary,
    /Trust: `trusting "CN=Contoso Signing Root, O=Contoso, ST=WA, C=US" for x509\.subject: CN=release, O=Contoso, ST=WA, C=US/,
  );

  const connection = az.oidc.ado.serviceConnectionId;
  const task = await runNode('out/ado-task/dist/index.js', [], {
    env: {
      ...az.adoEnv(),
      AGENT_TEMPDIRECTORY: az.dir,
      SYSTEM_TEAMFOUNDATIONCOLLECTIONURI: 'https://dev.azure.com/contoso/',
      [`ENDPOINT_URL_${connection}`]: 'https://management.azure.com/',
      [`ENDPOINT_AUTH_SCHEME_${connection}`]: 'WorkloadIdentityFederation',
      [`ENDPOINT_AUTH_${connection}`]: JSON.stringify({
        scheme: 'WorkloadIdentityFederation',
        parameters: { tenantid: az.entra.tenantId, serviceprincipalid: az.ado.clientId },
      }),
      [`ENDPOINT_DATA_${connection}_ACTIVEDIRECTORYAUTHORITY`]: az.entra.authorityHost,
      INPUT_COMMAND: 'verify',
      INPUT_IMAGES: images.signed,
      INPUT_AZURESUBSCRIPTION: connection,
      INPUT_ACRHOSTS: az.acr.host,
      INPUT_TRUSTEDKEYVAULTCERTIFICATES: `${az.kv.url}/certificates/release`,
      INPUT_VERIFICATIONLEVEL: 'strict',
    },
    timeoutMs: 120_000,
  });
  assert.match(task.stdout, /##vso\[task\.complete result=Succeeded;?\]/, task.stdout);
});
