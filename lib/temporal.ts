import { Client, Connection } from '@temporalio/client';
import type { Config } from './config';
import { createDataConverter } from './data-converter';

export async function createTemporalClient(config: Config): Promise<Client> {
  const dataConverter = createDataConverter(config); // before connecting: a key problem stops the process first
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
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
