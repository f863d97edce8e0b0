import { createServer } from 'node:http';
import type { Entra } from './entra.js';
import { json } from './faults.js';

/**
 * The managed identity endpoint of an Azure host, in its App Service form (the one @azure/identity and
 * MSAL select from IDENTITY_ENDPOINT + IDENTITY_HEADER): learn.microsoft.com "How to use managed identities
 * for App Service and Azure Functions", section "REST endpoint reference". Plain HTTP on loopback, as the
 * real endpoint is local to the host. Tokens are minted by the Entra double's issuer, for the identity's
 * object id, so Key Vault and ACR judge them like any other.
 */
export interface ManagedIdentityHost {
  endpoint: string;
  header: string;
  /** The identities this host carries: a system-assigned one and user-assigned ones by client id. */
  systemAssigned: { objectId: string };
  userAssigned: { clientId: string; objectId: string }[];
  /** client_id values requested, in order ('' for system-assigned). */
  requests: string[];
  stop(): Promise<void>;
}

export async function startManagedIdentityHost(
  entra: Entra,
  opts: { systemAssigned: { objectId: string }; userAssigned: { clientId: string; objectId: string }[] },
): Promise<ManagedIdentityHost> {
  const header = `mi-header-${Math.random().toString(36).slice(2)}`;
  const requests: string[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      // REST endpoint reference: X-IDENTITY-HEADER must carry IDENTITY_HEADER, else 401 (or 403).
      if (req.headers['x-identity-header'] !== header) return json(res, 401, { statusCode: 401, message: 'Unauthorized request' });
      // api-version 2019-08-01 and resource are required parameters.
      if (url.searchParams.get('api-version') !== '2019-08-01') return json(res, 400, { statusCode: 400, message: 'Invalid api-version' });
      const resource = url.searchParams.get('resource');
      if (!resource) return json(res, 400, { statusCode: 400, message: 'resource is required' });
      // client_id selects a user-assigned identity; without it, the system-assigned one answers.
      const clientId = url.searchParams.get('client_id') ?? '';
      requests.push(clientId);
      const identity = clientId ? opts.userAssigned.find((u) => u.clientId === clientId) : opts.systemAssigned;
      if (!identity)
        return json(res, 400, {
          statusCode: 400,
          message: `No User Assigned or Delegated Managed Identity found for specified ClientId/ResourceId/PrincipalId.`,
        });
      const audience = resource.replace(/\/$/, '');
      const now = Math.floor(Date.now() / 1000);
      const token = await entra.issuer.sign(
        {
          aud: audience,
          tid: entra.tenantId,
          oid: identity.objectId,
          sub: identity.objectId,
          appid: clientId || identity.objectId,
          ver: '1.0',
          idtyp: 'app',
        },
        3600,
        now,
      );
      // Response: access_token, expires_on (epoch seconds, as a string), resource, token_type, client_id.
      return json(res, 200, { access_token: token, expires_on: String(now + 3600), resource, token_type: 'Bearer', client_id: clientId });
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}/msi/token`,
    header,
    systemAssigned: opts.systemAssigned,
    userAssigned: opts.userAssigned,
    requests,
    stop: () => new Promise((r) => server.close(() => r())),
  };
}
