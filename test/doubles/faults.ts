import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Fault injection shared by every double: queued faults taken by matching
 * requests, plus a fixed latency. Counts requests so benches and tests can
 * assert how many calls each host received.
 */
// The transient answers each service documents (GitHub's token endpoint: the 502/503/504 that @actions/core retries;
// ACR: 429 with Retry-After and 5xx, Azure/acr docs/Troubleshooting; Key Vault: 429, learn.microsoft.com "Azure Key
// Vault throttling guidance"), a dropped connection, and for Azure a token that has expired.
export type FaultKind = '429' | '500' | '502' | '503' | '504' | 'reset' | 'expired-token';
export interface Fault {
  kind: FaultKind;
  /** Request path pattern; any path when absent. */
  path?: RegExp;
  method?: string;
  /** How many matching requests get the fault (default 1). */
  times?: number;
  /** Seconds, for 429/503. */
  retryAfter?: number;
}

export class Faults {
  private queue: (Fault & { left: number })[] = [];
  latencyMs = 0;
  readonly requests: string[] = [];
  /** When each request arrived and its response finished (performance.now()), for critical-path benchmarks. */
  readonly timeline: { start: number; end: number }[] = [];

  add(fault: Fault): void {
    this.queue.push({ ...fault, left: fault.times ?? 1 });
  }
  clear(): void {
    this.queue = [];
    this.requests.length = 0;
    this.timeline.length = 0;
  }
  count(pattern: RegExp): number {
    return this.requests.filter((r) => pattern.test(r)).length;
  }

  /** Apply latency and any matching fault; true when the response was handled here. */
  async apply(req: IncomingMessage, res: ServerResponse): Promise<FaultKind | 'handled' | undefined> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    this.requests.push(`${req.method} ${path}`);
    const span = { start: performance.now(), end: Number.NaN };
    this.timeline.push(span);
    res.once('close', () => (span.end = performance.now()));
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    const f = this.queue.find((q) => q.left > 0 && (!q.path || q.path.test(path)) && (!q.method || q.method === req.method));
    if (!f) return undefined;
    f.left--;
    switch (f.kind) {
      case 'reset':
        req.socket.destroy();
        return 'handled';
      case 'expired-token':
        return 'expired-token';
      default: {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (f.retryAfter !== undefined) headers['retry-after'] = String(f.retryAfter);
        res.writeHead(Number(f.kind), headers);
        res.end(JSON.stringify({ error: { code: f.kind === '429' ? 'Throttled' : 'ServiceUnavailable', message: `injected ${f.kind}` } }));
        return 'handled';
      }
    }
  }
}

export function readBody(req: IncomingMessage, limit = 1 << 20): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
      if (n > limit) req.destroy(new Error('body too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
