import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server } from 'node:net';
import type { lookup } from 'node:dns';
import { normaliseOutboundUrl, outboundPolicy, refusedAddressLiteral } from '../../lib/outbound-address';
import { OutboundFailure, sendOutbound } from '../../lib/outbound-http';
import { closedPort } from '../support/receivers';

/** lib/outbound-address.ts and lib/outbound-http.ts against real sockets on 127.0.0.1. */

const loopbackAllowed = outboundPolicy('127.0.0.1');
const post = (url: string, options: { policy?: ReturnType<typeof outboundPolicy>; timeoutMs?: number; resolve?: typeof lookup; maxBodyBytes?: number } = {}) =>
  sendOutbound(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}', timeoutMs: options.timeoutMs ?? 2_000, policy: options.policy ?? loopbackAllowed, resolve: options.resolve, maxBodyBytes: options.maxBodyBytes });
const reasonOf = (promise: Promise<unknown>) => promise.then(() => 'answered', (err: unknown) => (err instanceof OutboundFailure ? err.reason : `unexpected: ${String(err)}`));

async function listening<T extends Server | ReturnType<typeof createHttpServer>>(server: T): Promise<{ server: T; port: number }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

describe('the outbound address policy', () => {
  it('refuses every address that is not public unicast, unless allowed', () => {
    const policy = outboundPolicy();
    const refused = ['127.0.0.1', '::1', '10.1.2.3', '172.16.0.1', '192.168.0.1', '169.254.169.254', 'fd00:ec2::254', 'fe80::1', '100.64.0.1', 'fc00::1', '224.0.0.1', 'ff02::1', '0.0.0.0', '::', '::ffff:127.0.0.1', '64:ff9b::a00:1', '255.255.255.255'];
    expect(refused.filter((address) => policy.allows('example.test', address))).toEqual([]);
    expect(['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'].every((address) => policy.allows('example.test', address))).toBe(true);
    const allowing = outboundPolicy('10.0.0.0/8, 127.0.0.1, siem.corp');
    expect(allowing.allows('x', '10.9.9.9')).toBe(true);
    expect(allowing.allows('x', '::ffff:127.0.0.1')).toBe(true);
    expect(allowing.allows('x', '127.0.0.2')).toBe(false);
    expect(allowing.allows('SIEM.corp', '192.168.5.5')).toBe(true);
    expect(allowing.allows('other.corp', '192.168.5.5')).toBe(false);
  });

  it('normalises URLs and refuses user info, whitespace, control characters, backslashes and other schemes', () => {
    expect(normaliseOutboundUrl('HTTPS://Example.TEST:443/a/../b?x=1#f')).toEqual({ ok: true, url: 'https://example.test/b?x=1' });
    expect(normaliseOutboundUrl('http://2130706433/')).toEqual({ ok: true, url: 'http://127.0.0.1/' });
    for (const raw of [' http://example.test/', 'http://example.test/\t', 'http://a\\@127.0.0.1/', 'http://user@example.test/', 'http://u:p@example.test/', 'ftp://example.test/', 'javascript:alert(1)', 'not a url', 'http://exa\u0000mple.test/']) {
      expect({ raw, ok: normaliseOutboundUrl(raw).ok }).toEqual({ raw, ok: false });
    }
    expect(refusedAddressLiteral('http://[::1]/', loopbackAllowed)).toBe(true);
    expect(refusedAddressLiteral('http://127.0.0.1/', loopbackAllowed)).toBe(false);
    expect(refusedAddressLiteral('http://localhost/', outboundPolicy())).toBe(false); // judged when sent
  });
});

describe('sending under the policy', () => {
  it('when the destination is refused by the policy, whether written as an address or resolved from a name, then nothing connects', async () => {
    let connections = 0;
    const { server, port } = await listening(createHttpServer((_req, res) => res.end()).on('connection', () => connections++));
    try {
      expect(await reasonOf(post(`http://127.0.0.1:${port}/`, { policy: outboundPolicy() }))).toBe('address not allowed');
      expect(await reasonOf(post(`http://localhost:${port}/`, { policy: outboundPolicy() }))).toBe('address not allowed');
      expect(connections).toBe(0);
    } finally {
      server.close();
    }
  });

  it('resolves once and connects to the address it checked: a resolver that changes its answer afterwards is never asked again', async () => {
    const { server, port } = await listening(createHttpServer((_req, res) => res.writeHead(204).end()));
    const answers = ['127.0.0.1', '10.0.0.1'];
    let asked = 0;
    const rebinding = ((_host: string, _options: unknown, callback: (err: null, addresses: { address: string; family: number }[]) => void) => {
      callback(null, [{ address: answers[Math.min(asked++, answers.length - 1)], family: 4 }]);
    }) as unknown as typeof lookup;
    try {
      expect((await post(`http://rebinding.example.test:${port}/`, { resolve: rebinding })).status).toBe(204);
      expect(asked).toBe(1);
      // The second answer (a private address) is refused when it is the one checked.
      expect(await reasonOf(post(`http://rebinding.example.test:${port}/`, { resolve: rebinding }))).toBe('address not allowed');
    } finally {
      server.close();
    }
  });

  it('does not follow redirects and keeps only what it is asked to of the body', async () => {
    let followed = 0;
    const { server, port } = await listening(
      createHttpServer((req, res) => {
        if (req.url === '/target') followed++;
        res.writeHead(req.url === '/target' ? 200 : 302, { Location: '/target' }).end('x'.repeat(10_000));
      }),
    );
    try {
      expect(await post(`http://127.0.0.1:${port}/start`, { maxBodyBytes: 5 })).toMatchObject({ status: 302, body: 'xxxxx', truncated: true, headers: { location: '/target' } });
      expect(followed).toBe(0);
    } finally {
      server.close();
    }
  });

  it('reports failures in its fixed vocabulary, never the socket error text', async () => {
    const { server: resetting, port: resetPort } = await listening(createTcpServer((socket) => socket.resetAndDestroy()));
    const { server: notHttp, port: notHttpPort } = await listening(createTcpServer((socket) => socket.end('\u0000\u0000\u0006\u0004 PRI * HTTP/2.0 garbage\r\n\r\n')));
    const { server: silent, port: silentPort } = await listening(createTcpServer(() => undefined));
    try {
      expect(await reasonOf(post(`http://127.0.0.1:${await closedPort()}/`))).toBe('connection refused');
      expect(await reasonOf(post(`http://127.0.0.1:${resetPort}/`))).toBe('connection reset');
      expect(await reasonOf(post(`http://127.0.0.1:${notHttpPort}/`))).toBe('not an HTTP answer');
      expect(await reasonOf(post(`http://127.0.0.1:${silentPort}/`, { timeoutMs: 200 }))).toBe('timed out');
      expect(await reasonOf(post('http://host.invalid/', { policy: outboundPolicy() }))).toBe('host not found');
    } finally {
      for (const server of [resetting, notHttp, silent]) server.close();
    }
  });
});
