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

/** The low-level reason a fetch failed: the socket error code, or `timeout`. */
export function failureCode(err: unknown): string {
  if ((err as { name?: string }).name === 'TimeoutError') return 'timeout';
  const cause = (err as { cause?: { code?: string; message?: string; name?: string } }).cause;
  if (cause?.name === 'TimeoutError') return 'timeout';
  return cause?.code ?? cause?.message ?? (err as Error).message;
}

const redact = (url: URL): string => url.toString().replace(/([?&](?:_state|token|access_token)=)[^&]*/g, '$1…');

/** Send one request under the policy; any status comes back for the caller to judge. */
export async function httpFetch(url: string | URL, req: HttpRequest, policy: HttpPolicy = {}): Promise<Response> {
  const target = new URL(url);
  const log = policy.logger ?? silentLogger;
  const maxAttempts = policy.maxAttempts ?? 1;
  const method = req.method ?? 'GET';
  for (let attempt = 1; ; attempt++) {
    policy.onAttempt?.(target);
    log.debug(`${method} ${redact(target)}${attempt > 1 ? ` (attempt ${attempt})` : ''}`);
    const timeout = AbortSignal.timeout(policy.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const signal = policy.signal ? AbortSignal.any([policy.signal, timeout]) : timeout;
    let res: Response;
    try {
      res = await fetch(target, {
        method,
        ...(req.headers ? { headers: req.headers } : {}),
        ...(req.body !== undefined ? { body: req.body as BodyInit } : {}),
        // Node's fetch streams a request body only in half-duplex mode.
        ...(req.body instanceof ReadableStream ? { duplex: 'half' } : {}),
        redirect: policy.redirect ?? 'follow',
        signal,
      });
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
  res: Response,
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
