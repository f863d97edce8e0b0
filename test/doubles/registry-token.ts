import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { SignJWT, importPKCS8 } from 'jose';
import { issueCertificate } from '../../src/pki/test-certs.js';
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

export async function startRegistryTokenServer(dir: string, users: Record<string, string>): Promise<RegistryTokenServer> {
  const signer = await issueCertificate({ subject: 'CN=token-signer', ca: true, key: 'EC-256' });
  const rootCertBundlePath = join(dir, 'token-root.pem');
  await writeFile(rootCertBundlePath, signer.certPem);
  const key = await importPKCS8(signer.keyPem, 'ES256');
  const service = 'notary-sign-test-registry';
  const issuer = 'notary-sign-test-token-issuer';
  const state = { issued: [] as string[], requests: 0 };

  const server: Server = createServer(async (req, res) => {
    state.requests++;
    const url = new URL(req.url ?? '/', 'http://x');
    const auth = req.headers.authorization;
    let user: string | undefined;
    if (auth?.startsWith('Basic ')) {
      const [u, ...p] = Buffer.from(auth.slice(6), 'base64').toString().split(':');
      if (u && users[u] !== undefined && users[u] === p.join(':')) user = u;
    }
    if (!user) {
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="token"' });
      return void res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'invalid credentials' }] }));
    }
    const access = url.searchParams.getAll('scope').map((scope) => {
      const [type, name, actions] = scope.split(':');
      return { type, name, actions: (actions ?? '').split(',').filter(Boolean) };
    });
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ access })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT', x5c: [signer.der.toString('base64')] })
      .setIssuer(issuer)
      .setSubject(user)
      .setAudience(url.searchParams.get('service') ?? service)
      .setIssuedAt(now)
      .setNotBefore(now - 10)
      .setExpirationTime(now + 300)
      .setJti(randomUUID())
      .sign(key);
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
