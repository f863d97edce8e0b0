import * as tl from 'azure-pipelines-task-lib/task.js';
import { NotarySignError } from '../src/errors.js';
import { parseInsecureRegistries, parseList } from '../src/run/inputs.js';
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
    images = parseList(tl.getVariable('RESOURCE_URIS')).map((u) => u.replace(/^docker:\/\//, ''));
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
    ...optional('pinOutput', input('pinOutput')),
    recursive: tl.getBoolInput('recursive', false),
    ...optional('timestampUrl', input('timestampUrl')),
    ...optional('timestampRootCert', input('timestampRootCert')),
    annotateCi: tl.getBoolInput('annotateCi', false),
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

function azureConnection(id: string): AzureAuthOptions {
  if (!id) return {};
  const scheme = tl.getEndpointAuthorizationScheme(id, true);
  if (!scheme)
    throw new NotarySignError(
      'INPUT',
      `azureSubscription: service connection ${id} was not found; check its name and that this pipeline is allowed to use it`,
    );
  const param = (key: string) => tl.getEndpointAuthorizationParameter(id, key, true) ?? '';
  const ids = { clientId: param('serviceprincipalid'), tenantId: param('tenantid') };
  const authorityHost = tl.getEndpointDataParameter(id, 'activeDirectoryAuthority', true);
  const common = { ...ids, ...(authorityHost ? { authorityHost } : {}) };
  switch (scheme.toLowerCase()) {
    case 'workloadidentityfederation': {
      // Read the plain variable directly: tl.getVariable would debug-log a value not yet marked secret.
      const systemAccessToken = process.env.SYSTEM_ACCESSTOKEN || tl.getVariable('System.AccessToken') || '';
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
      return { ...(ids.tenantId ? { tenantId: ids.tenantId } : {}) };
    default:
      throw new NotarySignError(
        'INPUT',
        `azureSubscription: service connection ${id} uses the "${scheme}" scheme; ` +
          `use an Azure Resource Manager connection with workload identity federation (or a service principal / managed identity)`,
      );
  }
}

function dockerRegistryConnection(id: string): { host: string; credentials: { username: string; password: string } } | undefined {
  if (!id) return undefined;
  const param = (key: string) => tl.getEndpointAuthorizationParameter(id, key, true) ?? '';
  const url = param('registry') || tl.getEndpointUrl(id, true) || '';
  const username = param('username');
  const password = param('password');
  if (!url || !username) throw new NotarySignError('INPUT', `containerRegistry: service connection ${id} has no registry URL or user name`);
  if (password) tl.setSecret(password);
  const host = url.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  return { host: host === 'index.docker.io' ? 'docker.io' : host, credentials: { username, password } };
}
