import { createServer, type Server } from 'node:http';
import { createRegistryTokenMinter } from './registry-jwt.js';
import { readBody } from './faults.js';
import { freePort } from '../helpers/registry.js';

/**
 * The docker token service in front of a real distribution registry: the
 * registry is configured with `auth: token` and validates the JWTs minted
 * here against the certificate we write into its rootcertbundle.
 */
export interface RegistryTokenServer {
  realm: string;
  service: string;
  issuer: string;
  rootCertBundlePath: string;
  /** Every token issued, so tests can check none leaks into logs. */
  issued: string[];
  requests: number;
  stop(): Promise<void>;
}

export async function startRegistryTokenServer(
  dir: string,
  users: Record<string, string>,
  /** OAuth2 refresh tokens (docker's identitytoken) → user. */
  refreshTokens: Record<string, string> = {},
): Promise<RegistryTokenServer> {
  const minter = await createRegistryTokenMinter(dir, 'notary-sign-test-token-issuer');
  const { issuer, rootCertBundlePath } = minter;
  const service = 'notary-sign-test-registry';
  const state = { issued: [] as string[], requests: 0 };

  const server: Server = createServer(async (req, res) => {
    state.requests++;
    const url = new URL(req.url ?? '/', 'http://x');
    const auth = req.headers.authorization;
    let user: string | undefined;
    if (req.method === 'POST') {
      // distribution docs/spec/auth/oauth.md: POST form with grant_type=refresh_token, refresh_token, service,
      // scope (space-separated or repeated) and client_id; invalid grants answer 401.
      const form = new URLSearchParams((await readBody(req)).toString());
      if (form.get('grant_type') !== 'refresh_token' || !form.get('client_id')) {
        res.writeHead(400, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ error: 'invalid_request' }));
      }
      user = refreshTokens[form.get('refresh_token') ?? ''];
      for (const scope of form.getAll('scope').flatMap((s) => s.split(' '))) url.searchParams.append('scope', scope);
      if (form.get('service')) url.searchParams.set('service', form.get('service')!);
      // GET realm?service=…&scope=… with Basic credentials → {token, access_token, expires_in, issued_at} (distribution docs/spec/auth/token.md).
    } else if (auth?.startsWith('Basic ')) {
      const [u, ...p] = Buffer.from(auth.slice(6), 'base64').toString().split(':');
      if (u && users[u] !== undefined && users[u] === p.join(':')) user = u;
    }
    if (!user) {
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="token"' });
      return void res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'invalid credentials' }] }));
    }
    // distribution docs/spec/auth/scope.md: type ":" name ":" actions, where the name may hold a host:port (a notary GUN).
    const access = url.searchParams.getAll('scope').map((scope) => {
      const first = scope.indexOf(':');
      const last = scope.lastIndexOf(':');
      const actions = last > first ? scope.slice(last + 1) : '';
      return {
        type: scope.slice(0, first),
        name: scope.slice(first + 1, last > first ? last : undefined),
        actions: actions.split(',').filter(Boolean),
      };
    });
    const token = await minter.mint(url.searchParams.get('service') ?? service, user, access);
    state.issued.push(token);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }));
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    rootCertBundlePath,
    get issued() {
      return state.issued;
    },
    get requests() {
      return state.requests;
    },
    stop: () => new Promise((r) => server.close(() => r())),
  };
}
