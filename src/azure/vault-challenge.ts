import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { parseChallenge } from '../registry/challenge.js';
import { httpFetch } from '../util/http.js';
import { silentLogger, type Logger } from '../log.js';

/**
 * Key Vault's challenge, asked once per run. Every unauthenticated request to a vault draws the same 401, naming
 * the vault's authority and resource, not the operation (learn.microsoft.com "Azure Key Vault authentication",
 * challenge-based authentication). Each Key Vault client asks for it with its own first request
 * (@azure/keyvault-common keyVaultAuthenticationPolicy): the key, certificate and secret clients cost three round
 * trips, the last one on the critical path. Asked here before those libraries load, the sign-in can start while
 * they load, and each client is given the answer instead of asking again.
 */
export interface VaultChallenge {
  /** The vault's WWW-Authenticate header, as the clients would have received it. */
  header: string;
  /** What a Key Vault client asks Entra for after this challenge (the same parse as keyvault-common's). */
  scope: string;
  tenantId?: string;
}

/** The data-plane api-version of the bundled @azure/keyvault-keys (its LATEST_API_VERSION; a test keeps them equal). */
export const KEY_VAULT_API_VERSION = '2025-07-01';

/**
 * Ask the vault at `url` (a key or certificate URL, no version) for its challenge. Resolves undefined when the
 * vault does not answer with one in time: the clients then ask themselves, and report what goes wrong.
 */
export async function askVaultChallenge(
  url: string,
  opts: { logger?: Logger; verifyResource: boolean },
): Promise<VaultChallenge | undefined> {
  const log = opts.logger ?? silentLogger;
  const target = new URL(url);
  target.searchParams.set('api-version', KEY_VAULT_API_VERSION);
  try {
    const res = await httpFetch(target, { method: 'GET' }, { timeoutMs: 10_000, logger: log });
    await res.body?.cancel();
    const header = res.status === 401 ? res.headers.get('www-authenticate') : null;
    const challenge = header ? parseVaultChallenge(header) : undefined;
    if (!header || !challenge) return undefined;
    // The clients check this too (disableChallengeResourceVerification aside): a token is only ever asked for the
    // resource of the vault's own domain.
    if (opts.verifyResource && !target.hostname.endsWith(`.${new URL(challenge.scope).hostname}`)) return undefined;
    return { header, ...challenge };
  } catch (err) {
    log.debug(`Key Vault challenge of ${target.origin} not asked ahead (${(err as Error).message}); its clients ask`);
    return undefined;
  }
}

/** keyvault-common parseWWWAuthenticateHeader's reading: scope from the resource, tenant from the authority's path. */
function parseVaultChallenge(header: string): Omit<VaultChallenge, 'header'> | undefined {
  const params = parseChallenge(header)?.params ?? {};
  const scope = params.resource ? `${params.resource}/.default` : params.scope;
  if (!scope || !URL.canParse(scope)) return undefined;
  let tenantId = params.tenantid;
  if (params.authorization) {
    if (!URL.canParse(params.authorization)) return undefined;
    tenantId = new URL(params.authorization).pathname.substring(1) || tenantId;
  }
  return { scope, ...(tenantId ? { tenantId } : {}) };
}

/**
 * A pipeline policy that answers a client's unauthenticated request to the vault with the challenge asked
 * ahead; the client's own authentication policy then signs in and sends the request with its token.
 */
export function replayVaultChallenge(
  origin: string,
  challenge: Promise<VaultChallenge | undefined>,
  createHttpHeaders: (raw: Record<string, string>) => import('@azure/core-rest-pipeline').HttpHeaders,
): PipelinePolicy {
  return {
    name: 'notarySignVaultChallenge',
    async sendRequest(request, next) {
      if (request.headers.has('authorization') || new URL(request.url).origin !== origin) return next(request);
      const answer = await challenge;
      if (!answer) return next(request);
      return { request, status: 401, headers: createHttpHeaders({ 'www-authenticate': answer.header }) };
    },
  };
}
