import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../lib/config';
import { temporalConnectionOptions } from '../../lib/temporal';

/** How TEMPORAL_* settings become the connection options of the client and the worker. */
const base = { DATABASE_URL: 'postgresql://u:p@127.0.0.1:5432/db', TEMPORAL_ADDRESS: 'temporal.example.com:7233' };
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'temporal-tls-'));
  for (const name of ['ca.pem', 'client.pem', 'client.key']) writeFileSync(path.join(dir, name), `contents of ${name}`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('temporalConnectionOptions', () => {
  it('when nothing is set, then the connection is plain', () => {
    expect(temporalConnectionOptions(loadConfig(base))).toEqual({ address: 'temporal.example.com:7233' });
  });

  it('when an API key is set, then TLS is on with the system roots and the key is sent', () => {
    expect(temporalConnectionOptions(loadConfig({ ...base, TEMPORAL_API_KEY: 'key-123' }))).toEqual({ address: 'temporal.example.com:7233', tls: {}, apiKey: 'key-123' });
  });

  it('when a client certificate and key are set, then mTLS presents them, with the CA and server name given', () => {
    const options = temporalConnectionOptions(
      loadConfig({
        ...base,
        TEMPORAL_TLS_CERT_PATH: path.join(dir, 'client.pem'),
        TEMPORAL_TLS_KEY_PATH: path.join(dir, 'client.key'),
        TEMPORAL_TLS_CA_PATH: path.join(dir, 'ca.pem'),
        TEMPORAL_TLS_SERVER_NAME: 'frontend.internal',
      }),
    );
    expect(options.apiKey).toBeUndefined();
    expect(options.tls).toEqual({
      serverNameOverride: 'frontend.internal',
      serverRootCACertificate: Buffer.from('contents of ca.pem'),
      clientCertPair: { crt: Buffer.from('contents of client.pem'), key: Buffer.from('contents of client.key') },
    });
  });

  it('when TEMPORAL_TLS=true alone, then TLS is on with the system roots', () => {
    expect(temporalConnectionOptions(loadConfig({ ...base, TEMPORAL_TLS: 'true' })).tls).toEqual({});
  });

  it('when a certificate file is missing, then the error names the variable and the file', () => {
    const config = loadConfig({ ...base, TEMPORAL_TLS_CERT_PATH: path.join(dir, 'nope.pem'), TEMPORAL_TLS_KEY_PATH: path.join(dir, 'client.key') });
    expect(() => temporalConnectionOptions(config)).toThrow(/TEMPORAL_TLS_CERT_PATH: cannot read .*nope\.pem \(ENOENT\)/);
  });
});

describe('TLS settings validation', () => {
  it('when only the certificate is set, then the missing key is named', () => {
    expect(() => loadConfig({ ...base, TEMPORAL_TLS_CERT_PATH: '/c.pem' })).toThrow(/TEMPORAL_TLS_KEY_PATH: TEMPORAL_TLS_KEY_PATH is required with TEMPORAL_TLS_CERT_PATH/);
  });

  it('when TLS is turned off with an API key, then it is refused', () => {
    expect(() => loadConfig({ ...base, TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: 'k' })).toThrow(ConfigError);
  });

  it('when the worker ports are not numbers, then they are refused by name', () => {
    expect(() => loadConfig({ ...base, WORKER_METRICS_PORT: 'ninety' })).toThrow(/WORKER_METRICS_PORT/);
  });
});
