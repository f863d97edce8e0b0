import { createServer } from 'node:https';
import { execFile } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestCa } from './tls.js';
import { Faults, json, readBody } from './faults.js';
import { principalOf, type Entra } from './entra.js';
import { issueCertificate, type IssuedCert, type TestKeyType } from '../helpers/test-certs.js';

/**
 * Azure Key Vault (keys, certificates, secrets) over TLS: challenge-based
 * auth (401 + WWW-Authenticate first), Entra tokens checked for audience
 * https://vault.azure.net, per-principal per-object permissions, api-version
 * required, and real signatures: the private keys live only here and sign
 * digests with OpenSSL (RSASSA-PSS / ECDSA r||s), exactly what the REST API
 * returns.
 */
type Op = 'get' | 'sign';
export interface Grants {
  keys?: Record<string, Op[]>;
  certificates?: Record<string, 'get'[]>;
  secrets?: Record<string, 'get'[]>;
}
interface KeyVersion {
  version: string;
  pemPath: string;
  publicKey: KeyObject;
  kty: 'RSA' | 'EC';
}
interface CertVersion {
  version: string;
  keyVersion: string;
  der: Buffer;
  secret: { value: string; contentType: string };
}

export interface KeyVault {
  url: string;
  faults: Faults;
  /** Sign calls received, for "one sign per signature". */
  signCalls: number;
  /** The vault's resource (token audience), which differs per cloud. */
  resource: string;
  createKey(name: string, type: TestKeyType): Promise<{ kid: string; publicKey: KeyObject }>;
  /** A certificate and its key, issued by `issuer` or self-signed; the secret holds key + chain. */
  createCertificate(
    name: string,
    opts: {
      type?: TestKeyType;
      issuer?: IssuedCert;
      chain?: IssuedCert[];
      subject?: string;
      /** The secret's form; PKCS#12 unless asked, as Key Vault's default certificate policy has it. */
      contentType?: 'application/x-pem-file' | 'application/x-pkcs12';
      /** Store the chain in the secret in this order instead of leaf first (Key Vault keeps what was merged). */
      secretOrder?: 'leaf-first' | 'root-first';
    },
  ): Promise<{ kid: string; certificate: IssuedCert; certId: string }>;
  /**
   * Import a PFX (certificate, chain and private key) as Key Vault's ImportCertificate does
   * (azure-rest-api-specs specification/keyvault/data-plane/Microsoft.KeyVault/stable/7.4/certificates.json,
   * "ImportCertificate"): the key becomes a key of the same name; the secret is served as the PFX bytes, base64.
   */
  importCertificate(name: string, pfx: Buffer): Promise<{ kid: string; certId: string }>;
  grant(objectId: string, grants: Grants): void;
  stop(): Promise<void>;
}

const API_VERSIONS = new Set(['7.0', '7.1', '7.2', '7.3', '7.4', '7.5', '7.6', '2025-07-01']);
const ALG: Record<string, { kty: 'RSA' | 'EC'; hash: string; bytes: number }> = {
  PS256: { kty: 'RSA', hash: 'sha256', bytes: 32 },
  PS384: { kty: 'RSA', hash: 'sha384', bytes: 48 },
  PS512: { kty: 'RSA', hash: 'sha512', bytes: 64 },
  ES256: { kty: 'EC', hash: 'sha256', bytes: 32 },
  ES384: { kty: 'EC', hash: 'sha384', bytes: 48 },
  ES512: { kty: 'EC', hash: 'sha512', bytes: 64 },
};

export async function startKeyVault(tls: TestCa, entra: Entra, dir: string): Promise<KeyVault> {
  const keys = new Map<string, KeyVersion[]>();
  const certs = new Map<string, CertVersion[]>();
  const grants = new Map<string, Grants>();
  const faults = new Faults();
  const state = { signCalls: 0, resource: 'https://vault.azure.net' };
  let url = '';
  const newVersion = () => randomBytes(16).toString('hex');
  const kid = (name: string, v: string) => `${url}/keys/${name}/${v}`;

  const challenge = () => ({
    // The challenge names the vault's own resource, per cloud (learn.microsoft.com "Azure Key Vault
    // authentication", challenge-based auth; vault.usgovcloudapi.net in US Government, vault.azure.cn in China).
    'www-authenticate': `Bearer authorization="${entra.authorityHost}/${entra.tenantId}", resource="${state.resource}"`,
  });
  const kvError = (res: Parameters<typeof json>[0], status: number, code: string, message: string, extra: Record<string, string> = {}) =>
    json(res, status, { error: { code, message } }, extra);

  const server = createServer({ key: tls.server.key, cert: tls.server.cert }, async (req, res) => {
    const fault = await faults.apply(req, res);
    if (fault === 'handled') return;
    const u = new URL(req.url ?? '/', 'https://x');
    const apiVersion = u.searchParams.get('api-version');
    // Every data-plane call carries api-version (azure-rest-api-specs specification/keyvault/data-plane/Microsoft.KeyVault/stable/7.4/common.json, KeyVaultError BadParameter).
    if (!apiVersion) return kvError(res, 400, 'BadParameter', 'The api-version query parameter is required.');
    if (!API_VERSIONS.has(apiVersion)) return kvError(res, 400, 'BadParameter', `The specified version (${apiVersion}) is not recognized.`);
    // Challenge-based auth: an unauthenticated call gets 401 + WWW-Authenticate (learn.microsoft.com "Azure Key Vault authentication"; @azure/keyvault-common challengeBasedAuthenticationPolicy).
    if (!req.headers.authorization)
      return kvError(res, 401, 'Unauthorized', 'AKV10000: Request is missing a Bearer or PoP token.', challenge());
    const principal =
      fault === 'expired-token'
        ? { error: 'the token is expired', expired: true }
        : await principalOf(entra, req.headers.authorization, state.resource);
    if ('error' in principal) return kvError(res, 401, 'Unauthorized', `AKV10022: ${principal.error}`, challenge());
    const allowed = (kind: keyof Grants, name: string, op: Op) => {
      const g = grants.get(principal.oid)?.[kind] as Record<string, string[]> | undefined;
      return (g?.[name] ?? g?.['*'] ?? []).includes(op);
    };
    // 403 with the RBAC/access-policy denial text Key Vault returns (learn.microsoft.com "Azure Key Vault REST API error codes").
    const forbidden = (kind: string, op: string) =>
      kvError(
        res,
        403,
        'Forbidden',
        `The user, group or application 'appid=${principal.appid};oid=${principal.oid}' does not have ${kind} ${op} permission on key vault '${url}'.`,
      );

    const parts = u.pathname.split('/').filter(Boolean);
    const [collection, name, version, action] = parts;
    if (collection === 'keys' && name) {
      const versions = keys.get(name);
      // POST keys/{name}/{version}/sign {alg, value} → {kid, value} (azure-rest-api-specs specification/keyvault/data-plane/Microsoft.KeyVault/stable/7.4/keys.json, Sign).
      if (req.method === 'POST' && (action === 'sign' || (version === 'sign' && !action))) {
        if (!allowed('keys', name, 'sign')) return forbidden('keys', 'sign');
        const v = version === 'sign' ? versions?.at(-1) : versions?.find((k) => k.version === version);
        if (!v) return kvError(res, 404, 'KeyNotFound', `A key with (name/id) ${name}/${version} was not found in this key vault.`);
        state.signCalls++;
        const body = JSON.parse((await readBody(req)).toString()) as { alg?: string; value?: string };
        const alg = ALG[body.alg ?? ''];
        const digest = Buffer.from(body.value ?? '', 'base64url');
        if (!alg || alg.kty !== v.kty) return kvError(res, 400, 'BadParameter', `Invalid algorithm ${body.alg} for key type ${v.kty}.`);
        if (digest.length !== alg.bytes)
          return kvError(res, 400, 'BadParameter', `Invalid digest length ${digest.length} for ${body.alg}.`);
        const signature = await opensslSign(v, digest, alg.hash);
        return json(res, 200, { kid: kid(name, v.version), value: signature.toString('base64url') });
      }
      // GET keys/{name}[/{version}] → KeyBundle with the public JWK (azure-rest-api-specs specification/keyvault/data-plane/Microsoft.KeyVault/stable/7.4/keys.json, GetKey).
      if (req.method === 'GET' && !action) {
        if (!allowed('keys', name, 'get')) return forbidden('keys', 'get');
        const v = version ? versions?.find((k) => k.version === version) : versions?.at(-1);
        if (!v) return kvError(res, 404, 'KeyNotFound', `A key with (name/id) ${name} was not found in this key vault.`);
        const jwk = v.publicKey.export({ format: 'jwk' });
        return json(res, 200, {
          key: { kid: kid(name, v.version), kty: v.kty, key_ops: ['sign', 'verify'], ...jwk },
          attributes: { enabled: true, created: 1700000000, updated: 1700000000, recoveryLevel: 'Recoverable' },
        });
      }
    }
    if ((collection === 'certificates' || collection === 'secrets') && name && req.method === 'GET' && !action) {
      if (!allowed(collection, name, 'get')) return forbidden(collection, 'get');
      const versions = certs.get(name);
      const c = version ? versions?.find((x) => x.version === version) : versions?.at(-1);
      if (!c)
        return kvError(
          res,
          404,
          collection === 'certificates' ? 'CertificateNotFound' : 'SecretNotFound',
          `A ${collection.slice(0, -1)} with (name/id) ${name} was not found in this key vault.`,
        );
      const attributes = { enabled: true, created: 1700000000, updated: 1700000000, recoveryLevel: 'Recoverable' };
      // GET certificates/{name}[/{version}] → CertificateBundle {id, kid, sid, x5t, cer} (azure-rest-api-specs specification/keyvault/data-plane/Microsoft.KeyVault/stable/7.4/certificates.json, GetCertificate); else GET secrets/{name}[/{version}] → SecretBundle {value, contentType, kid, managed} (secrets.json, GetSecret).
      if (collection === 'certificates') {
        return json(res, 200, {
          id: `${url}/certificates/${name}/${c.version}`,
          kid: kid(name, c.keyVersion),
          sid: `${url}/secrets/${name}/${c.version}`,
          x5t: createHash('sha1').update(c.der).digest('base64url'),
          cer: c.der.toString('base64'),
          attributes,
        });
      }
      return json(res, 200, {
        id: `${url}/secrets/${name}/${c.version}`,
        kid: kid(name, c.keyVersion),
        managed: true,
        contentType: c.secret.contentType,
        value: c.secret.value,
        attributes,
      });
    }
    kvError(res, 404, 'NotFound', `no route ${req.method} ${u.pathname}`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as { port: number }).port}`;

  const addKey = async (name: string, pem: string): Promise<KeyVersion> => {
    const version = newVersion();
    const pemPath = join(dir, `kv-${name}-${version}.pem`);
    await writeFile(pemPath, pem, { mode: 0o600 });
    const priv = createPrivateKey(pem);
    const v: KeyVersion = { version, pemPath, publicKey: createPublicKey(priv), kty: priv.asymmetricKeyType === 'ec' ? 'EC' : 'RSA' };
    keys.set(name, [...(keys.get(name) ?? []), v]);
    return v;
  };

  return {
    get url() {
      return url;
    },
    faults,
    get signCalls() {
      return state.signCalls;
    },
    get resource() {
      return state.resource;
    },
    set resource(v: string) {
      state.resource = v;
    },
    async createKey(name, type) {
      const generated = await issueCertificate({ subject: `CN=${name}`, key: type });
      const v = await addKey(name, generated.keyPem);
      return { kid: kid(name, v.version), publicKey: v.publicKey };
    },
    async createCertificate(name, opts) {
      const certificate = await issueCertificate({
        subject: opts.subject ?? `CN=${name},O=acme,ST=WA,C=US`,
        key: opts.type ?? 'EC-256',
        ...(opts.issuer ? { issuer: opts.issuer } : {}),
      });
      const v = await addKey(name, certificate.keyPem);
      const ordered = [certificate, ...(opts.chain ?? [])];
      const chainPem = (opts.secretOrder === 'root-first' ? ordered.reverse() : ordered).map((c) => c.certPem).join('');
      // A policy that names no content type gets PKCS#12 (learn.microsoft.com, Azure.Security.KeyVault.Certificates
      // CertificatePolicy.ContentType: "If not specified, Pkcs12 is assumed").
      const contentType = opts.contentType ?? 'application/x-pkcs12';
      let value = certificate.keyPem + chainPem;
      if (contentType === 'application/x-pkcs12') {
        const keyPath = join(dir, `p12-${name}.key`);
        const chainPath = join(dir, `p12-${name}.crt`);
        const out = join(dir, `p12-${name}.pfx`);
        await writeFile(keyPath, certificate.keyPem);
        await writeFile(chainPath, chainPem);
        await exportKeyVaultPfx({ keyPath, chainPath, out });
        value = (await readFile(out)).toString('base64');
      }
      const version = newVersion();
      certs.set(name, [
        ...(certs.get(name) ?? []),
        { version, keyVersion: v.version, der: certificate.der, secret: { value, contentType } },
      ]);
      return { kid: kid(name, v.version), certificate, certId: `${url}/certificates/${name}/${version}` };
    },
    async importCertificate(name, pfx) {
      const pfxPath = join(dir, `import-${name}.pfx`);
      await writeFile(pfxPath, pfx);
      const keyPem = (await run('openssl', ['pkcs12', '-in', pfxPath, '-passin', 'pass:', '-nodes', '-nocerts'])).toString();
      const leafPem = (await run('openssl', ['pkcs12', '-in', pfxPath, '-passin', 'pass:', '-nokeys', '-clcerts'])).toString();
      const v = await addKey(name, keyPem.slice(keyPem.indexOf('-----BEGIN')));
      const der = Buffer.from(leafPem.slice(leafPem.indexOf('-----BEGIN')).replace(/-----[^-]+-----|\s/g, ''), 'base64');
      const version = newVersion();
      const secret = { value: pfx.toString('base64'), contentType: 'application/x-pkcs12' };
      certs.set(name, [...(certs.get(name) ?? []), { version, keyVersion: v.version, der, secret }]);
      return { kid: kid(name, v.version), certId: `${url}/certificates/${name}/${version}` };
    },
    grant(objectId, g) {
      grants.set(objectId, g);
    },
    stop: () => new Promise((r) => server.close(() => r())),
  };
}

function run(cmd: string, args: string[], input?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { encoding: 'buffer', maxBuffer: 1 << 20 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${cmd} failed: ${stderr.toString()}`)) : resolve(stdout),
    );
    if (input) child.stdin!.end(input);
  });
}

/** Sign a precomputed digest: what Key Vault does and Node's crypto API cannot. */
async function opensslSign(key: KeyVersion, digest: Buffer, hash: string): Promise<Buffer> {
  if (key.kty === 'RSA') {
    return run(
      'openssl',
      [
        'pkeyutl',
        '-sign',
        '-inkey',
        key.pemPath,
        '-pkeyopt',
        'rsa_padding_mode:pss',
        '-pkeyopt',
        'rsa_pss_saltlen:digest',
        '-pkeyopt',
        `digest:${hash}`,
      ],
      digest,
    );
  }
  const der = await run('openssl', ['pkeyutl', '-sign', '-inkey', key.pemPath], digest);
  return derToP1363(der, ({ sha256: 32, sha384: 48, sha512: 66 } as Record<string, number>)[hash]!);
}

function derToP1363(der: Buffer, width: number): Buffer {
  let i = 2;
  if (der[1]! & 0x80) i = 2 + (der[1]! & 0x7f);
  const readInt = () => {
    const len = der[i + 1]!;
    const v = der.subarray(i + 2, i + 2 + len);
    i += 2 + len;
    const trimmed = v[0] === 0 ? v.subarray(1) : v;
    return Buffer.concat([Buffer.alloc(width - trimmed.length), trimmed]);
  };
  return Buffer.concat([readInt(), readInt()]);
}

/**
 * PKCS #12 in Key Vault's own export format, read off real exports (../shared/fixtures/keyvault/README.md,
 * `openssl pkcs12 -info`): pbeWithSHA1And3-KeyTripleDES-CBC for every bag, SHA-1 MAC, 2000 iterations, empty
 * password. (Key Vault encodes that password as no bytes, OpenSSL as an empty BMPString; the product reads both,
 * and the real exports are served verbatim by importCertificate.)
 */
export function exportKeyVaultPfx({ keyPath, chainPath, out }: { keyPath: string; chainPath: string; out: string }): Promise<unknown> {
  return run('openssl', [
    'pkcs12',
    '-export',
    '-inkey',
    keyPath,
    '-in',
    chainPath,
    '-passout',
    'pass:',
    '-certpbe',
    'PBE-SHA1-3DES',
    '-keypbe',
    'PBE-SHA1-3DES',
    '-macalg',
    'sha1',
    '-iter',
    '2000',
    '-out',
    out,
  ]);
}
