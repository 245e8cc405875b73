import { readFileSync } from 'node:fs';
import { Client, Connection, type TLSConfig } from '@temporalio/client';
import type { Config } from './config';
import { createDataConverter } from './data-converter';

type ConnectionSettings = Pick<
  Config,
  'TEMPORAL_ADDRESS' | 'TEMPORAL_TLS' | 'TEMPORAL_TLS_CA_PATH' | 'TEMPORAL_TLS_CERT_PATH' | 'TEMPORAL_TLS_KEY_PATH' | 'TEMPORAL_TLS_SERVER_NAME' | 'TEMPORAL_API_KEY'
>;

/**
 * How the API (client) and the worker (native connection) reach Temporal: plain on a local
 * server; TLS, mTLS (client certificate) or an API key for Temporal Cloud or a secured cluster.
 * Both connection types take the same shape.
 */
export function temporalConnectionOptions(config: ConnectionSettings): { address: string; tls?: TLSConfig; apiKey?: string } {
  const mtls = config.TEMPORAL_TLS_CERT_PATH && config.TEMPORAL_TLS_KEY_PATH;
  const useTls = config.TEMPORAL_TLS ?? Boolean(config.TEMPORAL_API_KEY || mtls || config.TEMPORAL_TLS_CA_PATH);
  if (!useTls) return { address: config.TEMPORAL_ADDRESS };
  const read = (variable: keyof ConnectionSettings, file: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new Error(`${variable}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
    }
  };
  const tls: TLSConfig = {
    ...(config.TEMPORAL_TLS_SERVER_NAME ? { serverNameOverride: config.TEMPORAL_TLS_SERVER_NAME } : {}),
    ...(config.TEMPORAL_TLS_CA_PATH ? { serverRootCACertificate: read('TEMPORAL_TLS_CA_PATH', config.TEMPORAL_TLS_CA_PATH) } : {}),
    ...(mtls
      ? { clientCertPair: { crt: read('TEMPORAL_TLS_CERT_PATH', config.TEMPORAL_TLS_CERT_PATH!), key: read('TEMPORAL_TLS_KEY_PATH', config.TEMPORAL_TLS_KEY_PATH!) } }
      : {}),
  };
  return { address: config.TEMPORAL_ADDRESS, tls, ...(config.TEMPORAL_API_KEY ? { apiKey: config.TEMPORAL_API_KEY } : {}) };
}

export async function createTemporalClient(config: Config): Promise<Client> {
  const dataConverter = createDataConverter(config); // before connecting: a key problem stops the process first
  const connection = await Connection.connect(temporalConnectionOptions(config));
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter });
}

/** gRPC says the deadline passed: nothing answered in time (typically: no worker polling). */
export function isDeadlineExceeded(err: unknown): boolean {
  for (let current: unknown = err; current; current = (current as { cause?: unknown }).cause) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (code === 4 || (typeof message === 'string' && /deadline exceeded/i.test(message))) return true;
    if (typeof current !== 'object') break;
  }
  return false;
}

/** Where an operator sees a workflow in the Temporal Web UI. */
export function temporalUiUrl(config: Pick<Config, 'TEMPORAL_UI_URL' | 'TEMPORAL_NAMESPACE'>, workflowId: string): string {
  return `${config.TEMPORAL_UI_URL}/namespaces/${encodeURIComponent(config.TEMPORAL_NAMESPACE)}/workflows/${encodeURIComponent(workflowId)}`;
}
