import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { createHttpHeaders } from '@azure/core-rest-pipeline';
import { KeyClient } from '@azure/keyvault-keys';
import { askVaultChallenge, KEY_VAULT_API_VERSION, replayVaultChallenge } from '../../src/azure/vault-challenge.js';

const TENANT = '72f988bf-0000-4000-8000-00000000face';
const CHALLENGE = `Bearer authorization="https://login.microsoftonline.com/${TENANT}", resource="https://vault.azure.net"`;

let server: Server;
let base = '';
const seen: string[] = [];
before(async () => {
  // A vault's answers to an unauthenticated request: its challenge, or (per path) what a misconfigured one sends.
  server = createServer((req, res) => {
    seen.push(req.url ?? '');
    if (req.url?.startsWith('/keys/plain')) return void res.writeHead(400).end('{}');
    res.writeHead(401, { 'www-authenticate': CHALLENGE, 'content-type': 'application/json' }).end('{"error":{"code":"Unauthorized"}}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

test("the vault's challenge: asked with the Key Vault library's api-version, read as keyvault-common reads it", async () => {
  const challenge = await askVaultChallenge(`${base}/keys/release`, { verifyResource: false });
  assert.deepEqual(challenge, { header: CHALLENGE, scope: 'https://vault.azure.net/.default', tenantId: TENANT });
  assert.equal(new URL(seen.at(-1)!, base).searchParams.get('api-version'), KEY_VAULT_API_VERSION);
});

test('no challenge asked ahead: a vault that names a resource outside its own domain, no 401, or no answer', async () => {
  // The domain check the Key Vault clients make: a loopback host is not under vault.azure.net.
  assert.equal(await askVaultChallenge(`${base}/keys/release`, { verifyResource: true }), undefined);
  assert.equal(await askVaultChallenge(`${base}/keys/plain`, { verifyResource: false }), undefined);
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  assert.equal(await askVaultChallenge(`http://127.0.0.1:${port}/keys/release`, { verifyResource: false }), undefined);
});

/** A KeyClient whose requests end at `network` (a policy after ours), signing in with `getToken`. */
function keyClient(challenge: Parameters<typeof replayVaultChallenge>[1], network: PipelinePolicy, tokens: unknown[][]) {
  const credential = {
    getToken: (scopes: string | string[], options?: { tenantId?: string }) => {
      tokens.push([scopes, options?.tenantId]);
      return Promise.resolve({ token: 'vault-token', expiresOnTimestamp: Date.now() + 3_600_000 });
    },
  };
  return new KeyClient('https://contoso.vault.azure.net', credential, {
    retryOptions: { maxRetries: 0 },
    additionalPolicies: [
      { policy: replayVaultChallenge('https://contoso.vault.azure.net', challenge, createHttpHeaders), position: 'perRetry' },
      { policy: network, position: 'perRetry' },
    ],
  });
}

test("a Key Vault client given the challenge asked ahead sends no unauthenticated request of its own; the sign-in is the challenge's", async () => {
  const sent: { auth: string | undefined; apiVersion: string | null }[] = [];
  const network: PipelinePolicy = {
    name: 'network',
    sendRequest: (request) => {
      sent.push({ auth: request.headers.get('authorization'), apiVersion: new URL(request.url).searchParams.get('api-version') });
      return Promise.resolve({
        request,
        status: 404,
        headers: createHttpHeaders({ 'content-type': 'application/json' }),
        bodyAsText: '{}',
      });
    },
  };
  const tokens: unknown[][] = [];
  const client = keyClient(
    Promise.resolve({ header: CHALLENGE, scope: 'https://vault.azure.net/.default', tenantId: TENANT }),
    network,
    tokens,
  );
  await assert.rejects(client.getKey('release'), { statusCode: 404 });
  assert.deepEqual(sent, [{ auth: 'Bearer vault-token', apiVersion: KEY_VAULT_API_VERSION }], 'one request, authorised');
  assert.deepEqual(tokens, [[['https://vault.azure.net/.default'], TENANT]]);
});

test('with no challenge asked ahead, the client asks the vault itself', async () => {
  const sent: (string | undefined)[] = [];
  const network: PipelinePolicy = {
    name: 'network',
    sendRequest: (request) => {
      const auth = request.headers.get('authorization');
      sent.push(auth);
      const headers = createHttpHeaders(auth ? {} : { 'www-authenticate': CHALLENGE });
      return Promise.resolve({ request, status: auth ? 404 : 401, headers, bodyAsText: '{}' });
    },
  };
  const client = keyClient(Promise.resolve(undefined), network, []);
  await assert.rejects(client.getKey('release'), { statusCode: 404 });
  assert.deepEqual(sent, [undefined, 'Bearer vault-token'], 'its own challenge, then the authorised request');
});
