import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { issueCertificate, type IssuedCert } from '../helpers/test-certs.js';
import { tempDir } from '../helpers/files.js';
import { RegistryClient } from '../../src/registry/client.js';
import { staticCredentials } from '../../src/registry/credentials.js';
import { createTestCa, type TestCa } from './tls.js';
import { startCiOidc, type CiOidc } from './ci-oidc.js';
import { startEntra, type Entra } from './entra.js';
import { startKeyVault, type KeyVault } from './keyvault.js';
import { startAcr, type Acr } from './acr.js';

/**
 * The whole Azure side on loopback: CI OIDC issuers → Entra → Key Vault and
 * ACR (in front of the real distribution registry). Two app registrations:
 * one trusting the GitHub workflow subject, one the Azure DevOps service
 * connection. `env()` is what a child process needs to run against it.
 */
export interface AzureFleet {
  dir: string;
  tls: TestCa;
  oidc: CiOidc;
  entra: Entra;
  kv: KeyVault;
  acr: Acr;
  github: { clientId: string; objectId: string };
  ado: { clientId: string; objectId: string };
  /** Root and intermediate that issue Key Vault certificates; trust store at `trustStore`. */
  pki: { root: IssuedCert; intermediate: IssuedCert };
  trustStore: string;
  trustPolicy: string;
  /** NODE_EXTRA_CA_CERTS and the GitHub runner's OIDC variables. */
  githubEnv(): NodeJS.ProcessEnv;
  adoEnv(): NodeJS.ProcessEnv;
  /**
   * The CLI's sign-in options against this fleet: the GitHub app registration (default) or, with `ado`, the
   * Azure DevOps service connection; `clientId` overrides the app, `acr: false` leaves out --acr-host.
   */
  cliArgs(opts?: { ado?: boolean; clientId?: string; acr?: boolean }): string[];
  /** A client for test set-up: straight to the upstream registry with push on everything. */
  setup: RegistryClient;
  /** Key Vault certificate "release" (issued by the intermediate) that these principals may sign with and push for. */
  provisionRelease(objectIds: string[]): Promise<void>;
  /** Every credential and token the doubles issued or hold: none may appear in logs. */
  secrets(): string[];
  stop(): Promise<void>;
}

export async function startAzure(): Promise<AzureFleet> {
  const tmp = await tempDir('notary-sign-azure-');
  const tls = await createTestCa(tmp.path);
  const github = { clientId: '0f1e2d3c-aaaa-4bbb-8ccc-000000000001', objectId: '9a8b7c6d-aaaa-4bbb-8ccc-0000000000a1' };
  const ado = { clientId: '0f1e2d3c-aaaa-4bbb-8ccc-000000000002', objectId: '9a8b7c6d-aaaa-4bbb-8ccc-0000000000a2' };
  const oidc = await startCiOidc(tls, { adoClientId: ado.clientId });
  const entra = await startEntra(tls, {
    apps: [
      { ...github, federated: [{ issuer: oidc.github.issuer.issuer, subject: oidc.github.subject }] },
      {
        ...ado,
        // One federated credential per issuer, as after converting a service connection to the Entra issuer.
        federated: [
          { issuer: oidc.ado.issuer.issuer, subject: oidc.ado.subject },
          { issuer: oidc.ado.entraIssuer.issuer, subject: oidc.ado.entraSubject },
        ],
      },
    ],
    trustedIssuers: [oidc.github.issuer, oidc.ado.issuer, oidc.ado.entraIssuer],
  });
  const kv = await startKeyVault(tls, entra, tmp.path);
  const acr = await startAcr(tls, entra, tmp.path);
  const root = await issueCertificate({ subject: 'CN=Contoso Signing Root,O=Contoso,ST=WA,C=US', ca: true, key: 'EC-384' });
  const intermediate = await issueCertificate({
    subject: 'CN=Contoso Signing CA,O=Contoso,ST=WA,C=US',
    ca: true,
    key: 'EC-384',
    issuer: root,
    pathLength: 0,
  });

  const trustStore = join(tmp.path, 'truststore');
  await mkdir(join(trustStore, 'x509/ca/contoso'), { recursive: true });
  await writeFile(join(trustStore, 'x509/ca/contoso/root.pem'), root.certPem);
  const trustPolicy = join(tmp.path, 'trustpolicy.json');
  await writeFile(
    trustPolicy,
    JSON.stringify({
      version: '1.0',
      trustPolicies: [
        {
          name: 'contoso',
          registryScopes: ['*'],
          signatureVerification: { level: 'strict' },
          trustStores: ['ca:contoso'],
          trustedIdentities: ['x509.subject: C=US, ST=WA, O=Contoso'],
        },
      ],
    }),
  );

  const base = (): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: tmp.path,
      DOCKER_CONFIG: join(tmp.path, 'docker'),
      NODE_EXTRA_CA_CERTS: tls.caPath,
      // Should anything fall back to managed identity, it must hit loopback, never the IMDS address.
      IDENTITY_ENDPOINT: 'http://127.0.0.1:9/msi/token',
      IDENTITY_HEADER: 'notary-sign-test',
      MSI_ENDPOINT: 'http://127.0.0.1:9/msi/token',
    };
    return env;
  };
  return {
    dir: tmp.path,
    tls,
    oidc,
    entra,
    kv,
    acr,
    github,
    ado,
    pki: { root, intermediate },
    trustStore,
    trustPolicy,
    setup: new RegistryClient({
      insecureRegistries: [acr.upstream.host],
      credentials: staticCredentials({ [acr.upstream.host]: acr.admin }),
    }),
    provisionRelease: async (objectIds) => {
      await kv.createCertificate('release', {
        issuer: intermediate,
        chain: [intermediate, root],
        subject: 'CN=release,O=Contoso,ST=WA,C=US',
      });
      for (const oid of objectIds) {
        kv.grant(oid, { keys: { '*': ['get', 'sign'] }, certificates: { '*': ['get'] }, secrets: { '*': ['get'] } });
        acr.assignRole(oid, 'AcrPush');
      }
    },
    githubEnv: () => ({
      ...base(),
      GITHUB_ACTIONS: 'true',
      ACTIONS_ID_TOKEN_REQUEST_URL: oidc.github.requestUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: oidc.github.requestToken,
    }),
    adoEnv: () => ({
      ...base(),
      TF_BUILD: 'True',
      SYSTEM_OIDCREQUESTURI: oidc.ado.oidcRequestUri,
      SYSTEM_ACCESSTOKEN: oidc.ado.systemAccessToken,
    }),
    cliArgs: ({ ado: viaAdo = false, clientId, acr: withAcr = true } = {}) => [
      '--client-id',
      clientId ?? (viaAdo ? ado.clientId : github.clientId),
      '--tenant-id',
      entra.tenantId,
      '--authority-host',
      entra.authorityHost,
      ...(withAcr ? ['--acr-host', acr.host] : []),
      ...(viaAdo ? ['--azure-devops-service-connection', oidc.ado.serviceConnectionId] : []),
    ],
    secrets: () => [
      oidc.github.requestToken,
      oidc.ado.systemAccessToken,
      ...oidc.github.issuer.issued,
      ...oidc.ado.issuer.issued,
      ...oidc.ado.entraIssuer.issued,
      ...entra.issued,
      ...acr.issued,
      acr.admin.password,
    ],
    stop: async () => {
      await acr.stop();
      await kv.stop();
      await entra.stop();
      await oidc.stop();
      await tmp.remove();
    },
  };
}

/** Fail when any secret, or a long enough piece of one, shows up in `output`. */
export function assertNoSecrets(output: string, secrets: string[]): void {
  for (const s of secrets) {
    if (!s) continue;
    const probe = s.length > 40 ? s.slice(-40) : s;
    if (output.includes(probe)) throw new Error(`a secret issued by the test doubles leaked into the output: …${probe.slice(-8)}`);
  }
}
