import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP hop in front of a real server, to make it misbehave on demand: the next
 * requests are answered by the proxy itself (a 429 with Retry-After, a storm of 500s) or
 * held past the client's deadline; every other request is passed through unchanged.
 * It counts what it saw, so a test can tell how many requests a client really sent.
 */
export interface HttpFaultProxy {
  url: string;
  /** Requests received, faulted or passed through. */
  requests: number;
  /** Requests that reached the real server. */
  forwarded: number;
  /** Answers the next `count` requests with this status (and headers) instead of the server. */
  failNext(count: number, status: number, headers?: Record<string, string>): void;
  /** Holds the next `count` requests for `ms` before passing them on. */
  delayNext(count: number, ms: number): void;
  close(): Promise<void>;
}

interface Fault {
  remaining: number;
  apply(req: IncomingMessage, res: ServerResponse): void;
}

export async function startHttpFaultProxy(target: string): Promise<HttpFaultProxy> {
  const upstream = new URL(target);
  const faults: Fault[] = [];
  const held = new Set<NodeJS.Timeout>();
  const state = { requests: 0, forwarded: 0 };

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    state.forwarded += 1;
    const outgoing = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    outgoing.on('error', () => res.destroy());
    req.pipe(outgoing);
  };

  const server = createServer((req, res) => {
    state.requests += 1;
    const fault = faults[0];
    if (!fault) return forward(req, res);
    fault.remaining -= 1;
    if (fault.remaining === 0) faults.shift();
    fault.apply(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${upstream.pathname.replace(/\/$/, '')}`,
    get requests() {
      return state.requests;
    },
    get forwarded() {
      return state.forwarded;
    },
    failNext(count, status, headers = {}) {
      faults.push({
        remaining: count,
        apply: (req, res) => {
          req.resume();
          res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
          res.end(JSON.stringify({ detail: `injected HTTP ${status}` }));
        },
      });
    },
    delayNext(count, ms) {
      faults.push({
        remaining: count,
        apply: (req, res) => {
          const timer = setTimeout(() => {
            held.delete(timer);
            forward(req, res);
          }, ms);
          held.add(timer);
        },
      });
    },
    async close() {
      for (const timer of held) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
