import { createServer as createHttpsServer } from 'node:https';
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
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
 * and validates every JWT minted here. In front of it, the OCI referrers API
 * that ACR serves (learn.microsoft.com "Push and pull supply chain artifacts
 * using Azure Container Registry"; opencontainers/distribution-spec v1.1
 * spec.md "Listing Referrers"), which distribution 2.8 lacks: manifests with a
 * `subject` are indexed as they are pushed.
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
  /** Whether GET /v2/<name>/referrers/<digest> is served (ACR: yes). */
  referrersApi: boolean;
  /** Whether a manifest PUT with a subject is answered with OCI-Subject (the product must work either way). */
  ociSubjectHeader: boolean;
  /**
   * A notary-server (http://host:port) behind /v2/<login server>/<repository>/_trust/: ACR serves Docker Content
   * Trust data at the login server itself, under the registry's own pull access (learn.microsoft.com "Content
   * trust in Azure Container Registry": docker trust talks to the registry as its notary server).
   */
  trustServer: string | undefined;
  /** The referrers indexed for a subject, for test assertions. */
  referrersOf(repository: string, subject: string): { digest: string; artifactType?: string }[];
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
  const state = {
    trustServer: undefined as string | undefined,
    issued: [] as string[],
    exchanges: 0,
    audience: 'https://containerregistry.azure.net',
    referrersApi: true,
    ociSubjectHeader: true,
  };
  // `${repository}@${subject digest}` → descriptors of the manifests that name it as subject.
  const referrers = new Map<string, Record<string, unknown>[]>();

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
      // A refresh token as the password of the all-zero user (Azure/acr docs/AAD-OAuth.md; what `docker login` with a token does).
      if (user === '00000000-0000-0000-0000-000000000000') {
        const oid = refreshTokens.get(pass);
        const role = oid ? roles.get(oid) : undefined;
        if (!role) return json(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] });
        allowedFor = () => (role === 'AcrPush' ? ['pull', 'push'] : ['pull']);
      } else {
        // Repository-scoped tokens from scope maps, Basic auth (learn.microsoft.com "Create a token with repository-scoped permissions").
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
    // The intersection of what is asked and what the identity holds; a subset is not an error
    // (distribution docs/content/spec/auth/token.md, "the token server ... will take the intersection").
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

  // POST /oauth2/exchange grant_type=access_token, service, tenant, access_token (Entra) → {refresh_token} (Azure/acr docs/AAD-OAuth.md).
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
  /** Forward a request (its body already read) to distribution, rewriting the token realm to this login server. */
  const proxyBody = (
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    onUpstream?: (status: number, headers: Record<string, string>) => void,
  ): Promise<void> =>
    new Promise((done) => {
      const headers = { ...req.headers, host, 'x-forwarded-proto': 'https', 'content-length': String(body.length) };
      delete headers['transfer-encoding'];
      const up = httpRequest(
        { host: '127.0.0.1', port: Number(upstream!.host.split(':')[1]), method: req.method, path: req.url, headers },
        (ur) => {
          const out = { ...ur.headers } as Record<string, string>;
          if (typeof out['www-authenticate'] === 'string')
            out['www-authenticate'] = out['www-authenticate'].replace(/realm="[^"]*"/, `realm="https://${host}/oauth2/token"`);
          onUpstream?.(ur.statusCode ?? 502, out);
          res.writeHead(ur.statusCode ?? 502, out);
          ur.pipe(res);
          ur.on('end', () => done());
        },
      );
      up.on('error', () => (json(res, 502, { errors: [{ code: 'UNAVAILABLE', message: 'upstream error' }] }), done()));
      up.end(body);
    });
  const proxy = async (req: IncomingMessage, res: ServerResponse) => proxyBody(req, res, await readBody(req, 16 << 20));

  /** Status (and challenge) distribution gives this Authorization for a path: ACR's own access check, reused. */
  const upstreamStatus = (path: string, authorization: string | undefined): Promise<{ status: number; wwwAuthenticate?: string }> =>
    new Promise((resolve) => {
      const up = httpRequest(
        {
          host: '127.0.0.1',
          port: Number(upstream!.host.split(':')[1]),
          method: 'GET',
          path,
          headers: { host, 'x-forwarded-proto': 'https', ...(authorization ? { authorization } : {}) },
        },
        (ur) => {
          ur.resume();
          const challenge = ur.headers['www-authenticate'];
          resolve({ status: ur.statusCode ?? 502, ...(typeof challenge === 'string' ? { wwwAuthenticate: challenge } : {}) });
        },
      );
      up.on('error', () => resolve({ status: 502 }));
      up.end();
    });

  const front = createHttpsServer({ key: tls.server.key, cert: tls.server.cert }, async (req, res) => {
    if ((await faults.apply(req, res)) === 'handled') return;
    const path = new URL(req.url ?? '/', 'https://x').pathname;
    if (path === '/oauth2/exchange' && req.method === 'POST') return void (await exchangeHandler(req, res));
    if (path === '/oauth2/token') return void (await tokenHandler(req, res));
    const trustPath = /^\/v2\/(.+)\/_trust\/tuf\/[^?]+$/.exec(path);
    if (trustPath && req.method === 'GET' && state.trustServer) return void (await trustHandler(req, res, trustPath[1]!));
    const referrersPath = /^\/v2\/(.+)\/referrers\/(sha256:[0-9a-f]{64})$/.exec(path);
    if (referrersPath && req.method === 'GET' && state.referrersApi) return void (await referrersHandler(req, res, referrersPath));
    const manifestPut = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(path);
    if (manifestPut && req.method === 'PUT' && state.referrersApi) return void (await indexingPut(req, res, manifestPut[1]!));
    await proxy(req, res);
  });

  /** PUT a manifest upstream; when it names a subject and was stored, index it (and say so with OCI-Subject). */
  const indexingPut = async (req: IncomingMessage, res: ServerResponse, repository: string) => {
    const body = await readBody(req, 16 << 20);
    const parsed = (() => {
      try {
        return JSON.parse(body.toString()) as {
          mediaType?: string;
          artifactType?: string;
          config?: { mediaType?: string };
          subject?: { digest?: string };
          annotations?: Record<string, string>;
        };
      } catch {
        return undefined;
      }
    })();
    const subject = parsed?.subject?.digest;
    await proxyBody(req, res, body, (status, headers) => {
      if (status !== 201 || !subject) return;
      const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
      const key = `${repository}@${subject}`;
      const list = referrers.get(key) ?? [];
      if (!list.some((d) => d.digest === digest)) {
        // distribution-spec "Listing Referrers": artifactType, else the config's media type; the manifest's annotations.
        list.push({
          mediaType: parsed?.mediaType ?? req.headers['content-type'],
          digest,
          size: body.length,
          ...(parsed?.artifactType || parsed?.config?.mediaType ? { artifactType: parsed?.artifactType ?? parsed?.config?.mediaType } : {}),
          ...(parsed?.annotations ? { annotations: parsed.annotations } : {}),
        });
        referrers.set(key, list);
      }
      // distribution-spec "Pushing Manifests with Subject": a registry that processed the subject says so.
      if (state.ociSubjectHeader) headers['oci-subject'] = subject;
    });
  };

  /** The client must be able to pull the repository (checked upstream with its own token); else ACR's challenge. */
  const pullDenied = async (req: IncomingMessage, res: ServerResponse, repository: string): Promise<boolean> => {
    const check = await upstreamStatus(`/v2/${repository}/tags/list`, req.headers.authorization);
    if (check.status !== 401 && check.status !== 403) return false;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (check.wwwAuthenticate)
      headers['www-authenticate'] = check.wwwAuthenticate.replace(/realm="[^"]*"/, `realm="https://${host}/oauth2/token"`);
    res.writeHead(check.status, headers);
    res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
    return true;
  };

  /** GET trust data: the GUN is <login server>/<repository>; pull access to the repository reads it. */
  const trustHandler = async (req: IncomingMessage, res: ServerResponse, gun: string) => {
    if (!gun.startsWith(`${host}/`)) return json(res, 404, { errors: [{ code: 'NAME_UNKNOWN', message: 'no such GUN here' }] });
    if (await pullDenied(req, res, gun.slice(host.length + 1))) return;
    const upstreamRes = await fetch(`${state.trustServer}${req.url}`);
    res.writeHead(upstreamRes.status, { 'content-type': upstreamRes.headers.get('content-type') ?? 'application/json' });
    res.end(Buffer.from(await upstreamRes.arrayBuffer()));
  };

  /** GET referrers: the client must be able to pull the repository (checked upstream with its own token). */
  const referrersHandler = async (req: IncomingMessage, res: ServerResponse, [, repository, subject]: RegExpExecArray) => {
    if (await pullDenied(req, res, repository!)) return;
    const artifactType = new URL(req.url ?? '/', 'https://x').searchParams.get('artifactType');
    const all = referrers.get(`${repository}@${subject}`) ?? [];
    const manifests = artifactType ? all.filter((d) => d.artifactType === artifactType) : all;
    // An image index, OCI-Filters-Applied naming the filter applied (distribution-spec "Listing Referrers").
    res.writeHead(200, {
      'content-type': 'application/vnd.oci.image.index.v1+json',
      ...(artifactType ? { 'oci-filters-applied': 'artifactType' } : {}),
    });
    res.end(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }));
  };
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
    get referrersApi() {
      return state.referrersApi;
    },
    get trustServer() {
      return state.trustServer;
    },
    set trustServer(v: string | undefined) {
      state.trustServer = v;
    },
    set referrersApi(v: boolean) {
      state.referrersApi = v;
    },
    get ociSubjectHeader() {
      return state.ociSubjectHeader;
    },
    set ociSubjectHeader(v: boolean) {
      state.ociSubjectHeader = v;
    },
    referrersOf: (repository, subject) =>
      (referrers.get(`${repository}@${subject}`) ?? []).map((d) => ({
        digest: d.digest as string,
        ...(typeof d.artifactType === 'string' ? { artifactType: d.artifactType } : {}),
      })),
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
