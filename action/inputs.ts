import * as core from '@actions/core';
import { NotarySignError } from '../src/errors.js';
import { parseBoolean, parseInsecureRegistries, parseList } from '../src/run/inputs.js';
import type { Logger } from '../src/log.js';
import type { RunInputs } from '../src/run/index.js';

/**
 * action.yml inputs → the core's RunInputs. Only translation happens here:
 * names, multi-line lists, the runner's OIDC variables, and masking.
 */
export function readInputs(env: NodeJS.ProcessEnv, logger: Logger): RunInputs {
  const input = (name: string) => core.getInput(name).trim();
  const booleanInput = (name: string) => parseBoolean(core.getInput(name), name);
  const optional = <K extends string>(key: K, value: string) => (value ? ({ [key]: value } as Record<K, string>) : {});

  const registryPassword = core.getInput('registry-password');
  if (registryPassword) core.setSecret(registryPassword);
  const registryUsername = input('registry-username');
  if (registryPassword && !registryUsername)
    throw new NotarySignError('INPUT', 'registry-password is set but registry-username is empty; give both');

  let clientId = input('client-id');
  let tenantId = input('tenant-id');
  let github: { requestUrl: string; requestToken: string } | undefined;
  const oidc = env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  if (!clientId && !tenantId && oidc && env.AZURE_CLIENT_ID && env.AZURE_TENANT_ID) {
    // The job can request its own OIDC token and names the app in AZURE_CLIENT_ID/AZURE_TENANT_ID (as for
    // azure/login): sign in federated directly, not through the Azure CLI, whose session from azure/login
    // cannot renew once the assertion it was given expired (AADSTS700024; Azure/login#180).
    clientId = env.AZURE_CLIENT_ID;
    tenantId = env.AZURE_TENANT_ID;
    logger.info('client-id and tenant-id taken from AZURE_CLIENT_ID and AZURE_TENANT_ID');
  }
  if (clientId || tenantId) {
    if (!clientId || !tenantId)
      throw new NotarySignError(
        'INPUT',
        'client-id and tenant-id go together: give both (the app registration whose federated credential trusts this workflow)',
      );
    const requestUrl = env.ACTIONS_ID_TOKEN_REQUEST_URL;
    const requestToken = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
    if (!requestUrl || !requestToken) {
      throw new NotarySignError(
        'AUTH',
        'this job cannot request a GitHub OIDC token: add "permissions: id-token: write" (and contents: read) to the job or workflow, ' +
          'so notary-sign can sign in to Azure with client-id and tenant-id; ' +
          'to use azure/login instead, leave client-id and tenant-id empty',
      );
    }
    core.setSecret(requestToken);
    github = { requestUrl, requestToken };
  }

  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  const images = parseList(core.getInput('image'));
  const command = input('command') || 'sign';
  return {
    command,
    images,
    session: {
      ...optional('keyId', input('key-id')),
      ...optional('key', input('key')),
      ...optional('certificateChain', input('certificate-chain')),
      azure: {
        ...optional('clientId', clientId),
        ...optional('tenantId', tenantId),
        ...optional('authorityHost', input('authority-host')),
        ...(github ? { github } : {}),
      },
      ...(registryUsername ? { registryCredentials: { username: registryUsername, password: registryPassword } } : {}),
      insecureRegistries: parseInsecureRegistries([core.getInput('insecure-registries')], 'insecure-registries'),
      acrHosts: parseInsecureRegistries([core.getInput('acr-hosts')], 'acr-hosts'),
      ...optional('networkTimeout', core.getInput('network-timeout')),
      onSecret: (value) => core.setSecret(value),
    },
    ...optional('signatureFormat', input('signature-format')),
    ...optional('expiry', input('expiry')),
    // key=value inputs are one per line (a value may contain commas); the core splits them.
    annotations: core.getInput('annotations'),
    ...optional('referrers', input('referrers')),
    requiredAnnotations: core.getInput('required-annotations'),
    ...optional('dockerfile', input('dockerfile')),
    buildArgs: core.getInput('build-args'),
    ...optional('platform', input('platform')),
    ...optional('trustPolicy', input('trust-policy')),
    ...optional('trustStore', input('trust-store')),
    // Inline trust: PEM and identities are multi-line as given; the core splits identities on newlines only.
    ...optional('trustedCertificates', core.getInput('trusted-certificates')),
    ...optional('trustedTsaCertificates', core.getInput('trusted-tsa-certificates')),
    ...optional('trustedKeyVaultCertificates', core.getInput('trusted-key-vault-certificates')),
    ...optional('trustedIdentities', core.getInput('trusted-identities')),
    ...optional('registryScopes', core.getInput('registry-scopes')),
    ...optional('verificationLevel', input('verification-level')),
    ...optional('pinOutput', input('pin-output')),
    ...optional('destination', input('destination')),
    ...optional('signatureSources', core.getInput('signature-source')),
    allReferrers: booleanInput('all-referrers'),
    ...optional('notaryServer', input('notary-server')),
    dctRootKeys: core.getInput('dct-root-key'),
    signMoved: booleanInput('sign-moved'),
    dryRun: booleanInput('dry-run'),
    ...optional('ocspTimeout', input('ocsp-timeout')),
    ...optional('crlTimeout', input('crl-timeout')),
    ...optional('revocationCache', input('revocation-cache')),
    recursive: booleanInput('recursive'),
    ...optional('timestampUrl', input('timestamp-url')),
    ...optional('timestampRootCert', input('timestamp-root-cert')),
    annotateCi: booleanInput('annotate-ci'),
    ciProvenance: {
      ...(env.GITHUB_REPOSITORY ? { source: `${server}/${env.GITHUB_REPOSITORY}` } : {}),
      ...(env.GITHUB_SHA ? { revision: env.GITHUB_SHA } : {}),
      ...(env.GITHUB_WORKFLOW_REF || env.GITHUB_WORKFLOW ? { pipeline: env.GITHUB_WORKFLOW_REF || env.GITHUB_WORKFLOW } : {}),
      ...(env.GITHUB_RUN_ID
        ? {
            run: `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}/attempts/${env.GITHUB_RUN_ATTEMPT ?? '1'}`,
          }
        : {}),
    },
    logger,
  };
}
