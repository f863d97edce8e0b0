import { NotarySignError, type ErrorCode } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';

/**
 * The one way notary-sign talks to the network (registries, token services,
 * the TSA, GitHub's OIDC endpoint, the ACR exchange): a total timeout per
 * attempt, bounded retries that honour Retry-After, the caller's AbortSignal,
 * and bodies read with a size cap. Callers phrase their own errors from a
 * NetworkFailure, because only they know which input or host to name.
 */

export interface HttpRequest {
  method?: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH';
  headers?: Record<string, string>;
  /** A stream is sent once (never retried): the caller must not ask for more than one attempt. */
  body?: Uint8Array | URLSearchParams | string | ReadableStream<Uint8Array>;
}

export interface HttpPolicy {
  /** Total time for one attempt, including reading the body (default 60 s). */
  timeoutMs?: number;
  /** Attempts for transient connection failures and retryable statuses (default 1: no retry). */
  maxAttempts?: number;
  /** Which statuses are worth another attempt (default none). */
  retryStatus?: (status: number) => boolean;
  /** Upper bound for one wait between attempts (default 30 s). */
  maxRetryDelayMs?: number;
  signal?: AbortSignal;
  logger?: Logger;
  redirect?: 'follow' | 'error' | 'manual';
  /** Called before each attempt (request counting for benchmarks and tests). */
  onAttempt?: (url: URL) => void;
}

/** The connection failed (refused, reset, timed out, TLS): `code` says how. */
export class NetworkFailure extends Error {
  override readonly name = 'NetworkFailure';
  constructor(
    readonly code: string,
    options: { cause?: unknown },
  ) {
    super(code, options);
  }
}

const DEFAULT_TIMEOUT_MS = 60_000;
const TRANSIENT = new Set([
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'UND_ERR_SOCKET',
  'ECONNREFUSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'EAI_AGAIN',
  'timeout',
]);

export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason as Error)), { once: true });
  });

/** The low-level reason a request failed: the socket error code, or `timeout`. */
export function failureCode(err: unknown): string {
  if ((err as { name?: string }).name === 'TimeoutError') return 'timeout';
  const cause = (err as { cause?: { code?: string; message?: string; name?: string } }).cause;
  if (cause?.name === 'TimeoutError') return 'timeout';
  return (err as { code?: string }).code ?? cause?.code ?? cause?.message ?? (err as Error).message;
}

const redact = (url: URL): string => url.toString().replace(/([?&](?:_state|token|access_token)=)[^&]*/g, '$1…');

/**
 * What callers read of a response: fetch's names, so code reads as it would with fetch. It is Node's http
 * underneath: fetch's implementation (undici) costs a sign step ~15 ms just to load.
 */
export interface HttpResponse {
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  readonly headers: { get(name: string): string | null };
  /** Null for HEAD and the statuses that carry no body. */
  readonly body: ReadableStream<Uint8Array> | null;
}

/** Send one request under the policy; any status comes back for the caller to judge. */
export async function httpFetch(url: string | URL, req: HttpRequest, policy: HttpPolicy = {}): Promise<HttpResponse> {
  const target = new URL(url);
  const log = policy.logger ?? silentLogger;
  const maxAttempts = policy.maxAttempts ?? 1;
  const method = req.method ?? 'GET';
  for (let attempt = 1; ; attempt++) {
    policy.onAttempt?.(target);
    log.debug(`${method} ${redact(target)}${attempt > 1 ? ` (attempt ${attempt})` : ''}`);
    const timeout = AbortSignal.timeout(policy.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const signal = policy.signal ? AbortSignal.any([policy.signal, timeout]) : timeout;
    let res: HttpResponse;
    try {
      res = await send(
        target,
        { method, headers: { ...req.headers }, body: req.body },
        { signal, timeout, redirect: policy.redirect ?? 'follow' },
      );
    } catch (err) {
      if (policy.signal?.aborted) throw err;
      const code = failureCode(err);
      if (attempt < maxAttempts && TRANSIENT.has(code)) {
        const delay = backoff(attempt, policy.maxRetryDelayMs);
        log.debug(`${method} ${redact(target)} failed (${code}); retrying in ${delay} ms`);
        await sleep(delay, policy.signal);
        continue;
      }
      throw new NetworkFailure(code, { cause: err });
    }
    if (attempt < maxAttempts && policy.retryStatus?.(res.status)) {
      const delay =
        retryAfter(res.headers.get('retry-after'), policy.maxRetryDelayMs ?? 30_000) ?? backoff(attempt, policy.maxRetryDelayMs);
      await res.body?.cancel();
      log.debug(`${method} ${redact(target)} answered ${res.status}; retrying in ${delay} ms`);
      await sleep(delay, policy.signal);
      continue;
    }
    return res;
  }
}

interface Outgoing {
  method: string;
  headers: Record<string, string>;
  body: HttpRequest['body'];
}

interface SendControl {
  signal: AbortSignal;
  timeout: AbortSignal;
  redirect: 'follow' | 'error' | 'manual';
  /** Redirects followed so far. */
  hops?: number;
}

const MAX_REDIRECTS = 20;
const timeoutError = () => Object.assign(new Error('timeout'), { name: 'TimeoutError' });

/** One exchange, following redirects as fetch does (Fetch standard, "HTTP-redirect fetch"). */
async function send(url: URL, out: Outgoing, control: SendControl): Promise<HttpResponse> {
  const redirects = control.hops ?? 0;
  const msg = await exchange(url, out, control);
  const status = msg.statusCode ?? 0;
  const location = msg.headers.location;
  if (![301, 302, 303, 307, 308].includes(status) || !location || control.redirect === 'manual')
    return new NodeResponse(msg, out.method, control);
  msg.resume();
  if (control.redirect === 'error') throw new Error('unexpected redirect');
  if (redirects >= MAX_REDIRECTS) throw new Error('too many redirects');
  const next = new URL(location, url);
  const headers = { ...out.headers };
  // A redirect to another origin drops the credentials (Fetch: "request's header list … Authorization").
  if (next.origin !== url.origin) for (const k of Object.keys(headers)) if (/^(authorization|cookie)$/i.test(k)) delete headers[k];
  const asGet = status === 303 ? out.method !== 'HEAD' : (status === 301 || status === 302) && out.method === 'POST';
  if (asGet) {
    for (const k of Object.keys(headers)) if (/^content-(type|length|encoding|language|location)$/i.test(k)) delete headers[k];
    return send(next, { method: out.method === 'HEAD' ? 'HEAD' : 'GET', headers, body: undefined }, { ...control, hops: redirects + 1 });
  }
  if (out.body instanceof ReadableStream) throw new Error('cannot follow a redirect with a streamed body');
  return send(next, { ...out, headers }, { ...control, hops: redirects + 1 });
}

async function exchange(url: URL, out: Outgoing, { signal, timeout }: SendControl): Promise<import('node:http').IncomingMessage> {
  const { request } = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  const headers = { ...out.headers };
  let body: Uint8Array | string | ReadableStream<Uint8Array> | undefined;
  if (out.body instanceof URLSearchParams) {
    body = out.body.toString();
    if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type'))
      headers['content-type'] = 'application/x-www-form-urlencoded;charset=UTF-8';
  } else body = out.body;
  if (typeof body === 'string' || body instanceof Uint8Array) headers['content-length'] = String(Buffer.byteLength(body));
  else if (body === undefined && ['POST', 'PUT', 'PATCH'].includes(out.method)) headers['content-length'] = '0';
  return new Promise((resolve, reject) => {
    const req = request(url, { method: out.method, headers, signal });
    req.once('response', resolve);
    // `on`, not `once`: a request destroyed after its response (a timeout) may still emit; rejecting then is a no-op.
    req.on('error', (err) => reject(timeout.aborted ? Object.assign(timeoutError(), { cause: err }) : err));
    if (body instanceof ReadableStream) void pipeWeb(body, req).catch((err: unknown) => req.destroy(err as Error));
    else req.end(body);
  });
}

/** A web stream into the request, respecting backpressure. */
async function pipeWeb(body: ReadableStream<Uint8Array>, req: import('node:http').ClientRequest): Promise<void> {
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!req.write(value)) await new Promise((r) => (req.once('drain', r), req.once('close', r)));
    // A request that failed or timed out stops reading its source, which frees the source's connection too.
    if (req.destroyed) return reader.cancel();
  }
  req.end();
}

const NULL_BODY = new Set([101, 204, 205, 304]);
/** A cancelled body this short is read out, within this long, to keep its connection. */
const DRAIN_LIMIT = 64 * 1024;
const DRAIN_MS = 2_000;

class NodeResponse implements HttpResponse {
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  readonly headers: { get(name: string): string | null };
  readonly body: ReadableStream<Uint8Array> | null;

  constructor(msg: import('node:http').IncomingMessage, method: string, { timeout }: SendControl) {
    this.status = msg.statusCode ?? 0;
    this.statusText = msg.statusMessage ?? '';
    this.ok = this.status >= 200 && this.status < 300;
    this.headers = {
      get: (name) => {
        const v = msg.headers[name.toLowerCase()];
        return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
      },
    };
    msg.on('error', () => {}); // reported through the body stream below, or irrelevant once it is done
    if (method === 'HEAD' || NULL_BODY.has(this.status)) {
      msg.resume(); // nothing to read: free the connection for the next request
      this.body = null;
      return;
    }
    // Pulled, not pushed: the socket is read only as fast as the caller reads (and bounded by readBody's limit).
    // Once closed, errored or cancelled, later socket events are ignored (a destroyed message still emits some).
    let done = false;
    const finish = (how: () => void) => {
      if (done) return;
      done = true;
      how();
    };
    const failure = (err?: Error) =>
      timeout.aborted
        ? Object.assign(timeoutError(), { cause: err })
        : (err ?? Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
    this.body = new ReadableStream<Uint8Array>({
      start(controller) {
        msg.pause();
        msg.on('data', (chunk: Buffer) => {
          if (done) return;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) msg.pause();
        });
        msg.once('end', () => finish(() => controller.close()));
        msg.once('error', (err) => finish(() => controller.error(failure(err))));
        msg.once('aborted', () => finish(() => controller.error(failure())));
        msg.once('close', () => finish(() => (msg.complete ? controller.close() : controller.error(failure()))));
      },
      pull() {
        msg.resume();
      },
      cancel() {
        done = true;
        // A short body (an empty 201/202, a 401's JSON) is read to its end so its connection serves the next request
        // instead of costing a new TLS handshake; a long or unsized one, or one that does not end soon, is cut off.
        if (msg.readableEnded) return;
        const length = Number(msg.headers['content-length'] ?? NaN);
        if (msg.complete || length <= DRAIN_LIMIT) {
          const cutOff = setTimeout(() => msg.destroy(), DRAIN_MS);
          cutOff.unref();
          msg.once('end', () => clearTimeout(cutOff));
          msg.resume();
        } else msg.destroy();
      },
    });
  }
}

function backoff(attempt: number, max = 30_000): number {
  const base = Math.min(200 * 2 ** (attempt - 1), max);
  return Math.round(base / 2 + Math.random() * (base / 2));
}

function retryAfter(value: string | null, max: number): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), max) : undefined;
}

/**
 * The slowest body read accepted: after `graceMs`, the average rate must stay above `bytesPerSecond`, so a
 * server that trickles a byte every few seconds fails within seconds instead of holding the run to the total
 * timeout. The defaults fit a CI runner on any working network (1 KiB/s after 10 s).
 */
export interface RateFloor {
  bytesPerSecond: number;
  graceMs: number;
}
const DEFAULT_RATE_FLOOR: RateFloor = { bytesPerSecond: 1024, graceMs: 10_000 };

/** A body over its limit: callers that know why the limit is what it is can say so. */
export class BodyTooLarge extends NotarySignError {}

/** Read a response body, refusing more than `limit` bytes (declared or streamed) and reads under the rate floor. */
export async function readBody(
  res: HttpResponse,
  { limit, what, code = 'REGISTRY', floor = DEFAULT_RATE_FLOOR }: { limit: number; what: string; code?: ErrorCode; floor?: RateFloor },
): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await res.body?.cancel();
    throw new BodyTooLarge(code, `${what} is ${declared} bytes, over the ${limit}-byte limit`);
  }
  if (!res.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  const reader = res.body.getReader();
  const started = Date.now();
  try {
    for (;;) {
      // The next chunk must arrive before the average rate since `started` falls under the floor.
      const due = started + floor.graceMs + (total * 1000) / floor.bytesPerSecond - Date.now();
      let timer: NodeJS.Timeout | undefined;
      const slow = new Promise<'slow'>((resolve) => (timer = setTimeout(() => resolve('slow'), Math.max(0, due))));
      const next = await Promise.race([reader.read(), slow]).finally(() => clearTimeout(timer));
      if (next === 'slow') {
        await reader.cancel().catch(() => {});
        throw new NetworkFailure(`slow: under ${floor.bytesPerSecond} bytes/s after ${total} bytes`, {});
      }
      if (next.done) break;
      total += next.value.byteLength;
      if (total > limit) {
        await reader.cancel().catch(() => {});
        throw new BodyTooLarge(code, `${what} exceeds the ${limit}-byte limit`);
      }
      chunks.push(Buffer.from(next.value));
    }
  } catch (err) {
    if (err instanceof NotarySignError || err instanceof NetworkFailure) throw err;
    throw new NetworkFailure(failureCode(err), { cause: err });
  }
  return Buffer.concat(chunks);
}
