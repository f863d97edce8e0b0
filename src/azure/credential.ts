import type { TokenCredential } from '@azure/identity';
import { NotarySignError } from '../errors.js';
import { inputNames, type InputNames } from '../util/input-names.js';
import { httpFetch, NetworkFailure, readBody } from '../util/http.js';
import { silentLogger, type Logger } from '../log.js';

/** What the pipeline offers for Azure sign-in; adapters fill it from their CI's environment. */
export interface AzureAuthOptions {
  clientId?: string;
  tenantId?: string;
  /** e.g. https://login.microsoftonline.us for a sovereign cloud. */
  authorityHost?: string;
  /** The cloud, when the CI names it (an Azure DevOps connection's environment). */
  cloud?: string;
  /** GitHub Actions OIDC (needs `permissions: id-token: write`). */
  github?: { requestUrl: string; requestToken: string };
  /** Azure DevOps workload identity federation service connection. */
  azurePipelines?: { serviceConnectionId: string; systemAccessToken: string };
  /** A service principal secret (legacy service connections); federation is preferred. */
  clientSecret?: string;
  /** A managed identity connection: the agent's identity, user-assigned when a client id is given. */
  managedIdentity?: { clientId?: string };
  logger?: Logger;
  /** Told each token obtained (the GitHub ID token), so the CI can mask it. */
  onSecret?: (value: string) => void;
  /** How the user's CI spells inputs, for messages. */
  inputName?: InputNames;
}

export type CredentialKind = 'github-oidc' | 'azure-pipelines-wif' | 'client-secret' | 'managed-identity' | 'default-azure-credential';

const PUBLIC_AUTHORITIES = ['login.microsoftonline.com', 'login.microsoftonline.us', 'login.chinacloudapi.cn', 'login.microsoftonline.de'];
export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

/** Options every @azure/identity credential takes here. */
function identityOptions(authorityHost: string | undefined, name: InputNames) {
  if (!authorityHost) return {};
  let host: string;
  try {
    const url = new URL(authorityHost);
    if (url.protocol !== 'https:') throw new Error();
    host = url.hostname;
  } catch {
    throw new NotarySignError(
      'INPUT',
      `${name('authority-host')}: "${authorityHost}" is not an https URL such as https://login.microsoftonline.us`,
    );
  }
  // Instance discovery only knows Microsoft's public clouds; skip it for any other authority.
  return { authorityHost, disableInstanceDiscovery: !PUBLIC_AUTHORITIES.includes(host) };
}

/**
 * Choose the credential from what the pipeline has, in this order: GitHub
 * OIDC, Azure DevOps workload identity, then DefaultAzureCredential
 * (environment, workload identity file, managed identity, Azure CLI).
 */
export async function selectCredential(opts: AzureAuthOptions): Promise<{ credential: TokenCredential; kind: CredentialKind }> {
  const log = opts.logger ?? silentLogger;
  const name = opts.inputName ?? inputNames(undefined);
  const common = identityOptions(opts.authorityHost, name);
  const needIds = (what: string) => {
    if (!opts.clientId || !opts.tenantId) {
      throw new NotarySignError(
        'INPUT',
        `${what} needs ${name('client-id')} and ${name('tenant-id')}: ` +
          `the app registration (or user-assigned identity) whose federated credential trusts this pipeline`,
      );
    }
    return { clientId: opts.clientId, tenantId: opts.tenantId };
  };

  if (opts.github) {
    const { clientId, tenantId } = needIds('GitHub OIDC sign-in');
    const github = opts.github;
    const assertion = cachedAssertion(async () => {
      const token = await fetchGitHubIdToken(github);
      opts.onSecret?.(token);
      return token;
    });
    // Fetched now, so it travels while the identity library loads. A failure here is forgotten: the sign-in asks
    // again, and reports that failure.
    assertion().catch(() => undefined);
    const identity = await import('@azure/identity');
    log.info(`Azure sign-in: GitHub OIDC federated credential (client ${clientId}, tenant ${tenantId})`);
    return { credential: new identity.ClientAssertionCredential(tenantId, clientId, assertion, common), kind: 'github-oidc' };
  }
  const identity = await import('@azure/identity');
  if (opts.azurePipelines) {
    const { clientId, tenantId } = needIds('Azure DevOps workload identity sign-in');
    if (!opts.azurePipelines.systemAccessToken) {
      throw new NotarySignError(
        'AUTH',
        'System.AccessToken is not available: allow scripts to access the OAuth token (or map SYSTEM_ACCESSTOKEN into the step) ' +
          'so the service connection can request an OIDC token (the SystemVssConnection endpoint had none either)',
      );
    }
    log.info(`Azure sign-in: Azure DevOps workload identity federation (service connection ${opts.azurePipelines.serviceConnectionId})`);
    const credential = new identity.AzurePipelinesCredential(
      tenantId,
      clientId,
      opts.azurePipelines.serviceConnectionId,
      opts.azurePipelines.systemAccessToken,
      common,
    );
    return { credential, kind: 'azure-pipelines-wif' };
  }
  if (opts.clientSecret) {
    const { clientId, tenantId } = needIds('Service principal sign-in');
    log.info(
      `Azure sign-in: service principal ${clientId} with a client secret (prefer workload identity federation: no secret to rotate)`,
    );
    return { credential: new identity.ClientSecretCredential(tenantId, clientId, opts.clientSecret, common), kind: 'client-secret' };
  }
  if (opts.managedIdentity) {
    const { clientId } = opts.managedIdentity;
    log.info(`Azure sign-in: managed identity${clientId ? ` (user-assigned, client ${clientId})` : ' (system-assigned)'}`);
    // @azure/identity ManagedIdentityCredential: a user-assigned identity is selected by its client id.
    const credential = new identity.ManagedIdentityCredential({ ...common, ...(clientId ? { clientId } : {}) });
    return { credential, kind: 'managed-identity' };
  }
  log.info('Azure sign-in: DefaultAzureCredential (environment, workload identity, managed identity, Azure CLI)');
  const credential = new identity.DefaultAzureCredential({
    ...common,
    ...(opts.tenantId ? { tenantId: opts.tenantId } : {}),
    ...(opts.clientId ? { managedIdentityClientId: opts.clientId, workloadIdentityClientId: opts.clientId } : {}),
  });
  return { credential, kind: 'default-azure-credential' };
}

/** A JWT assertion fetched lazily and again when within 60 s of its expiry. */
function cachedAssertion(fetchToken: () => Promise<string>): () => Promise<string> {
  let cached: { token: string; exp: number } | undefined;
  let pending: Promise<string> | undefined;
  return async () => {
    if (cached && cached.exp - 60_000 > Date.now()) return cached.token;
    pending ??= fetchToken().then(
      (token) => {
        cached = { token, exp: jwtExpiry(token) };
        pending = undefined;
        return token;
      },
      (err) => {
        pending = undefined;
        throw err;
      },
    );
    return pending;
  };
}

function jwtExpiry(token: string): number {
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: number };
    return typeof claims.exp === 'number' ? claims.exp * 1000 : Date.now() + 5 * 60_000;
  } catch {
    return Date.now() + 5 * 60_000;
  }
}

/** GitHub's ID token for the Entra token exchange audience. */
async function fetchGitHubIdToken(github: { requestUrl: string; requestToken: string }): Promise<string> {
  const url = new URL(github.requestUrl);
  url.searchParams.set('audience', TOKEN_EXCHANGE_AUDIENCE);
  let text: string;
  try {
    // Retried on 502/503/504 as @actions/core getIDToken does (its HttpClient with allowRetries; @actions/http-client
    // retries exactly those statuses), with backoff, a bounded number of times.
    const res = await httpFetch(
      url,
      { headers: { authorization: `bearer ${github.requestToken}`, accept: 'application/json' } },
      { timeoutMs: 30_000, maxAttempts: 5, retryStatus: (status) => status === 502 || status === 503 || status === 504 },
    );
    if (!res.ok) {
      await res.body?.cancel();
      throw new NotarySignError(
        'AUTH',
        `the GitHub OIDC token endpoint answered ${res.status}: check that the job has permissions: id-token: write`,
      );
    }
    text = (await readBody(res, { limit: 64 * 1024, what: 'the GitHub OIDC token response', code: 'AUTH' })).toString('utf8');
  } catch (err) {
    if (err instanceof NetworkFailure)
      throw new NotarySignError('NETWORK', `cannot reach the GitHub OIDC token endpoint (${err.code})`, { cause: err });
    throw err;
  }
  let body: { value?: unknown } = {};
  try {
    body = JSON.parse(text) as { value?: unknown };
  } catch {
    /* handled below */
  }
  if (typeof body.value !== 'string') throw new NotarySignError('AUTH', 'the GitHub OIDC token endpoint returned no token');
  return body.value;
}

/** One line from an @azure/identity or Key Vault failure, without stack or token. */
export function azureErrorMessage(err: unknown): string {
  const e = err as { message?: string; statusCode?: number; code?: string };
  const text = (e.message ?? String(err))
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  // AADSTS codes carry the actionable part; keep it and drop trace/correlation ids.
  const aad = text.find((l) => /AADSTS\d+/.test(l));
  const line = (aad ?? text[0] ?? 'unknown error').replace(/ Trace ID:.*$/, '').replace(/\s+Correlation ID:.*$/, '');
  return line.length > 400 ? `${line.slice(0, 397)}...` : line;
}

const howToSignIn = (name: InputNames) =>
  `in GitHub Actions give ${name('client-id')} and ${name('tenant-id')} with permissions: id-token: write, ` +
  'in Azure DevOps use a workload identity service connection, elsewhere run az login or use a managed identity';

/** An error's message with those of the errors it aggregates (DefaultAzureCredential's chain). */
function allMessages(err: unknown): string {
  const e = err as { message?: string; errors?: unknown[] };
  return [e.message ?? '', ...(Array.isArray(e.errors) ? e.errors.map(allMessages) : [])].join('\n');
}

/** The error for a failed Azure sign-in, or undefined when `err` is not one. */
export function signInError(err: unknown, inputName: InputNames = inputNames(undefined)): NotarySignError | undefined {
  const name = (err as { name?: string }).name;
  const detail = azureErrorMessage(err);
  if (/AADSTS700024/.test(allMessages(err))) {
    // The Azure CLI's federated session from azure/login: the GitHub assertion it was given lasts minutes and
    // the CLI cannot renew it (Azure/login#180, Azure/azure-cli#28708).
    return new NotarySignError(
      'AUTH',
      `Azure sign-in failed: the Azure CLI session can no longer get tokens, because the federated assertion it signed in with ` +
        `expired (AADSTS700024); give ${inputName('client-id')} and ${inputName('tenant-id')} (or set AZURE_CLIENT_ID and ` +
        `AZURE_TENANT_ID) with permissions: id-token: write, so notary-sign requests its own GitHub OIDC token when it needs one`,
      { cause: err },
    );
  }
  if (name === 'AggregateAuthenticationError' || name === 'CredentialUnavailableError') {
    return new NotarySignError('AUTH', `Azure sign-in failed: no credential was available (${detail}); ${howToSignIn(inputName)}`, {
      cause: err,
    });
  }
  if (name === 'AuthenticationError') return new NotarySignError('AUTH', `Azure sign-in failed: ${detail}`, { cause: err });
  return undefined;
}
