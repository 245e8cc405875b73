import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** Real receivers for notification tests: an HTTP server and an SMTP server, both on 127.0.0.1. */

export interface WebhookCall {
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  body: Record<string, unknown>;
  /** What the receiver answered. */
  status: number;
}

export interface WebhookReceiver {
  url(path: string): string;
  calls(path: string): WebhookCall[];
  /** The next `count` calls to `path` are answered 500. */
  failNext(path: string, count: number): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const calls: WebhookCall[] = [];
  const failuresLeft = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const failures = failuresLeft.get(path) ?? 0;
      failuresLeft.set(path, Math.max(0, failures - 1));
      const status = failures > 0 ? 500 : 200;
      calls.push({ path, headers: req.headers, rawBody, body: JSON.parse(rawBody), status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    calls: (path) => calls.filter((call) => call.path === path),
    failNext: (path, count) => void failuresLeft.set(path, count),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface ReceivedEmail {
  to: string[];
  raw: string;
  header(name: string): string | undefined;
}

export interface SmtpReceiver {
  port: number;
  messagesTo(address: string): ReceivedEmail[];
  close(): Promise<void>;
}

export async function startSmtpReceiver(): Promise<SmtpReceiver> {
  const messages: ReceivedEmail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const headerBlock = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
        messages.push({
          to: session.envelope.rcptTo.map((address) => address.address),
          raw,
          header: (name) => decodeEncodedWords(new RegExp(`^${name}: (.*)$`, 'im').exec(headerBlock)?.[1]),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    messagesTo: (address) => messages.filter((message) => message.to.includes(address)),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A port nothing listens on: a receiver that is down. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A header as the reader sees it: RFC 2047 encoded words (`=?UTF-8?Q?…?=`, `=?UTF-8?B?…?=`,
 * which mailers use for any non-ASCII text, e.g. a dash in a subject) decoded; the space
 * between two adjacent encoded words belongs to neither.
 */
function decodeEncodedWords(value: string | undefined): string | undefined {
  return value?.replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=(?:\s+(?==\?))?/g, (_word, _charset: string, encoding: string, text: string) =>
    encoding.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_hex, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8'),
  );
}
