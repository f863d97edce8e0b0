import { createServer } from 'node:https';
import { randomBytes } from 'node:crypto';
import type { TestCa } from './tls.js';
import { Faults, json } from './faults.js';
import { JwtIssuer } from './jwt.js';

/**
 * The two CI token endpoints a federated credential trusts:
 * GitHub's ACTIONS_ID_TOKEN_REQUEST_URL (GET, `bearer` request token, audience
 * query) and Azure DevOps' System.OidcRequestUri (POST, api-version 7.1,
 * serviceConnectionId, Bearer System.AccessToken). Each signs real JWTs with
 * the claims the real service puts in them.
 */
export interface CiOidc {
  github: { issuer: JwtIssuer; requestUrl: string; requestToken: string; subject: string };
  ado: {
    issuer: JwtIssuer;
    oidcRequestUri: string;
    systemAccessToken: string;
    serviceConnectionId: string;
    subject: string;
    /** The Microsoft Entra issuer that new (and converted) service connections use, and its subject. */
    entraIssuer: JwtIssuer;
    entraSubject: string;
    /** Which issuer signs the tokens handed out: the Azure DevOps one (vstoken) or Microsoft Entra. */
    issuerMode: 'azure-devops' | 'entra';
  };
  faults: Faults;
  stop(): Promise<void>;
}

export async function startCiOidc(
  tls: TestCa,
  opts: { githubSubject?: string; adoSubject?: string; tenantId?: string; adoClientId?: string } = {},
): Promise<CiOidc> {
  const github = await JwtIssuer.create('https://token.actions.githubusercontent.com');
  const organizationId = '11111111-2222-3333-4444-555555555555';
  // The Azure DevOps issuer (retiring) and the Microsoft Entra issuer that new service connections use:
  // learn.microsoft.com "Convert service connections to use the Microsoft Entra issuer" (azure/devops/pipelines/
  // release/convert-service-connections): https://vstoken.dev.azure.com/<organization id> versus
  // https://login.microsoftonline.com/<tenant id>/v2.0, with the subject the connection shows,
  // /eid1/c/pub/t/<tenant>/a/<application>/sc/<organization id>/<service connection id>.
  const ado = await JwtIssuer.create(`https://vstoken.dev.azure.com/${organizationId}`);
  const tenantId = opts.tenantId ?? '72f988bf-0000-4000-8000-00000000face';
  const entraIssuer = await JwtIssuer.create(`https://login.microsoftonline.com/${tenantId}/v2.0`);
  const b64 = (guid: string) => Buffer.from(guid.replace(/-/g, ''), 'hex').toString('base64url');
  const requestToken = `ghs_${randomBytes(18).toString('hex')}`;
  const systemAccessToken = `ado-${randomBytes(24).toString('hex')}`;
  const serviceConnectionId = '6d3a1c2e-0000-4000-8000-00000000c0de';
  const githubSubject = opts.githubSubject ?? 'repo:contoso/app:ref:refs/heads/main';
  const adoSubject = opts.adoSubject ?? 'sc://contoso/app/notary-signing';
  const entraSubject = `/eid1/c/pub/t/${b64(tenantId)}/a/${b64(opts.adoClientId ?? '00000000-0000-0000-0000-000000000000')}/sc/${organizationId}/${serviceConnectionId}`;
  const state = { issuerMode: 'azure-devops' as 'azure-devops' | 'entra' };
  const faults = new Faults();

  const server = createServer({ key: tls.server.key, cert: tls.server.cert }, async (req, res) => {
    if ((await faults.apply(req, res)) === 'handled') return;
    const url = new URL(req.url ?? '/', 'https://x');
    // GitHub: GET ACTIONS_ID_TOKEN_REQUEST_URL&audience=… with `bearer` ACTIONS_ID_TOKEN_REQUEST_TOKEN → {count, value} (@actions/core src/oidc-utils.ts; GitHub docs "About security hardening with OpenID Connect" for the claims).
    if (url.pathname === '/github/token' && req.method === 'GET') {
      if (req.headers.authorization !== `bearer ${requestToken}` && req.headers.authorization !== `Bearer ${requestToken}`)
        return json(res, 401, { message: 'Bad credentials' });
      const audience = url.searchParams.get('audience') ?? 'https://github.com/contoso';
      const value = await github.sign(
        {
          sub: githubSubject,
          aud: audience,
          repository: 'contoso/app',
          ref: 'refs/heads/main',
          repository_owner: 'contoso',
          workflow: 'release',
          run_id: '4242',
          sha: 'deadbeef',
        },
        300,
      );
      return json(res, 200, { count: value.length, value });
    }
    // Azure DevOps: POST System.OidcRequestUri?api-version=7.1&serviceConnectionId=… with Bearer System.AccessToken → {oidcToken} (@azure/identity src/credentials/azurePipelinesCredential.ts).
    if (url.pathname === '/ado/oidctoken' && req.method === 'POST') {
      if (url.searchParams.get('api-version') !== '7.1') return json(res, 400, { message: 'api-version 7.1 required' });
      if (req.headers.authorization !== `Bearer ${systemAccessToken}`)
        return json(res, 401, { message: 'TF400813: The user is not authorized to access this resource.' });
      if (url.searchParams.get('serviceConnectionId') !== serviceConnectionId)
        return json(res, 404, { message: 'service connection not found' });
      const oidcToken =
        state.issuerMode === 'entra'
          ? await entraIssuer.sign({ sub: entraSubject, aud: 'api://AzureADTokenExchange' }, 600)
          : await ado.sign({ sub: adoSubject, aud: 'api://AzureADTokenExchange' }, 600);
      return json(res, 200, { oidcToken });
    }
    json(res, 404, { message: 'not found' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  const base = `https://127.0.0.1:${port}`;
  return {
    github: { issuer: github, requestUrl: `${base}/github/token?api-version=2.0`, requestToken, subject: githubSubject },
    ado: {
      issuer: ado,
      oidcRequestUri: `${base}/ado/oidctoken`,
      systemAccessToken,
      serviceConnectionId,
      subject: adoSubject,
      entraIssuer,
      entraSubject,
      get issuerMode() {
        return state.issuerMode;
      },
      set issuerMode(v: 'azure-devops' | 'entra') {
        state.issuerMode = v;
      },
    },
    faults,
    stop: () => new Promise((r) => server.close(() => r())),
  };
}
