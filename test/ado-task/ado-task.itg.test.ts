import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readFile, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import type { RegistryClient } from '../../src/registry/client.js';
import { pushImage } from '../helpers/image.js';
import { startNotaryServer } from '../helpers/notary.js';
import { runNode, type RunResult } from '../helpers/run.js';
import { startAzure, assertNoSecrets, type AzureFleet } from '../doubles/azure.js';
import { startManagedIdentityHost } from '../doubles/managed-identity.js';

let az: AzureFleet;
let setup: RegistryClient;
let n = 0;
let CONNECTION = '';
// ajv-draft-04 is CommonJS with a default export class.
const Ajv = createRequire(import.meta.url)('ajv-draft-04') as new (opts: object) => {
  compile(schema: object): ((data: unknown) => boolean) & { errors?: unknown };
};

before(async () => {
  az = await startAzure();
  CONNECTION = az.oidc.ado.serviceConnectionId;
  setup = az.setup;
  await az.provisionRelease([az.ado.objectId]);
});
after(() => az?.stop());

interface VsoCommand {
  command: string;
  props: Record<string, string>;
  value: string;
}
interface TaskRun extends RunResult {
  vso: VsoCommand[];
  variables: Record<string, string>;
  result?: VsoCommand;
  summary?: string;
  /**
   * The log as the agent shows it: ##vso[task.setsecret] lines consumed, and the values they
   * register plus the agent's own secret variables (SECRET_*) replaced by ***.
   */
  visible: string;
}

/** Run the bundled task as the agent does: INPUT_*, ENDPOINT_*, SYSTEM_* and AGENT_* variables. */
async function runTask(
  inputs: Record<string, string>,
  opts: { scheme?: string; accessToken?: string; extraEnv?: NodeJS.ProcessEnv; clientId?: string } = {},
): Promise<TaskRun> {
  const clientId = opts.clientId ?? az.ado.clientId;
  const env: NodeJS.ProcessEnv = {
    ...az.adoEnv(),
    SYSTEM_ACCESSTOKEN: opts.accessToken ?? az.oidc.ado.systemAccessToken,
    SYSTEM_TEAMFOUNDATIONCOLLECTIONURI: 'https://dev.azure.com/contoso/',
    AGENT_TEMPDIRECTORY: az.dir,
    [`ENDPOINT_URL_${CONNECTION}`]: 'https://management.azure.com/',
    [`ENDPOINT_AUTH_SCHEME_${CONNECTION}`]: opts.scheme ?? 'WorkloadIdentityFederation',
    [`ENDPOINT_AUTH_PARAMETER_${CONNECTION}_TENANTID`]: az.entra.tenantId,
    [`ENDPOINT_AUTH_PARAMETER_${CONNECTION}_SERVICEPRINCIPALID`]: clientId,
    [`ENDPOINT_AUTH_${CONNECTION}`]: JSON.stringify({
      scheme: opts.scheme ?? 'WorkloadIdentityFederation',
      parameters: { tenantid: az.entra.tenantId, serviceprincipalid: clientId },
    }),
    [`ENDPOINT_DATA_${CONNECTION}_ACTIVEDIRECTORYAUTHORITY`]: az.entra.authorityHost,
    INPUT_AZURESUBSCRIPTION: CONNECTION,
    INPUT_ACRHOSTS: az.acr.host,
    ...opts.extraEnv,
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
  };
  const r = await runNode('out/ado-task/dist/index.js', [], { env, timeoutMs: 120_000 });
  const vso = [...r.stdout.matchAll(/^##vso\[([\w.]+)([^\]]*)\](.*)$/gm)].map((m) => ({
    command: m[1]!,
    props: Object.fromEntries(
      m[2]!
        .trim()
        .split(';')
        .filter(Boolean)
        .map((p) => p.split('=') as [string, string]),
    ),
    value: m[3]!,
  }));
  const variables = Object.fromEntries(vso.filter((c) => c.command === 'task.setvariable').map((c) => [c.props.variable!, c.value]));
  const summaryCmd = vso.find((c) => c.command === 'task.uploadsummary');
  return {
    ...r,
    vso,
    variables,
    result: vso.find((c) => c.command === 'task.complete'),
    ...(summaryCmd ? { summary: await readFile(summaryCmd.value, 'utf8') } : {}),
    visible: mask(
      r.stdout,
      Object.entries(env)
        .filter(([k]) => k.startsWith('SECRET_'))
        .map(([, v]) => v ?? ''),
    ),
  };
}

/** The agent's masker: secret variables from the start, each setsecret value from its registration on. */
function mask(stdout: string, secretVariables: string[]): string {
  const secrets = secretVariables.filter((v) => v.length >= 4);
  const shown: string[] = [];
  for (const line of stdout.split('\n')) {
    const registered = /^##vso\[task\.setsecret\](.*)$/.exec(line);
    if (registered) {
      if (registered[1]!.length >= 4) secrets.push(registered[1]!);
      continue;
    }
    shown.push(secrets.reduce((l, s) => l.split(s).join('***'), line));
  }
  return shown.join('\n');
}

async function image() {
  const repository = `ado/app${++n}`;
  const d = await pushImage(setup, { registry: az.acr.upstream.host, repository }, 'v1');
  return { repository, digest: d.digest, ref: `${az.acr.host}/${repository}@${d.digest}` };
}

describe('the NotarySign task run as the agent runs it', () => {
  test('sign through the workload identity federation connection: output variables, summary, Succeeded', async () => {
    const a = await image();
    // annotations split on newlines only: the first value keeps its commas.
    const r = await runTask({
      command: 'sign',
      images: a.ref,
      keyId: `${az.kv.url}/keys/release`,
      expiry: '30d',
      annotations: 'io.example.list=a,b\nio.example.run=7',
    });
    assert.equal(r.result?.props.result, 'Succeeded', r.stdout);
    assert.equal(r.variables.signedDigest, a.digest);
    assert.match(r.variables.signatureDigest!, /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual(JSON.parse(r.variables.signedDigests!), [a.ref]);
    assert.ok(r.vso.filter((c) => c.command === 'task.setvariable').every((c) => c.props.isOutput === 'true'));
    assert.match(
      r.summary ?? '',
      /### notary-sign: signed[\s\S]*stored via the referrers API<br>key `https:\/\/[^`]+\/keys\/release\/[0-9a-f]{32}`/,
    );
    assert.match(r.visible, /Azure DevOps workload identity federation/);
    assert.ok(
      r.vso.some((c) => c.command === 'task.setsecret'),
      'tokens are registered as secrets',
    );
    assertNoSecrets(r.visible + r.stderr, az.secrets());
  });

  test("a certificate whose secret is PKCS#12 in Key Vault's format, chain stored root first, signs", async () => {
    const { certId } = await az.kv.createCertificate('ado-p12', {
      issuer: az.pki.intermediate,
      chain: [az.pki.intermediate, az.pki.root],
      subject: 'CN=release ado-p12,O=Contoso,ST=WA,C=US',
      contentType: 'application/x-pkcs12',
      secretOrder: 'root-first',
    });
    const a = await image();
    const r = await runTask({ command: 'sign', images: a.ref, keyId: certId });
    assert.equal(r.result?.props.result, 'Succeeded', r.stdout);
    assert.equal(r.variables.signedDigest, a.digest);
  });

  test('System.AccessToken passed as a secret variable works and stays masked', async () => {
    const a = await image();
    const r = await runTask(
      { command: 'sign', images: a.ref, keyId: `${az.kv.url}/keys/release` },
      { accessToken: '', extraEnv: { SECRET_SYSTEM_ACCESSTOKEN: az.oidc.ado.systemAccessToken } },
    );
    assert.equal(r.result?.props.result, 'Succeeded', r.stdout);
    assertNoSecrets(r.visible + r.stderr, az.secrets());
  });

  test('no images given: signs what Docker@2 pushed (RESOURCE_URIS, in the format Docker@2 writes)', async () => {
    const a = await image();
    const b = await image();
    const c = await image();
    // Docker@2: https://<registry>/<repository>@sha256:<hex>, comma-separated; an entry whose digest it
    // could not read ends in "@sha256:"; docker:// is what other tasks write.
    const noDigest = `https://${az.acr.host}/ado/lost@sha256:`;
    const r = await runTask(
      { command: 'sign', keyId: `${az.kv.url}/keys/release` },
      { extraEnv: { RESOURCE_URIS: `https://${a.ref},https://${b.ref},${noDigest},docker://${c.ref}` } },
    );
    assert.equal(r.result?.props.result, 'Succeeded', r.stdout);
    assert.deepEqual(JSON.parse(r.variables.signedDigests!), [a.ref, b.ref, c.ref]);
    assert.match(r.stdout, /##vso\[task\.issue type=warning;[^\]]*\]RESOURCE_URIS entry .*ado\/lost@sha256: has no digest/);
  });

  test('verifyBase failing: Failed, naming the unsigned image', async () => {
    const signed = await image();
    const unsigned = await image();
    assert.equal(
      (await runTask({ command: 'sign', images: signed.ref, keyId: `${az.kv.url}/keys/release` })).result?.props.result,
      'Succeeded',
    );
    const dockerfile = join(az.dir, `Dockerfile.ado${n}`);
    await writeFile(dockerfile, `FROM ${az.acr.host}/${signed.repository}:v1\nFROM ${az.acr.host}/${unsigned.repository}:v1\n`);
    const r = await runTask({ command: 'verifyBase', dockerfile, trustPolicy: az.trustPolicy, trustStore: az.trustStore });
    assert.equal(r.result?.props.result, 'Failed');
    assert.match(
      r.result.value,
      new RegExp(
        `1 base image of .* failed verification: ${az.acr.host.replace(/\./g, '\\.')}/${unsigned.repository}:v1: no signature found`,
      ),
    );
    assert.equal(r.variables.verified, 'false');
    assert.match(r.summary ?? '', /❌ rejected/);
    // The log has a line per image, verdict first, as the CLI prints them.
    assert.match(r.stdout, new RegExp(`^PASS\t${az.acr.host.replace(/\./g, '\\.')}/${signed.repository}:v1\t`, 'm'));
    assert.match(r.stdout, new RegExp(`^FAIL\t${az.acr.host.replace(/\./g, '\\.')}/${unsigned.repository}:v1\t`, 'm'));
  });

  test('copy: the image and its signature to another repository, through the same connection', async () => {
    const a = await image();
    assert.equal((await runTask({ command: 'sign', images: a.ref, keyId: `${az.kv.url}/keys/release` })).result?.props.result, 'Succeeded');
    const r = await runTask({ command: 'copy', images: a.ref, destination: `${az.acr.host}/promoted/app${n}:v1` });
    assert.equal(r.result?.props.result, 'Succeeded', r.stdout);
    assert.equal(r.variables.copiedDigest, `${az.acr.host}/promoted/app${n}@${a.digest}`);
    assert.equal(JSON.parse(r.variables.signatureDigests!).length, 1);
    assert.match(r.stdout, /^COPIED\t/m);
    const v = await runTask({
      command: 'verify',
      images: `${az.acr.host}/promoted/app${n}:v1`,
      trustPolicy: az.trustPolicy,
      trustStore: az.trustStore,
    });
    assert.equal(v.result?.props.result, 'Succeeded', v.stdout);
  });

  test('migrateDct: ACR serves the trust data; read and signed through the one connection (Entra exchange, Key Vault)', async () => {
    const notary = await startNotaryServer();
    az.acr.trustServer = notary.url;
    try {
      const repository = `ado/dct${++n}`;
      const d = await pushImage(setup, { registry: az.acr.upstream.host, repository }, 'v1');
      const gun = `${az.acr.host}/${repository}`;
      // As `docker trust sign` records a pushed tag: its manifest digest and size.
      await notary.notary(['init', gun]);
      await notary.notary(['addhash', gun, 'v1', String(d.size), '--sha256', d.digest.slice('sha256:'.length)]);
      await notary.notary(['publish', gun]);
      const exchanges = az.acr.exchanges;
      const r = await runTask({ command: 'migrateDct', images: gun, keyId: `${az.kv.url}/keys/release` });
      assert.equal(r.result?.props.result, 'Succeeded', r.stdout);
      // No notary server input: the registry itself answered /v2/<gun>/_trust/tuf/ under the exchanged ACR token.
      assert.ok(az.acr.faults.count(/\/_trust\/tuf\/root\.json$/) >= 2, 'challenged, then read with the token');
      assert.ok(az.acr.exchanges > exchanges);
      assert.equal(r.variables.migrated, '1');
      assert.equal(r.variables.unverifiable, '0');
      assert.match(r.stdout, new RegExp(`^MIGRATED\\t${gun.replace(/\./g, '\\.')}:v1\\t${d.digest}\\tsignature sha256:`, 'm'));
      assert.match(r.summary ?? '', /### notary-sign: Docker Content Trust migration/);
      assertNoSecrets(r.visible, az.secrets());
      const v = await runTask({
        command: 'verify',
        images: `${gun}:v1`,
        trustPolicy: az.trustPolicy,
        trustStore: az.trustStore,
        requiredAnnotations: `io.notary-sign.dct.gun=${gun}`,
      });
      assert.equal(v.result?.props.result, 'Succeeded', v.stdout);
    } finally {
      az.acr.trustServer = undefined;
      await notary.stop();
    }
  });

  test('a boolean input that is not true or false fails, and the summary says why', async () => {
    const a = await image();
    const r = await runTask({ command: 'sign', images: a.ref, keyId: `${az.kv.url}/keys/release`, recursive: 'yes' });
    assert.equal(r.result?.props.result, 'Failed');
    assert.equal(r.result.value, 'recursive: "yes" is not true or false');
    assert.match(r.summary ?? '', /### notary-sign sign: failed\n\n`recursive: "yes" is not true or false`/);
  });

  test('a service connection with another scheme is refused clearly', async () => {
    const r = await runTask({ command: 'sign', images: 'x/y:z', keyId: `${az.kv.url}/keys/release` }, { scheme: 'Certificate' });
    assert.equal(r.result?.props.result, 'Failed');
    assert.match(
      r.result.value,
      /^azureSubscription: service connection .* uses the "Certificate" scheme; use an Azure Resource Manager connection with workload identity federation/,
    );
  });

  test('without System.AccessToken the task says how to allow it', async () => {
    const a = await image();
    const r = await runTask({ command: 'sign', images: a.ref, keyId: `${az.kv.url}/keys/release` }, { accessToken: '' });
    assert.equal(r.result?.props.result, 'Failed');
    assert.match(r.result.value, /System\.AccessToken is not available: allow scripts to access the OAuth token/);
  });

  test('classic and release jobs: the token comes from the SystemVssConnection endpoint when the variable is absent', async () => {
    const a = await image();
    // How the agent hands a task the job's connection: ENDPOINT_AUTH_<id> (an OAuth scheme with the AccessToken
    // parameter) and ENDPOINT_AUTH_PARAMETER_<id>_<KEY>, read by azure-pipelines-task-lib task.ts.
    const token = az.oidc.ado.systemAccessToken;
    const r = await runTask(
      { command: 'sign', images: a.ref, keyId: `${az.kv.url}/keys/release` },
      {
        accessToken: '',
        extraEnv: {
          ENDPOINT_AUTH_SYSTEMVSSCONNECTION: JSON.stringify({ parameters: { AccessToken: token }, scheme: 'OAuth' }),
          ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN: token,
        },
      },
    );
    assert.equal(r.result?.props.result, 'Succeeded', r.stdout);
    assert.equal(r.variables.signedDigest, a.digest);
    assertNoSecrets(r.visible + r.stderr, az.secrets());
  });

  test('a managed identity connection signs in as the user-assigned identity it names', async () => {
    const uami = { clientId: '5a5a5a5a-0000-4000-8000-0000000000a1', objectId: '5a5a5a5a-0000-4000-8000-0000000000b1' };
    // The agent's host also has a system-assigned identity, with no rights: picking it would fail at Key Vault.
    const host = await startManagedIdentityHost(az.entra, {
      systemAssigned: { objectId: '5a5a5a5a-0000-4000-8000-0000000000c1' },
      userAssigned: [uami],
    });
    try {
      az.kv.grant(uami.objectId, { keys: { '*': ['get', 'sign'] }, certificates: { '*': ['get'] }, secrets: { '*': ['get'] } });
      az.acr.assignRole(uami.objectId, 'AcrPush');
      const a = await image();
      const r = await runTask(
        { command: 'sign', images: a.ref, keyId: `${az.kv.url}/keys/release` },
        {
          scheme: 'ManagedServiceIdentity',
          clientId: uami.clientId,
          extraEnv: { IDENTITY_ENDPOINT: host.endpoint, IDENTITY_HEADER: host.header },
        },
      );
      assert.equal(r.result?.props.result, 'Succeeded', r.stdout);
      assert.match(r.visible, /Azure sign-in: managed identity \(user-assigned, client 5a5a5a5a-0000-4000-8000-0000000000a1\)/);
      assert.ok(
        host.requests.length > 0 && host.requests.every((c) => c === uami.clientId),
        `client ids asked for: ${host.requests.join(',')}`,
      );
    } finally {
      await host.stop();
    }
  });

  test("a US Government connection: ACR and Key Vault are reached with that cloud's audiences", async () => {
    az.acr.audience = 'https://management.usgovcloudapi.net';
    az.kv.resource = 'https://vault.usgovcloudapi.net';
    try {
      const a = await image();
      const inputs = { command: 'sign', images: a.ref, keyId: `${az.kv.url}/keys/release` };
      // The connection's environment (azure-arm-rest azure-arm-endpoint.ts reads ENDPOINT_DATA_<id>_ENVIRONMENT).
      const gov = await runTask(inputs, { extraEnv: { [`ENDPOINT_DATA_${CONNECTION}_ENVIRONMENT`]: 'AzureUSGovernment' } });
      assert.equal(gov.result?.props.result, 'Succeeded', gov.stdout);
      // The same connection read as public cloud asks for the public ACR audience, which this ACR refuses.
      const wrongCloud = await runTask({ ...inputs, images: (await image()).ref });
      assert.equal(wrongCloud.result?.props.result, 'Failed');
      assert.match(wrongCloud.result.value, /ACR .* refused the Entra token exchange \(401\)/);
    } finally {
      az.acr.audience = 'https://containerregistry.azure.net';
      az.kv.resource = 'https://vault.azure.net';
    }
  });

  test('a service connection on the Microsoft Entra issuer signs the same way', async () => {
    az.oidc.ado.issuerMode = 'entra';
    try {
      const a = await image();
      const r = await runTask({ command: 'sign', images: a.ref, keyId: `${az.kv.url}/keys/release` });
      assert.equal(r.result?.props.result, 'Succeeded', r.stdout);
      assert.equal(r.variables.signedDigest, a.digest);
    } finally {
      az.oidc.ado.issuerMode = 'azure-devops';
    }
  });

  test('input errors name the task input (camelCase)', async () => {
    const r = await runTask({ command: 'sign', images: 'x/y:z' });
    assert.equal(r.result?.props.result, 'Failed');
    assert.match(r.result.value, /^keyId is required/);
  });
});

describe('task.json and the extension', () => {
  test('task.json validates against the azure-pipelines-task-lib task schema', async () => {
    const schema = JSON.parse(await readFile('test/fixtures/schemas/tasks.schema.json', 'utf8'));
    // The stored schema predates these two agent handlers (see the fixture README); nothing else is added.
    for (const handler of ['Node20_1', 'Node24'])
      schema.definitions.executionHandlers.properties[handler] = { $ref: '#/definitions/executionObject' };
    const validate = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false }).compile(schema);
    const task = JSON.parse(await readFile('ado-task/task.json', 'utf8'));
    assert.ok(validate(task), JSON.stringify(validate.errors, null, 2));
    assert.deepEqual(Object.keys(task.execution), ['Node20_1', 'Node24']);
    assert.equal(
      validate({ ...task, inputs: [...task.inputs, { name: 'bad-name', label: 'x', type: 'string' }] }),
      false,
      'the validator rejects an invalid input name',
    );
    assert.equal(validate({ ...task, execution: { Node99: { target: 'x' } } }), false, 'and an unknown handler');
    // Every input the task reads is declared, and every declared input is read.
    const source = await readFile('ado-task/inputs.ts', 'utf8');
    for (const i of task.inputs as { name: string }[]) assert.match(source, new RegExp(`'${i.name}'`), `input ${i.name} is never read`);
  });

  test('npm run package:ado creates a .vsix holding the task and its bundle', () => {
    execFileSync(process.execPath, ['scripts/build-ado.mjs', '--package'], { stdio: 'pipe' });
    // One version everywhere: package.json's is the task's, the extension's and the CLI's.
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    const task = JSON.parse(readFileSync('out/ado-task/task.json', 'utf8')) as { version: { Major: number; Minor: number; Patch: number } };
    assert.equal(`${task.version.Major}.${task.version.Minor}.${task.version.Patch}`, version);
    assert.equal(execFileSync(process.execPath, ['bin/notary-sign.js', '--version'], { encoding: 'utf8' }).trim(), version);
    const vsix = `out/notary-sign.notary-sign-${version}.vsix`;
    const list = execFileSync('python3', ['-c', `import zipfile,sys; print("\\n".join(zipfile.ZipFile("${vsix}").namelist()))`], {
      encoding: 'utf8',
    });
    for (const f of ['out/ado-task/task.json', 'out/ado-task/dist/index.js', 'out/ado-task/dist/lib.json', 'extension.vsomanifest'])
      assert.ok(list.split('\n').includes(f), `${f} missing from the .vsix`);
  });
});
