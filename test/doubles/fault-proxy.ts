import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { Faults, readBody } from './faults.js';

/**
 * A loopback HTTP proxy in front of a real registry that injects faults
 * (429 + Retry-After, 502/503, connection resets, latency) and can replace
 * responses (malformed or oversized bodies) for chosen paths.
 */
export interface FaultProxy {
  host: string;
  faults: Faults;
  /** Answer matching requests with this instead of proxying. */
  override(path: RegExp, respond: (req: IncomingMessage, res: ServerResponse) => void, opts?: { times?: number; method?: string }): void;
  stop(): Promise<void>;
}

export async function startFaultProxy(upstreamHost: string): Promise<FaultProxy> {
  const faults = new Faults();
  const overrides: { path: RegExp; method?: string; respond: (req: IncomingMessage, res: ServerResponse) => void; left: number }[] = [];
  const [uh, up] = upstreamHost.split(':');
  let host = '';
  const server = createServer(async (req, res) => {
    if ((await faults.apply(req, res)) === 'handled') return;
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const o = overrides.find((x) => x.left > 0 && x.path.test(path) && (!x.method || x.method === req.method));
    if (o) {
      o.left--;
      await readBody(req, 64 << 20);
      return o.respond(req, res);
    }
    const body = await readBody(req, 64 << 20);
    const headers = { ...req.headers, host, 'content-length': String(body.length) };
    delete headers['transfer-encoding'];
    const upstream = request({ host: uh, port: Number(up), method: req.method, path: req.url, headers }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.pipe(res);
    });
    upstream.on('error', () => {
      res.writeHead(502).end();
    });
    upstream.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  host = `127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    host,
    faults,
    override: (path, respond, opts = {}) =>
      void overrides.push({ path, respond, left: opts.times ?? 1, ...(opts.method ? { method: opts.method } : {}) }),
    stop: () => new Promise((r) => server.close(() => r())),
  };
}
