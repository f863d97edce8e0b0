import * as tl from 'azure-pipelines-task-lib/task.js';
import { NotarySignError } from '../src/errors.js';
import { parseBoolean, parseInsecureRegistries, parseList } from '../src/run/inputs.js';
import type { Logger } from '../src/log.js';
import type { RunInputs } from '../src/run/index.js';
import type { AzureAuthOptions } from '../src/azure/credential.js';

/** Inputs of the action and the CLI that the task does not have (it signs with Key Vault only). */
const NOT_IN_TASK = new Set(['key', 'registry-username', 'registry-password']);

/** camelCase task input names, for messages: key-id → keyId; undefined for inputs the task lacks. */
export const taskInputName = (kebab: string): string | undefined =>
  NOT_IN_TASK.has(kebab) ? undefined : kebab.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()).replace(/^image$/, 'images');

const input = (name: string) => (tl.getInput(name, false) ?? '').trim();

/**
 * task.json inputs and service connections → the core's RunInputs. The
 * Azure Resource Manager connection gives the identity (workload identity
 * federation preferred); a Docker registry connection gives registry
 * credentials for non-ACR registries.
 */
export function readInputs(logger: Logger): RunInputs {
  const command = input('command') || 'sign';
  let images = parseList(tl.getInput('images', false));
  if (images.length === 0 && command === 'sign') {
    // Docker@2 buildAndPush records what it pushed; sign exactly those.
    images = resourceUris(tl.getVariable('RESOURCE_URIS'), logger);
    if (images.length > 0) logger.info(`images not given: signing the ${images.length} image(s) Docker@2 pushed (RESOURCE_URIS)`);
  }
  const optional = <K extends string>(key: K, value: string) => (value ? ({ [key]: value } as Record<K, string>) : {});
  const registry = dockerRegistryConnection(input('containerRegistry'));
  const collection = tl.getVariable('System.TeamFoundationCollectionUri') ?? '';
  return {
    command,
    images,
    session: {
      ...optional('keyId', input('keyId')),
      ...optional('certificateChain', input('certificateChain')),
      azure: azureConnection(input('azureSubscription')),
      ...(registry ? { registryCredentials: registry.credentials, registries: [registry.host] } : {}),
      insecureRegistries: parseInsecureRegistries([input('insecureRegistries')], 'insecureRegistries'),
      acrHosts: parseInsecureRegistries([input('acrHosts')], 'acrHosts'),
      ...optional('networkTimeout', input('networkTimeout')),
      onSecret: (value) => tl.setSecret(value),
    },
    ...optional('signatureFormat', input('signatureFormat')),
    ...optional('expiry', input('expiry')),
    // key=value inputs are one per line (a value may contain commas); the core splits them.
    annotations: tl.getInput('annotations', false) ?? '',
    ...optional('referrers', input('referrers')),
    requiredAnnotations: tl.getInput('requiredAnnotations', false) ?? '',
    ...optional('dockerfile', input('dockerfile')),
    buildArgs: tl.getInput('buildArgs', false) ?? '',
    ...optional('platform', input('platform')),
    ...optional('trustPolicy', input('trustPolicy')),
    ...optional('trustStore', input('trustStore')),
    ...optional('trustedCertificates', tl.getInput('trustedCertificates', false) ?? ''),
    ...optional('trustedTsaCertificates', tl.getInput('trustedTsaCertificates', false) ?? ''),
    ...optional('trustedKeyVaultCertificates', tl.getInput('trustedKeyVaultCertificates', false) ?? ''),
    ...optional('trustedIdentities', tl.getInput('trustedIdentities', false) ?? ''),
    ...optional('registryScopes', tl.getInput('registryScopes', false) ?? ''),
    // The pick list defaults to strict; it matters only with inline trust.
    ...(input('trustedCertificates') || input('trustedKeyVaultCertificates')
      ? optional('verificationLevel', input('verificationLevel'))
      : {}),
    ...optional('pinOutput', input('pinOutput')),
    ...optional('destination', input('destination')),
    ...optional('signatureSources', tl.getInput('signatureSource', false) ?? ''),
    allReferrers: parseBoolean(input('allReferrers'), 'allReferrers'),
    ...optional('notaryServer', input('notaryServer')),
    dctRootKeys: tl.getInput('dctRootKey', false) ?? '',
    signMoved: parseBoolean(input('signMoved'), 'signMoved'),
    dryRun: parseBoolean(input('dryRun'), 'dryRun'),
    ...optional('ocspTimeout', input('ocspTimeout')),
    ...optional('crlTimeout', input('crlTimeout')),
    ...optional('revocationCache', input('revocationCache')),
    recursive: parseBoolean(input('recursive'), 'recursive'),
    ...optional('timestampUrl', input('timestampUrl')),
    ...optional('timestampRootCert', input('timestampRootCert')),
    annotateCi: parseBoolean(input('annotateCi'), 'annotateCi'),
    ciProvenance: {
      ...optional('source', tl.getVariable('Build.Repository.Uri') ?? ''),
      ...optional('revision', tl.getVariable('Build.SourceVersion') ?? ''),
      ...optional('pipeline', tl.getVariable('Build.DefinitionName') ?? ''),
      ...(tl.getVariable('Build.BuildId')
        ? {
            run: `${collection}${tl.getVariable('System.TeamProject') ?? ''}/_build/results?buildId=${tl.getVariable('Build.BuildId')}`,
          }
        : {}),
    },
    logger,
    inputName: taskInputName,
  };
}

/**
 * RESOURCE_URIS as Docker@2 writes it: comma-separated `https://<registry>/<repository>@sha256:<hex>`
 * (microsoft/azure-pipelines-tasks Tasks/DockerV2/dockerpush.ts publishToImageMetadataStore, with
 * docker-common containerimageutils.ts getResourceName); `docker://` is accepted too. An entry whose
 * digest Docker@2 could not read from the push output ends in `@sha256:` and is skipped with a warning.
 */
export function resourceUris(value: string | undefined, logger: Logger): string[] {
  const images: string[] = [];
  for (const uri of parseList(value)) {
    const image = uri.replace(/^(?:https?|docker):\/\//, '');
    if (/@sha256:$/.test(image)) logger.warn(`RESOURCE_URIS entry ${uri} has no digest (Docker@2 could not read it); not signing it`);
    else images.push(image);
  }
  return images;
}

function azureConnection(id: string): AzureAuthOptions {
  if (!id) return {};
  const scheme = tl.getEndpointAuthorizationScheme(id, true);
  if (!scheme)
    throw new NotarySignError(
      'INPUT',
      `azureSubscription: service connection ${id} was not found; check its name and that this pipeline is allowed to use it`,
    );
  const param = (key: string) => authParameter(id, key);
  const ids = { clientId: param('serviceprincipalid'), tenantId: param('tenantid') };
  const authorityHost = tl.getEndpointDataParameter(id, 'activeDirectoryAuthority', true);
  // The connection's cloud: AzureCloud, AzureUSGovernment, AzureChinaCloud (azure-arm-rest azure-arm-endpoint.ts).
  const cloud = tl.getEndpointDataParameter(id, 'environment', true);
  const common = { ...ids, ...(authorityHost ? { authorityHost } : {}), ...(cloud ? { cloud } : {}) };
  switch (scheme.toLowerCase()) {
    case 'workloadidentityfederation': {
      // Read the plain variable directly: tl.getVariable would debug-log a value not yet marked secret.
      // The job's token: the System.AccessToken variable where scripts may read it, else the agent's own
      // SystemVssConnection endpoint, which classic and release jobs always have and Microsoft's tasks read
      // (microsoft/azure-pipelines-tasks Tasks/DockerV2/dockerpush.ts, getEndpointAuthorizationParameter).
      const systemAccessToken =
        process.env.SYSTEM_ACCESSTOKEN || tl.getVariable('System.AccessToken') || authParameter('SystemVssConnection', 'AccessToken') || '';
      if (systemAccessToken) tl.setSecret(systemAccessToken);
      return { ...common, azurePipelines: { serviceConnectionId: id, systemAccessToken } };
    }
    case 'serviceprincipal': {
      const secret = param('serviceprincipalkey');
      if (!secret)
        throw new NotarySignError(
          'INPUT',
          `azureSubscription: service connection ${id} uses a certificate; convert it to workload identity federation`,
        );
      tl.setSecret(secret);
      return { ...common, clientSecret: secret };
    }
    case 'managedserviceidentity':
      // A user-assigned identity is named by its client id in the connection; a system-assigned one has none.
      return { ...(ids.tenantId ? { tenantId: ids.tenantId } : {}), managedIdentity: ids.clientId ? { clientId: ids.clientId } : {} };
    default:
      throw new NotarySignError(
        'INPUT',
        `azureSubscription: service connection ${id} uses the "${scheme}" scheme; ` +
          `use an Azure Resource Manager connection with workload identity federation (or a service principal / managed identity)`,
      );
  }
}

/**
 * One authorization parameter of a service connection, read from the connection's authorization object
 * (azure-pipelines-task-lib task.ts getEndpointAuthorization, ENDPOINT_AUTH_<id>): unlike
 * getEndpointAuthorizationParameter, it does not write the value into the debug log. Keys are matched
 * case-insensitively, as the agent's casing varies (AccessToken, serviceprincipalkey).
 */
function authParameter(id: string, key: string): string {
  const parameters = tl.getEndpointAuthorization(id, true)?.parameters ?? {};
  const match = Object.keys(parameters).find((k) => k.toLowerCase() === key.toLowerCase());
  return (match ? parameters[match] : undefined) ?? '';
}

function dockerRegistryConnection(id: string): { host: string; credentials: { username: string; password: string } } | undefined {
  if (!id) return undefined;
  const param = (key: string) => authParameter(id, key);
  const url = param('registry') || tl.getEndpointUrl(id, true) || '';
  const username = param('username');
  const password = param('password');
  if (!url || !username) throw new NotarySignError('INPUT', `containerRegistry: service connection ${id} has no registry URL or user name`);
  if (password) tl.setSecret(password);
  const host = url.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  return { host: host === 'index.docker.io' ? 'docker.io' : host, credentials: { username, password } };
}
