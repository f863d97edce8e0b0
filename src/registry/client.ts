import { createHash } from 'node:crypto';
import { NotarySignError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { MANIFEST_ACCEPT, type Descriptor } from '../oci/media-types.js';
import { digestOf } from '../util/encoding.js';
import { httpFetch, NetworkFailure, readBody, type HttpResponse, type RateFloor } from '../util/http.js';
import { inputNames, registryCredentialsHint, type InputNames } from '../util/input-names.js';
import { isDigest, type Reference } from '../oci/reference.js';
import { parseChallenge, type Challenge } from './challenge.js';
import { isIdentityToken, type BasicCredential, type CredentialResolver } from './credentials.js';

export interface RegistryOptions {
  /** host[:port] values allowed over plain HTTP. Nothing else ever is. */
  insecureRegistries?: readonly string[];
  credentials?: CredentialResolver;
  userAgent?: string;
  logger?: Logger;
  signal?: AbortSignal;
  /** Attempts per request for 429/5xx/connection faults (default 4). */
  maxAttempts?: number;
  /** Upper bound for one wait between attempts (default 30 s). */
  maxRetryDelayMs?: number;
  /** Told every registry token obtained, so the CI can mask it. */
  onSecret?: (value: string) => void;
  /** Total time for one request attempt (default 60 s). */
  timeoutMs?: number;
  /** Slowest body read accepted (default 1 KiB/s after 10 s). */
  rateFloor?: RateFloor;
  /** How the user's CI spells inputs, for messages. */
  inputName?: InputNames;
}

export interface Repository {
  registry: string;
  repository: string;
}

type Action = 'pull' | 'pull,push';

export const LIMITS = {
  manifest: 4 * 1024 * 1024,
  signatureBlob: 4 * 1024 * 1024,
  tokenResponse: 1024 * 1024,
} as const;

interface RequestInit {
  method?: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH';
  headers?: Record<string, string>;
  body?: Uint8Array | ReadableStream<Uint8Array>;
  action?: Action;
  /** Total time for this request instead of the client's (a large blob's transfer). */
  timeoutMs?: number;
  /** Absolute URL (upload Location) instead of a /v2/ path. */
  url?: string;
  /** Safe to repeat whatever the server did (a token request): 5xx answers are retried. */
  idempotent?: boolean;
}

const RETRY_STATUS = new Set([429, 502, 503, 504]);

/**
 * A small OCI distribution client on Node's fetch: challenge-driven auth
 * (anonymous, basic, bearer token), bounded retries that honour Retry-After,
 * digests verified on everything it reads by digest, and size limits on
 * everything it reads at all.
 */
export class RegistryClient {
  private readonly tokens = new Map<string, Promise<string>>(); // `${registry} ${scope}` -> Authorization
  private readonly challenges = new Map<string, Challenge>();
  private readonly pushTargets = new Set<string>();
  /** A registry's first request while it is unanswered: requests that arrive meanwhile wait to learn its challenge. */
  private readonly firstContact = new Map<string, Promise<unknown>>();
  private readonly log: Logger;
  /** How the user's CI spells inputs, for messages about the registry. */
  readonly inputName: InputNames;
  /** Requests sent, by host: for benchmarks and tests. */
  readonly requestCounts = new Map<string, number>();

  constructor(private readonly opts: RegistryOptions = {}) {
    this.log = opts.logger ?? silentLogger;
    this.inputName = opts.inputName ?? inputNames(undefined);
  }

  /** The slowest body read this client accepts. */
  get rateFloor(): RateFloor | undefined {
    return this.opts.rateFloor;
  }

  baseUrl(registry: string): string {
    const host = registry === 'docker.io' ? 'registry-1.docker.io' : registry;
    const insecure = this.opts.insecureRegistries?.includes(registry) ?? false;
    return `${insecure ? 'http' : 'https'}://${host}`;
  }

  private scope(repo: Repository, action: Action): string {
    const push = action === 'pull,push' || this.pushTargets.has(`${repo.registry}/${repo.repository}`);
    return `repository:${repo.repository}:${push ? 'pull,push' : 'pull'}`;
  }

  /** Send one request with auth and retries; returns any status for the caller to judge. */
  async request(repo: Repository, path: string, init: RequestInit = {}): Promise<HttpResponse> {
    const scope = this.scope(repo, init.action ?? 'pull');
    const url = init.url ?? `${this.baseUrl(repo.registry)}${path}`;
    // A URL the registry handed us (upload Location, pagination Link) gets this registry's credentials only if it is
    // this registry: another origin is refused rather than followed (redirects drop credentials in fetch itself).
    const origin = new URL(url).origin;
    if (origin !== new URL(this.baseUrl(repo.registry)).origin) {
      throw new NotarySignError(
        'REGISTRY',
        `registry ${repo.registry} pointed ${init.method ?? 'GET'} at another origin (${origin}); ` +
          `its credentials are never sent elsewhere, so the request was refused`,
      );
    }
    // The first request to a registry goes alone; the others wait for its challenge instead of each drawing a 401.
    const first = this.firstContact.get(repo.registry);
    if (first && !this.challenges.has(repo.registry)) await first.catch(() => undefined);
    // Once a registry has challenged us, authorise new scopes up front instead of after another 401.
    const known = this.challenges.has(repo.registry);
    const sent = this.send(repo.registry, url, { ...init, ...(known ? { authorization: await this.authorization(repo, scope) } : {}) });
    if (!known && !this.firstContact.has(repo.registry)) this.firstContact.set(repo.registry, sent);
    let res = await sent;
    if (res.status !== 401) return res;

    const challenge = parseChallenge(res.headers.get('www-authenticate'));
    await res.body?.cancel();
    if (!challenge && !known)
      throw new NotarySignError('AUTH', `registry ${repo.registry} answered 401 without a usable WWW-Authenticate challenge`);
    if (challenge) this.challenges.set(repo.registry, challenge);
    // A cached token may have expired or lack this scope: fetch a fresh one once.
    this.tokens.delete(`${repo.registry} ${scope}`);
    res = await this.send(repo.registry, url, { ...init, authorization: await this.authorization(repo, scope) });
    if (res.status === 401) {
      await res.body?.cancel();
      this.tokens.delete(`${repo.registry} ${scope}`);
      const action = init.action === 'pull,push' ? 'push to' : 'pull from';
      const cred = await this.opts.credentials?.(repo.registry).catch(() => undefined);
      const refusedHint = cred && !isIdentityToken(cred) ? cred.refusedHint : undefined;
      throw new NotarySignError(
        'AUTH',
        `registry ${repo.registry} rejected the credentials to ${action} ${repo.repository} (401 Unauthorized): ` +
          (refusedHint ?? `check ${registryCredentialsHint(this.inputName)}, and that they allow this`),
      );
    }
    return res;
  }

  /**
   * This run will push to `repo`: its reads ask for the push token too, so one token (one round trip) serves the
   * repository. A token server grants what the identity may do of what is asked (distribution docs/spec/auth/token.md:
   * a subset is not an error), so a pull-only identity still reads; its push is refused as before.
   */
  willPush(repo: Repository): void {
    this.pushTargets.add(`${repo.registry}/${repo.repository}`);
  }

  /** The Authorization header for a scope: one token request per scope, shared by concurrent callers. */
  private authorization(repo: Repository, scope: string): Promise<string> {
    const key = `${repo.registry} ${scope}`;
    let p = this.tokens.get(key);
    if (!p) {
      p = this.authorize(repo, this.challenges.get(repo.registry)!, scope);
      this.tokens.set(key, p);
      p.catch(() => this.tokens.delete(key));
    }
    return p;
  }

  private async authorize(repo: Repository, challenge: Challenge, scope: string): Promise<string> {
    const cred = await this.opts.credentials?.(repo.registry);
    if (challenge.scheme === 'basic') {
      if (!cred) throw this.noCredentials(repo);
      if (isIdentityToken(cred)) {
        throw new NotarySignError(
          'AUTH',
          `registry ${repo.registry} asks for basic auth, but the credential found is an identity token, ` +
            'which only a token service accepts; ' +
            `log in with a user name and password`,
        );
      }
      return basicAuth(cred);
    }
    if (challenge.scheme !== 'bearer')
      throw new NotarySignError('AUTH', `registry ${repo.registry} asks for unsupported auth scheme "${challenge.scheme}"`);
    const realm = challenge.params.realm;
    if (!realm) throw new NotarySignError('AUTH', `registry ${repo.registry} sent a Bearer challenge without a realm`);
    let tokenUrl: URL;
    try {
      tokenUrl = new URL(realm);
    } catch {
      throw new NotarySignError('AUTH', `registry ${repo.registry} sent an invalid token realm "${realm}"`);
    }
    if (tokenUrl.protocol !== 'https:' && !(tokenUrl.protocol === 'http:' && this.opts.insecureRegistries?.includes(repo.registry))) {
      throw new NotarySignError(
        'AUTH',
        `registry ${repo.registry} points to a token service over plain HTTP (${tokenUrl.origin}); refusing to send credentials there`,
      );
    }
    let res: HttpResponse;
    if (cred && isIdentityToken(cred)) {
      // The OAuth2 refresh-token grant (distribution docs/spec/auth/oauth.md; Azure/acr docs/AAD-OAuth.md):
      // a POST to the realm, never a Basic header carrying the token.
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: cred.identityToken, scope, client_id: 'notary-sign' });
      if (challenge.params.service) form.set('service', challenge.params.service);
      res = await this.send(repo.registry, tokenUrl.toString(), {
        idempotent: true,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new TextEncoder().encode(form.toString()),
      });
    } else {
      if (challenge.params.service) tokenUrl.searchParams.set('service', challenge.params.service);
      tokenUrl.searchParams.append('scope', scope);
      res = await this.send(repo.registry, tokenUrl.toString(), {
        idempotent: true,
        headers: cred ? { authorization: basicAuth(cred) } : {},
      });
    }
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      if (!cred) throw this.noCredentials(repo);
      throw new NotarySignError(
        'AUTH',
        `registry ${repo.registry} token service rejected the credentials for ${repo.repository} (${res.status}): ` +
          `check ${registryCredentialsHint(this.inputName)}`,
      );
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new NotarySignError('AUTH', `registry ${repo.registry} token service answered ${res.status} ${res.statusText}`);
    }
    let body: { token?: unknown; access_token?: unknown };
    try {
      body = JSON.parse(
        (await readLimited(res, { limit: LIMITS.tokenResponse, what: 'token response', floor: this.rateFloor })).toString('utf8'),
      ) as typeof body;
    } catch (err) {
      if (err instanceof NotarySignError) throw err;
      throw new NotarySignError('AUTH', `registry ${repo.registry} token service returned invalid JSON`);
    }
    const token = typeof body.token === 'string' ? body.token : typeof body.access_token === 'string' ? body.access_token : undefined;
    if (!token) throw new NotarySignError('AUTH', `registry ${repo.registry} token service returned no token`);
    this.opts.onSecret?.(token);
    return `Bearer ${token}`;
  }

  private noCredentials(repo: Repository): NotarySignError {
    return new NotarySignError(
      'AUTH',
      `registry ${repo.registry} requires authentication for ${repo.repository} and no credentials were found: ` +
        `set ${registryCredentialsHint(this.inputName)} (docker login ${repo.registry})`,
    );
  }

  private async send(registry: string, url: string, init: RequestInit & { authorization?: string }): Promise<HttpResponse> {
    const headers: Record<string, string> = { 'user-agent': this.opts.userAgent ?? 'notary-sign', ...init.headers };
    if (init.authorization) headers.authorization = init.authorization;
    const method = init.method ?? 'GET';
    try {
      return await httpFetch(
        url,
        { method, headers, ...(init.body ? { body: init.body } : {}) },
        {
          // A streamed body cannot be sent twice.
          maxAttempts: init.body instanceof ReadableStream ? 1 : (this.opts.maxAttempts ?? 4),
          // 500 is retried for reads and token requests (distribution answers 500 briefly while a tag is rewritten;
          // ACR's token service has transient 5xx), never for writes, which may have taken effect.
          retryStatus: (status) =>
            RETRY_STATUS.has(status) || (status === 500 && (method === 'GET' || method === 'HEAD' || init.idempotent === true)),
          maxRetryDelayMs: this.opts.maxRetryDelayMs ?? 30_000,
          ...(init.timeoutMs ? { timeoutMs: init.timeoutMs } : this.opts.timeoutMs ? { timeoutMs: this.opts.timeoutMs } : {}),
          ...(this.opts.signal ? { signal: this.opts.signal } : {}),
          logger: this.log,
          onAttempt: (u) => this.requestCounts.set(u.host, (this.requestCounts.get(u.host) ?? 0) + 1),
        },
      );
    } catch (err) {
      if (err instanceof NetworkFailure) {
        throw networkError(err, {
          registry,
          url,
          insecure: this.opts.insecureRegistries?.includes(registry) ?? false,
          name: this.inputName,
        });
      }
      throw err;
    }
  }

  /** The descriptor (mediaType, digest, size) of a manifest, by tag or digest; HEAD headers used only when well-formed. */
  async resolve(ref: Reference): Promise<Descriptor> {
    const reference = ref.digest ?? ref.tag ?? 'latest';
    const path = `/v2/${ref.repository}/manifests/${reference}`;
    const res = await this.request(ref, path, { method: 'HEAD', headers: { accept: MANIFEST_ACCEPT } });
    if (res.status === 404) throw notFound(ref, reference);
    await this.expectOk(res, ref, `HEAD manifest ${reference}`);
    const digest = res.headers.get('docker-content-digest');
    const mediaType = res.headers.get('content-type')?.split(';')[0]?.trim();
    const size = Number(res.headers.get('content-length'));
    if (
      digest &&
      isDigest(digest) &&
      mediaType &&
      MANIFEST_TYPES.includes(mediaType) &&
      Number.isSafeInteger(size) &&
      size > 0 &&
      (!ref.digest || digest === ref.digest)
    ) {
      return { mediaType, digest, size };
    }
    // Some registries omit headers on HEAD: read the manifest and compute them.
    const m = await this.getManifest(ref, reference);
    return { mediaType: m.mediaType, digest: m.digest, size: m.bytes.length };
  }

  /** Manifest bytes; when fetched by digest, the bytes are checked against it. */
  async getManifest(
    repo: Repository,
    reference: string,
    accept = MANIFEST_ACCEPT,
  ): Promise<{ bytes: Buffer; mediaType: string; digest: string; etag?: string }> {
    const res = await this.request(repo, `/v2/${repo.repository}/manifests/${reference}`, { headers: { accept } });
    if (res.status === 404) {
      await res.body?.cancel();
      throw notFound(repo, reference);
    }
    await this.expectOk(res, repo, `GET manifest ${reference}`);
    const bytes = await readLimited(res, { limit: LIMITS.manifest, what: `manifest ${reference}`, floor: this.rateFloor });
    const mediaType = manifestType(res.headers.get('content-type'), bytes);
    if (!mediaType) {
      throw new NotarySignError(
        'REGISTRY',
        `${repo.registry} answered GET manifest ${repo.repository}:${reference} ` +
          `with ${res.headers.get('content-type') ?? 'no content type'}, ` +
          'not an OCI or Docker manifest; is this the registry address?',
      );
    }
    const algorithm = reference.includes(':') ? reference.split(':')[0]! : 'sha256';
    const digest = digestOf(bytes, algorithm);
    if (reference.includes(':') && digest !== reference) {
      throw new NotarySignError(
        'REGISTRY',
        `registry ${repo.registry} returned content for ${repo.repository}@${reference} whose digest is ${digest}; refusing it`,
      );
    }
    const headerDigest = res.headers.get('docker-content-digest');
    if (!reference.includes(':') && headerDigest && headerDigest.startsWith('sha256:') && headerDigest !== digest) {
      throw new NotarySignError(
        'REGISTRY',
        `registry ${repo.registry} sent tag ${reference} with Docker-Content-Digest ${headerDigest} but the bytes hash to ${digest}`,
      );
    }
    const etag = res.headers.get('etag') ?? undefined;
    return { bytes, mediaType, digest, ...(etag ? { etag } : {}) };
  }

  /**
   * PUT a manifest. With `ifMatch`, a registry that honours conditional
   * requests answers 412 when the tag moved since it was read: `conflict`.
   */
  async putManifest(
    repo: Repository,
    { reference, bytes, mediaType, ifMatch }: { reference: string; bytes: Uint8Array; mediaType: string; ifMatch?: string },
  ): Promise<{ digest: string; subjectAccepted: boolean; conflict?: boolean }> {
    const res = await this.request(repo, `/v2/${repo.repository}/manifests/${reference}`, {
      method: 'PUT',
      headers: { 'content-type': mediaType, ...(ifMatch ? { 'if-match': ifMatch } : {}) },
      body: bytes,
      action: 'pull,push',
    });
    if (res.status === 412 && ifMatch) {
      await res.body?.cancel();
      return { digest: '', subjectAccepted: false, conflict: true };
    }
    await this.expectOk(res, repo, `PUT manifest ${reference}`);
    await res.body?.cancel();
    return {
      digest: res.headers.get('docker-content-digest') ?? digestOf(bytes, 'sha256'),
      subjectAccepted: res.headers.get('oci-subject') !== null,
    };
  }

  /** Whether the repository has this manifest (HEAD by digest). */
  async manifestExists(repo: Repository, digest: string): Promise<boolean> {
    const res = await this.request(repo, `/v2/${repo.repository}/manifests/${digest}`, {
      method: 'HEAD',
      headers: { accept: MANIFEST_ACCEPT },
      action: 'pull,push',
    });
    await res.body?.cancel();
    if (res.status === 404) return false;
    await this.expectOk(res, repo, `HEAD manifest ${digest}`);
    return true;
  }

  async blobExists(repo: Repository, digest: string, action: Action = 'pull'): Promise<boolean> {
    const res = await this.request(repo, `/v2/${repo.repository}/blobs/${digest}`, { method: 'HEAD', action });
    await res.body?.cancel();
    if (res.status === 404) return false;
    await this.expectOk(res, repo, `HEAD blob ${digest}`);
    return true;
  }

  /**
   * Upload a blob unless the repository has it. One request when the registry takes a monolithic POST
   * (distribution-spec "Single POST"), else the POST's upload session completed by one PUT. Signers in one
   * process share each blob's check and upload: the shared empty config goes up once per repository and
   * run, and no two uploads of the same blob race (the distribution registry rewrites a blob's repository
   * link non-atomically, and a manifest PUT that looks at it mid-write fails with DIGEST_INVALID).
   */
  pushBlob(repo: Repository, bytes: Uint8Array, digest: string): Promise<void> {
    return this.sharedUpload(repo, bytes, { digest, knownAbsent: false });
  }

  /** Upload bytes that cannot be in the repository yet (a fresh signature envelope): no existence check. */
  pushNewBlob(repo: Repository, bytes: Uint8Array, digest: string): Promise<void> {
    return this.sharedUpload(repo, bytes, { digest, knownAbsent: true });
  }

  private sharedUpload(
    repo: Repository,
    bytes: Uint8Array,
    { digest, knownAbsent }: { digest: string; knownAbsent: boolean },
  ): Promise<void> {
    const key = `${repo.registry}/${repo.repository}@${digest}`;
    let pending = blobsInFlight.get(key);
    if (!pending) {
      pending = this.uploadBlob(repo, bytes, { digest, knownAbsent });
      blobsInFlight.set(key, pending);
      // A failed upload is forgotten so the next attempt starts afresh; a finished one stays known.
      pending.catch(() => blobsInFlight.delete(key));
    }
    return pending;
  }

  private async uploadBlob(
    repo: Repository,
    bytes: Uint8Array,
    { digest, knownAbsent }: { digest: string; knownAbsent: boolean },
  ): Promise<void> {
    if (!knownAbsent && (await this.blobExists(repo, digest, 'pull,push'))) return;
    const start = await this.request(repo, `/v2/${repo.repository}/blobs/uploads/?digest=${encodeURIComponent(digest)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
      action: 'pull,push',
    });
    await this.expectOk(start, repo, 'POST blob upload');
    await start.body?.cancel();
    if (start.status === 201) return this.confirmBlob(start, { repo, digest });
    await this.putUpload(repo, this.uploadUrl(repo, start, digest), { digest, body: bytes });
  }

  /** Where a started upload completes: the Location the registry gave, with the digest it must match. */
  private uploadUrl(repo: Repository, start: HttpResponse, digest: string): URL {
    const location = start.headers.get('location');
    if (!location) throw new NotarySignError('REGISTRY', `registry ${repo.registry} started an upload without a Location header`);
    const url = new URL(location, `${this.baseUrl(repo.registry)}/`);
    url.searchParams.set('digest', digest);
    return url;
  }

  /** Complete an upload with the whole blob in one PUT. */
  private async putUpload(
    repo: Repository,
    url: URL,
    { digest, body, size, timeoutMs }: { digest: string; body: Uint8Array | ReadableStream<Uint8Array>; size?: number; timeoutMs?: number },
  ): Promise<void> {
    const put = await this.request(repo, '', {
      url: url.toString(),
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream', ...(size !== undefined ? { 'content-length': String(size) } : {}) },
      body,
      action: 'pull,push',
      ...(timeoutMs ? { timeoutMs } : {}),
    });
    await this.expectOk(put, repo, `PUT blob ${digest}`);
    await put.body?.cancel();
    this.confirmBlob(put, { repo, digest });
  }

  /** A completed upload names the digest it stored; another one is refused. */
  private confirmBlob(res: HttpResponse, { repo, digest }: { repo: Repository; digest: string }): void {
    const stored = res.headers.get('docker-content-digest');
    if (stored && stored !== digest)
      throw new NotarySignError('REGISTRY', `registry ${repo.registry} stored blob ${digest} as ${stored}; refusing to go on`);
  }

  /**
   * Copy a blob between repositories of this client's registries without holding it in memory: nothing when
   * the destination has it; a cross-repository mount within one registry; else the source's bytes streamed
   * into an upload that the destination completes only if they hash to the digest (checked here as well).
   */
  async copyBlob(from: Repository, to: Repository, blob: { digest: string; size: number }): Promise<'present' | 'mounted' | 'copied'> {
    if (await this.blobExists(to, blob.digest, 'pull,push')) return 'present';
    const enc = encodeURIComponent;
    let start: HttpResponse | undefined;
    if (from.registry === to.registry && from.repository !== to.repository) {
      // A mount needs pull on the source in the same token; a registry that refuses it gets the bytes instead.
      const mount = `/v2/${to.repository}/blobs/uploads/?mount=${enc(blob.digest)}&from=${enc(from.repository)}`;
      start = await this.request(to, mount, { method: 'POST', action: 'pull,push' }).catch((err: unknown) => {
        if (err instanceof NotarySignError && err.code === 'AUTH') return undefined;
        throw err;
      });
      if (start && !start.ok) {
        await start.body?.cancel();
        start = undefined;
      }
      if (start?.status === 201) {
        await start.body?.cancel();
        return 'mounted';
      }
    }
    start ??= await this.request(to, `/v2/${to.repository}/blobs/uploads/`, { method: 'POST', action: 'pull,push' });
    await this.expectOk(start, to, 'POST blob upload');
    await start.body?.cancel();
    const url = this.uploadUrl(to, start, blob.digest);
    const source = await this.request(from, `/v2/${from.repository}/blobs/${blob.digest}`, { timeoutMs: transferTimeout(blob.size) });
    if (source.status === 404) {
      await source.body?.cancel();
      throw new NotarySignError('NOT_FOUND', `blob ${blob.digest} is missing from ${from.registry}/${from.repository}`);
    }
    await this.expectOk(source, from, `GET blob ${blob.digest}`);
    const declared = source.headers.get('content-length');
    if (declared !== null && Number(declared) !== blob.size) {
      await source.body?.cancel();
      throw new NotarySignError(
        'REGISTRY',
        `registry ${from.registry} sent blob ${blob.digest} as ${declared} bytes; its descriptor says ${blob.size}`,
      );
    }
    const hash = createHash(blob.digest.split(':')[0]!);
    let seen = 0;
    const checked = (source.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() })).pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          seen += chunk.byteLength;
          if (seen > blob.size) return controller.error(new Error(`more than the ${blob.size} bytes its descriptor says`));
          hash.update(chunk);
          controller.enqueue(chunk);
        },
      }),
    );
    await this.putUpload(to, url, { digest: blob.digest, body: checked, size: blob.size, timeoutMs: transferTimeout(blob.size) });
    const actual = `${blob.digest.split(':')[0]}:${hash.digest('hex')}`;
    if (actual !== blob.digest || seen !== blob.size)
      throw new NotarySignError(
        'REGISTRY',
        `registry ${from.registry} sent blob ${blob.digest} with other content (${actual}, ${seen} bytes)`,
      );
    return 'copied';
  }

  /** Blob bytes, verified against their digest and bounded in size. */
  async getBlob(repo: Repository, digest: string, limit: number): Promise<Buffer> {
    const res = await this.request(repo, `/v2/${repo.repository}/blobs/${digest}`);
    if (res.status === 404) {
      await res.body?.cancel();
      throw new NotarySignError('NOT_FOUND', `blob ${digest} is missing from ${repo.registry}/${repo.repository}`);
    }
    await this.expectOk(res, repo, `GET blob ${digest}`);
    const bytes = await readLimited(res, { limit, what: `blob ${digest}`, floor: this.rateFloor });
    const actual = digestOf(bytes, digest.split(':')[0]!);
    if (actual !== digest)
      throw new NotarySignError('REGISTRY', `registry ${repo.registry} returned blob ${digest} with digest ${actual}; refusing it`);
    return bytes;
  }

  /** Throw a one-line error for any non-2xx status. */
  async expectOk(res: HttpResponse, repo: Repository, what: string): Promise<void> {
    if (res.ok) return;
    let detail = '';
    try {
      const body = JSON.parse(
        (await readLimited(res, { limit: 64 * 1024, what: 'error body', floor: this.rateFloor })).toString('utf8'),
      ) as {
        errors?: { code?: string; message?: string }[];
      };
      const e = body.errors?.[0];
      if (e) detail = `: ${[e.code, e.message].filter(Boolean).join(' ')}`;
    } catch {
      /* not an OCI error body */
    }
    const where = `${repo.registry}/${repo.repository}`;
    if (res.status === 403) {
      throw new NotarySignError(
        'AUTH',
        `access to ${where} was denied (403) during ${what}${detail}: ` +
          `the identity needs pull${what.startsWith('GET') || what.startsWith('HEAD') ? '' : ' and push'} permission on this repository`,
      );
    }
    throw new NotarySignError('REGISTRY', `${what} on ${where} failed: ${res.status} ${res.statusText}${detail}`);
  }
}

const basicAuth = (cred: BasicCredential) => `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString('base64')}`;

function notFound(repo: Repository, reference: string): NotarySignError {
  const sep = reference.includes(':') ? '@' : ':';
  return new NotarySignError(
    'NOT_FOUND',
    `image ${repo.registry}/${repo.repository}${sep}${reference} was not found in the registry; check the name and that it was pushed`,
  );
}

/** Read a registry response body, refusing more than `limit` bytes. */
export async function readLimited(
  res: HttpResponse,
  { limit, what, floor }: { limit: number; what: string; floor?: RateFloor | undefined },
): Promise<Buffer> {
  try {
    return await readBody(res, { limit, what, ...(floor ? { floor } : {}) });
  } catch (err) {
    if (err instanceof NetworkFailure && err.code.startsWith('slow'))
      throw new NotarySignError('NETWORK', `${what}: the server sent it too slowly (${err.code.slice(6)}); giving up`, { cause: err });
    if (err instanceof NetworkFailure)
      throw new NotarySignError('NETWORK', `${what}: the connection failed while reading (${err.code})`, { cause: err });
    throw err;
  }
}

function networkError(
  err: NetworkFailure,
  { registry, url, insecure, name }: { registry: string; url: string; insecure: boolean; name: InputNames },
): NotarySignError {
  const code = err.code;
  const tlsMismatch = /wrong version number|EPROTO|ERR_SSL/i.test(code);
  const hint =
    tlsMismatch && !insecure
      ? `; if ${registry} serves plain HTTP, list it in ${name('insecure-registries')}`
      : /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(code)
        ? '; its TLS certificate is not trusted: add its CA with NODE_EXTRA_CA_CERTS'
        : '; check the registry address and that it is running';
  return new NotarySignError('NETWORK', `cannot reach registry ${registry} at ${new URL(url).origin} (${code})${hint}`, { cause: err });
}

const MANIFEST_TYPES = MANIFEST_ACCEPT.split(', ');

/** A blob transfer's time budget: a minute, plus a second per MiB (a slow link still moves a 2 GiB layer). */
const transferTimeout = (size: number) => 60_000 + Math.ceil(size / (1024 * 1024)) * 1_000;

/** Blob checks and uploads of this process, by `registry/repository@digest` (see pushBlob). */
const blobsInFlight = new Map<string, Promise<void>>();

/**
 * The manifest media type of a response: its Content-Type when that is one, else (a generic JSON type, as some
 * registries send) the body's own `mediaType`; undefined for anything else, such as an HTML page.
 */
function manifestType(contentType: string | null, bytes: Buffer): string | undefined {
  const type = contentType?.split(';')[0]?.trim() ?? '';
  if (MANIFEST_TYPES.includes(type)) return type;
  if (type !== '' && type !== 'application/json' && type !== 'application/octet-stream') return undefined;
  try {
    const declared = (JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown }).mediaType;
    return typeof declared === 'string' && MANIFEST_TYPES.includes(declared) ? declared : undefined;
  } catch {
    return undefined;
  }
}
