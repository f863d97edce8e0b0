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
  ado: { issuer: JwtIssuer; oidcRequestUri: string; systemAccessToken: string; serviceConnectionId: string; subject: string };
  faults: Faults;
  stop(): Promise<void>;
}

export async function startCiOidc(tls: TestCa, opts: { githubSubject?: string; adoSubject?: string } = {}): Promise<CiOidc> {
  const github = await JwtIssuer.create('https://token.actions.githubusercontent.com');
  const ado = await JwtIssuer.create('https://vstoken.dev.azure.com/11111111-2222-3333-4444-555555555555');
  const requestToken = `ghs_${randomBytes(18).toString('hex')}`;
  const systemAccessToken = `ado-${randomBytes(24).toString('hex')}`;
  const serviceConnectionId = '6d3a1c2e-0000-4000-8000-00000000c0de';
  const githubSubject = opts.githubSubject ?? 'repo:contoso/app:ref:refs/heads/main';
  const adoSubject = opts.adoSubject ?? 'sc://contoso/app/notary-signing';
  const faults = new Faults();

  const server = createServer({ key: tls.server.key, cert: tls.server.cert }, async (req, res) => {
    if ((await faults.apply(req, res)) === 'handled') return;
    const url = new URL(req.url ?? '/', 'https://x');
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
    if (url.pathname === '/ado/oidctoken' && req.method === 'POST') {
      if (url.searchParams.get('api-version') !== '7.1') return json(res, 400, { message: 'api-version 7.1 required' });
      if (req.headers.authorization !== `Bearer ${systemAccessToken}`)
        return json(res, 401, { message: 'TF400813: The user is not authorized to access this resource.' });
      if (url.searchParams.get('serviceConnectionId') !== serviceConnectionId)
        return json(res, 404, { message: 'service connection not found' });
      const oidcToken = await ado.sign({ sub: adoSubject, aud: 'api://AzureADTokenExchange' }, 600);
      return json(res, 200, { oidcToken });
    }
    json(res, 404, { message: 'not found' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  const base = `https://127.0.0.1:${port}`;
  return {
    github: { issuer: github, requestUrl: `${base}/github/token?api-version=2.0`, requestToken, subject: githubSubject },
    ado: { issuer: ado, oidcRequestUri: `${base}/ado/oidctoken`, systemAccessToken, serviceConnectionId, subject: adoSubject },
    faults,
    stop: () => new Promise((r) => server.close(() => r())),
  };
}
