import type { TokenCredential } from '@azure/identity';
import { NotarySignError } from '../errors.js';
import type { InputNames } from '../util/input-names.js';
import { httpFetch, NetworkFailure, readBody, type HttpResponse } from '../util/http.js';
import { memoizeByKey } from '../util/concurrency.js';
import { silentLogger, type Logger } from '../log.js';
import type { BasicCredential, CredentialResolver } from '../registry/credentials.js';
import { azureErrorMessage, signInError } from './credential.js';

/** The public cloud's ACR audience; sovereign clouds use their own (cloud.ts). */
export const ACR_SCOPE = 'https://containerregistry.azure.net/.default';
/** The user name ACR expects with a refresh token as password. */
export const ACR_REFRESH_TOKEN_USER = '00000000-0000-0000-0000-000000000000';

export const isAcrHost = (registry: string, extra: readonly string[] = []): boolean =>
  /\.azurecr\.(io|us|cn)$/i.test(registry.replace(/:\d+$/, '')) || extra.includes(registry);

export interface AcrAuthOptions {
  credential: TokenCredential;
  /** The Entra token scope ACR accepts in this cloud (default: the public cloud's). */
  scope?: string;
  /** Login servers to treat as ACR besides *.azurecr.io (custom domains, tests). */
  acrHosts?: readonly string[];
  tenantId?: string;
  logger?: Logger;
  onSecret?: (value: string) => void;
  /** How the user's CI spells inputs, for messages. */
  inputName?: InputNames;
}

/**
 * Entra → ACR: exchange an Entra access token for an ACR refresh token
 * (POST /oauth2/exchange, once per registry per run). The registry's own
 * token flow then turns it into repository-scoped access tokens, with the
 * refresh token as the password of the all-zero user.
 */
export function acrCredentials(opts: AcrAuthOptions, fallback?: CredentialResolver): CredentialResolver {
  const log = opts.logger ?? silentLogger;
  const exchangeOnce = memoizeByKey((registry: string) => exchange(registry, opts, log));
  return async (registry) => (isAcrHost(registry, opts.acrHosts) ? exchangeOnce(registry) : fallback?.(registry));
}

async function exchange(registry: string, opts: AcrAuthOptions, log: Logger): Promise<BasicCredential> {
  let entra: string;
  try {
    const token = await opts.credential.getToken(opts.scope ?? ACR_SCOPE);
    if (!token) throw new Error('no token returned');
    entra = token.token;
  } catch (err) {
    throw (
      signInError(err, opts.inputName) ??
      new NotarySignError('AUTH', `Azure sign-in for ${registry} failed: ${azureErrorMessage(err)}`, { cause: err })
    );
  }
  const body = new URLSearchParams({ grant_type: 'access_token', service: registry, access_token: entra });
  if (opts.tenantId) body.set('tenant', opts.tenantId);
  let res: HttpResponse;
  let text: string;
  try {
    res = await httpFetch(
      `https://${registry}/oauth2/exchange`,
      { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body },
      { timeoutMs: 30_000, maxAttempts: 4, retryStatus: (status) => status === 429 || status >= 500 },
    );
    text = (await readBody(res, { limit: 1 << 20, what: `the ACR ${registry} token exchange response`, code: 'AUTH' })).toString('utf8');
  } catch (err) {
    if (err instanceof NetworkFailure)
      throw new NotarySignError('NETWORK', `cannot reach ${registry} for the ACR token exchange (${err.code})`, { cause: err });
    throw err;
  }
  if (!res.ok) {
    throw new NotarySignError(
      'AUTH',
      `ACR ${registry} refused the Entra token exchange (${res.status})${acrErrorDetail(text)}: ` +
        `the identity needs AcrPush (to sign) or AcrPull (to verify) on this registry`,
    );
  }
  let refresh: unknown;
  try {
    refresh = (JSON.parse(text) as { refresh_token?: unknown }).refresh_token;
  } catch {
    /* handled below */
  }
  if (typeof refresh !== 'string' || refresh === '')
    throw new NotarySignError('AUTH', `ACR ${registry} returned no refresh token from /oauth2/exchange`);
  opts.onSecret?.(refresh);
  log.info(`ACR ${registry}: Entra token exchanged for a registry refresh token`);
  return {
    username: ACR_REFRESH_TOKEN_USER,
    password: refresh,
    refusedHint: `the Azure identity needs the AcrPush role on ${registry} to sign (AcrPull to verify)`,
  };
}

function acrErrorDetail(text: string): string {
  try {
    const e = JSON.parse(text) as { errors?: { message?: string }[]; error_description?: string };
    const msg = e.errors?.[0]?.message ?? e.error_description;
    return msg ? `: ${msg.slice(0, 200)}` : '';
  } catch {
    return '';
  }
}
