import { createServer as createHttpsServer } from 'node:https';
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { TestCa } from './tls.js';
import { Faults, json, readBody } from './faults.js';
import { principalOf, type Entra } from './entra.js';
import { createRegistryTokenMinter } from './registry-jwt.js';
import { startRegistry, freePort, type TestRegistry } from '../helpers/registry.js';

/**
 * Azure Container Registry in front of the real distribution registry: an
 * HTTPS login server that serves ACR's /oauth2/exchange (Entra access token →
 * refresh token, for principals with AcrPush/AcrPull) and /oauth2/token
 * (repository-scoped access tokens for refresh tokens or scope-map tokens),
 * and proxies /v2/ to distribution, which is configured with `auth: token`
 * and validates every JWT minted here.
 */
export interface Acr {
  /** The login server, host:port (HTTPS with the test CA). */
  host: string;
  /** The upstream distribution registry (plain HTTP, for test setup only). */
  upstream: TestRegistry;
  /** Basic credentials with push on every repository, for test setup against `upstream`. */
  admin: { username: string; password: string };
  faults: Faults;
  /** Every refresh and access token minted: for leak checks. */
  issued: string[];
  exchanges: number;
  /** The Entra token audience the exchange accepts, which differs per cloud. */
  audience: string;
  assignRole(objectId: string, role: 'AcrPush' | 'AcrPull'): void;
  /** A refresh token for a principal, as /oauth2/exchange hands out (what `az acr login` keeps). */
  issueRefreshToken(objectId: string): string;
  /** A repository-scoped token (scope map), used with basic auth. */
  addScopeMapToken(username: string, password: string, repositories: Record<string, ('pull' | 'push')[]>): void;
  stop(): Promise<void>;
}

export async function startAcr(tls: TestCa, entra: Entra, dir: string): Promise<Acr> {
  const minter = await createRegistryTokenMinter(dir, 'notary-sign-test-acr');
  const { issuer, rootCertBundlePath } = minter;
  const roles = new Map<string, 'AcrPush' | 'AcrPull'>();
  const refreshTokens = new Map<string, string>(); // token -> oid
  const scopeMaps = new Map<string, { password: string; repositories: Record<string, string[]> }>();
  const admin = { username: 'setup-admin', password: randomBytes(12).toString('hex') };
  scopeMaps.set(admin.username, { password: admin.password, repositories: { '*': ['pull', 'push'] } });
  const faults = new Faults();
  const state = { issued: [] as string[], exchanges: 0, audience: 'https://containerregistry.azure.net' };

  const proxyPort = await freePort();
  const httpPort = await freePort();
  const host = `127.0.0.1:${proxyPort}`;

  const tokenHandler = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'https://x');
    const auth = req.headers.authorization ?? '';
    let allowedFor: (repo: string) => string[] = () => [];
    if (req.method === 'POST') {
      // Azure/acr docs/AAD-OAuth.md "Getting an access token": POST /oauth2/token, form grant_type=refresh_token,
      // service, scope, refresh_token (what `az acr login` stores as docker's identitytoken).
      const form = new URLSearchParams((await readBody(req)).toString());
      if (form.get('grant_type') !== 'refresh_token')
        return json(res, 400, { errors: [{ code: 'UNSUPPORTED', message: 'grant_type must be refresh_token' }] });
      if (form.get('service') !== host) return json(res, 400, { errors: [{ code: 'INVALID', message: `service must be ${host}` }] });
      const oid = refreshTokens.get(form.get('refresh_token') ?? '');
      const role = oid ? roles.get(oid) : undefined;
      if (!role) return json(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'invalid refresh token' }] });
      for (const scope of form.getAll('scope')) url.searchParams.append('scope', scope);
      url.searchParams.set('service', host);
      allowedFor = () => (role === 'AcrPush' ? ['pull', 'push'] : ['pull']);
    } else if (auth.startsWith('Basic ')) {
      const decoded = Buffer.from(auth.slice(6), 'base64').toString();
      const i = decoded.indexOf(':');
      const [user, pass] = [decoded.slice(0, i), decoded.slice(i + 1)];
      if (user === '00000000-0000-0000-0000-000000000000') {
        const oid = refreshTokens.get(pass);
        const role = oid ? roles.get(oid) : undefined;
        if (!role) return json(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] });
        allowedFor = () => (role === 'AcrPush' ? ['pull', 'push'] : ['pull']);
      } else {
        const map = scopeMaps.get(user);
        if (!map || map.password !== pass)
          return json(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] });
        allowedFor = (repo) => map.repositories[repo] ?? map.repositories['*'] ?? [];
      }
    } else {
      return json(
        res,
        401,
        { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] },
        { 'www-authenticate': `Basic realm="${host}"` },
      );
    }
    const access = url.searchParams.getAll('scope').flatMap((scope) => {
      const [type, name, actions] = scope.split(':');
      if (type !== 'repository' || !name) return [];
      const granted = (actions ?? '').split(',').filter((a) => allowedFor(name).includes(a));
      return [{ type, name, actions: granted }];
    });
    const token = await minter.mint(url.searchParams.get('service') ?? host, 'acr-principal', access);
    state.issued.push(token);
    json(res, 200, { access_token: token, token });
  };

  const exchangeHandler = async (req: IncomingMessage, res: ServerResponse) => {
    state.exchanges++;
    const form = new URLSearchParams((await readBody(req)).toString());
    if (form.get('grant_type') !== 'access_token')
      return json(res, 400, { errors: [{ code: 'UNSUPPORTED', message: 'grant_type must be access_token' }] });
    if (form.get('service') !== host) return json(res, 400, { errors: [{ code: 'INVALID', message: `service must be ${host}` }] });
    // The Entra token's audience: containerregistry.azure.net in the public cloud, the cloud's ARM audience
    // elsewhere (@azure/container-registry KnownContainerRegistryAudience, README "National Clouds").
    const principal = await principalOf(entra, `Bearer ${form.get('access_token') ?? ''}`, state.audience);
    if ('error' in principal) return json(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: principal.error }] });
    if (!roles.has(principal.oid))
      return json(res, 401, {
        errors: [{ code: 'UNAUTHORIZED', message: `principal ${principal.oid} has no role assignment on this registry` }],
      });
    const refresh = randomBytes(32).toString('base64url');
    refreshTokens.set(refresh, principal.oid);
    state.issued.push(refresh);
    json(res, 200, { refresh_token: refresh });
  };

  // Assigned once the front server is listening (the registry needs its port for the token realm).
  // eslint-disable-next-line prefer-const -- declared before the proxy closure that reads it
  let upstream: TestRegistry | undefined;
  const proxy = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req, 16 << 20);
    const headers = { ...req.headers, host, 'x-forwarded-proto': 'https', 'content-length': String(body.length) };
    delete headers['transfer-encoding'];
    const up = httpRequest(
      { host: '127.0.0.1', port: Number(upstream!.host.split(':')[1]), method: req.method, path: req.url, headers },
      (ur) => {
        const out = { ...ur.headers };
        if (typeof out['www-authenticate'] === 'string')
          out['www-authenticate'] = out['www-authenticate'].replace(/realm="[^"]*"/, `realm="https://${host}/oauth2/token"`);
        res.writeHead(ur.statusCode ?? 502, out);
        ur.pipe(res);
      },
    );
    up.on('error', () => json(res, 502, { errors: [{ code: 'UNAVAILABLE', message: 'upstream error' }] }));
    up.end(body);
  };

  const front = createHttpsServer({ key: tls.server.key, cert: tls.server.cert }, async (req, res) => {
    if ((await faults.apply(req, res)) === 'handled') return;
    const path = new URL(req.url ?? '/', 'https://x').pathname;
    if (path === '/oauth2/exchange' && req.method === 'POST') return void (await exchangeHandler(req, res));
    if (path === '/oauth2/token') return void (await tokenHandler(req, res));
    await proxy(req, res);
  });
  const setup = createHttpServer((req, res) => void tokenHandler(req, res));
  await new Promise<void>((r) => front.listen(proxyPort, '127.0.0.1', r));
  await new Promise<void>((r) => setup.listen(httpPort, '127.0.0.1', r));
  upstream = await startRegistry({
    tokenAuth: { realm: `http://127.0.0.1:${httpPort}/oauth2/token`, service: host, issuer, rootCertBundlePath },
  });

  return {
    host,
    upstream,
    admin,
    faults,
    get issued() {
      return state.issued;
    },
    get exchanges() {
      return state.exchanges;
    },
    get audience() {
      return state.audience;
    },
    set audience(v: string) {
      state.audience = v;
    },
    assignRole: (oid, role) => void roles.set(oid, role),
    issueRefreshToken: (oid) => {
      const refresh = randomBytes(32).toString('base64url');
      refreshTokens.set(refresh, oid);
      state.issued.push(refresh);
      return refresh;
    },
    addScopeMapToken: (username, password, repositories) => void scopeMaps.set(username, { password, repositories }),
    stop: async () => {
      await upstream?.stop();
      await new Promise<void>((r) => front.close(() => r()));
      await new Promise<void>((r) => setup.close(() => r()));
    },
  };
}
