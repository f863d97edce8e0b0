import { createServer } from 'node:https';
import { randomUUID } from 'node:crypto';
import { errors as joseErrors, jwtVerify } from 'jose';
import type { TestCa } from './tls.js';
import { Faults, json, readBody } from './faults.js';
import { JwtIssuer } from './jwt.js';

/**
 * Entra ID for one tenant: OIDC metadata and the v2.0 token endpoint for the
 * client-credentials grant with a federated client assertion. It checks the
 * assertion the way Entra checks a federated identity credential (signature by
 * a trusted issuer, iss, sub, aud api://AzureADTokenExchange, lifetime) and
 * answers with Entra's AADSTS error codes.
 */
export interface FederatedCredential {
  issuer: string;
  subject: string;
  audience?: string;
}
export interface EntraApp {
  clientId: string;
  objectId: string;
  federated: FederatedCredential[];
}

export interface Entra {
  authorityHost: string;
  tenantId: string;
  issuer: JwtIssuer;
  faults: Faults;
  /** Tokens issued (access tokens): for leak checks. */
  issued: string[];
  tokenRequests: number;
  /** Next tokens are issued already expired (while still claiming an hour). */
  issueExpired: boolean;
  stop(): Promise<void>;
}

export async function startEntra(tls: TestCa, opts: { tenantId?: string; apps: EntraApp[]; trustedIssuers: JwtIssuer[] }): Promise<Entra> {
  const tenantId = opts.tenantId ?? '72f988bf-0000-4000-8000-00000000face';
  const issuer = await JwtIssuer.create(`https://sts.windows.net/${tenantId}/`);
  const faults = new Faults();
  const state = { tokenRequests: 0, issueExpired: false };
  let base = '';

  const aadError = (res: Parameters<typeof json>[0], status: number, error: string, code: string, description: string) =>
    json(res, status, {
      error,
      error_description: `${code}: ${description} Trace ID: ${randomUUID()} Correlation ID: ${randomUUID()} Timestamp: ${new Date().toISOString()}`,
      error_codes: [Number(code.slice(6))],
    });

  const server = createServer({ key: tls.server.key, cert: tls.server.cert }, async (req, res) => {
    if ((await faults.apply(req, res)) === 'handled') return;
    const url = new URL(req.url ?? '/', 'https://x');
    const m = /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|oauth2\/v2\.0\/token)$/.exec(url.pathname);
    if (!m) return json(res, 404, { error: 'not_found' });
    const [, tenant, what] = m;
    // Unknown tenants and apps answer with their AADSTS codes (learn.microsoft.com "Microsoft Entra authentication and authorization error codes").
    if (tenant !== tenantId) return aadError(res, 400, 'invalid_request', 'AADSTS90002', `Tenant '${tenant}' not found.`);
    if (what!.startsWith('v2.0')) {
      return json(res, 200, {
        issuer: `${base}/${tenantId}/v2.0`,
        token_endpoint: `${base}/${tenantId}/oauth2/v2.0/token`,
        authorization_endpoint: `${base}/${tenantId}/oauth2/v2.0/authorize`,
        jwks_uri: `${base}/${tenantId}/discovery/v2.0/keys`,
        response_types_supported: ['code', 'id_token', 'token'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        tenant_region_scope: 'NA',
      });
    }
    if (req.method !== 'POST') return json(res, 405, { error: 'method_not_allowed' });
    state.tokenRequests++;
    const form = new URLSearchParams((await readBody(req)).toString());
    const clientId = form.get('client_id') ?? '';
    const app = opts.apps.find((a) => a.clientId === clientId);
    if (!app)
      return aadError(
        res,
        400,
        'unauthorized_client',
        'AADSTS700016',
        `Application with identifier '${clientId}' was not found in the directory '${tenantId}'.`,
      );
    // Client credentials with a client assertion (learn.microsoft.com "Microsoft identity platform application authentication certificate credentials").
    if (form.get('grant_type') !== 'client_credentials')
      return aadError(res, 400, 'unsupported_grant_type', 'AADSTS70003', 'The app requested an unsupported grant type.');
    if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') {
      return aadError(
        res,
        401,
        'invalid_client',
        'AADSTS7000218',
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      );
    }
    // The scope must be <resource>/.default in the client credentials flow (AADSTS1002012).
    const scope = form.get('scope') ?? '';
    const resource = scope
      .split(' ')
      .find((s) => s.endsWith('/.default'))
      ?.slice(0, -'/.default'.length);
    if (!resource)
      return aadError(
        res,
        400,
        'invalid_scope',
        'AADSTS1002012',
        `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.`,
      );

    // The federated identity credential check.
    const assertion = form.get('client_assertion') ?? '';
    let claims: { iss?: string; sub?: string; aud?: string | string[] };
    try {
      const header = JSON.parse(Buffer.from(assertion.split('.')[0] ?? '', 'base64url').toString()) as { kid?: string };
      const unverified = JSON.parse(Buffer.from(assertion.split('.')[1] ?? '', 'base64url').toString()) as { iss?: string };
      const trusted = opts.trustedIssuers.find((i) => i.issuer === unverified.iss && i.kid === header.kid);
      if (!trusted)
        return aadError(
          res,
          401,
          'invalid_client',
          'AADSTS700211',
          `No matching federated identity record found for presented assertion issuer '${unverified.iss}'.`,
        );
      ({ payload: claims } = await jwtVerify(assertion, trusted.publicKey, { issuer: trusted.issuer, algorithms: ['RS256'] }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired)
        return aadError(res, 400, 'invalid_client', 'AADSTS700024', 'Client assertion is not within its valid time range.');
      return aadError(res, 401, 'invalid_client', 'AADSTS50027', `JWT token is invalid or malformed.`);
    }
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    // Federated identity credential: issuer, subject and audience must match one exactly (learn.microsoft.com "Workload identity federation", AADSTS70021).
    const match = app.federated.find(
      (f) => f.issuer === claims.iss && f.subject === claims.sub && audiences.includes(f.audience ?? 'api://AzureADTokenExchange'),
    );
    if (!match) {
      return aadError(
        res,
        401,
        'invalid_client',
        'AADSTS70021',
        `No matching federated identity record found for presented assertion. Assertion Issuer: '${claims.iss}'. Assertion Subject: '${claims.sub}'. Assertion Audience: '${audiences.join(',')}'.`,
      );
    }
    const now = Math.floor(Date.now() / 1000);
    const accessToken = await issuer.sign(
      { aud: resource, tid: tenantId, appid: clientId, azp: clientId, oid: app.objectId, sub: app.objectId, ver: '1.0', idtyp: 'app' },
      3600,
      state.issueExpired ? now - 7200 : now,
    );
    return json(res, 200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: accessToken });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    authorityHost: base,
    tenantId,
    issuer,
    faults,
    get issued() {
      return issuer.issued;
    },
    get tokenRequests() {
      return state.tokenRequests;
    },
    get issueExpired() {
      return state.issueExpired;
    },
    set issueExpired(v: boolean) {
      state.issueExpired = v;
    },
    stop: () => new Promise((r) => server.close(() => r())),
  };
}

/** Validate an Entra access token for `resource`; the principal's object id, or an error string. */
export async function principalOf(
  entra: Entra,
  authorization: string | undefined,
  resource: string,
): Promise<{ oid: string; appid: string } | { error: string; expired?: boolean }> {
  if (!authorization?.startsWith('Bearer ')) return { error: 'missing bearer token' };
  try {
    const { payload } = await entra.issuer.verify(authorization.slice(7), resource);
    if (payload.tid !== entra.tenantId) return { error: 'token from another tenant' };
    return { oid: String(payload.oid), appid: String(payload.appid) };
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) return { error: 'the token is expired', expired: true };
    if (err instanceof joseErrors.JWTClaimValidationFailed && err.claim === 'aud')
      return { error: `the token audience is not ${resource}` };
    return { error: `invalid token (${(err as Error).message})` };
  }
}
