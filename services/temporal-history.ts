import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../lib/payload-codec';

/**
 * Reads Temporal histories for people: one page at a time, payloads decrypted and decoded to
 * their JSON values, and no stack traces (they carry the server's file paths).
 */
export type HistoryEvent = Record<string, unknown>;

export interface HistoryPage {
  events: HistoryEvent[];
  nextPageToken: string | null;
  /** Set on the last page of a run that continued as new. */
  continuedAsNewRunId: string | null;
}

/** Temporal says the workflow (or run) is not there: never started, or past retention. */
export function isNotFound(err: unknown): boolean {
  return err instanceof WorkflowNotFoundError || (err as { code?: unknown })?.code === 5;
}

/** Temporal refused the request's arguments (gRPC INVALID_ARGUMENT), e.g. a run id or page token that is not one of its own. */
export function isInvalidArgument(err: unknown): boolean {
  return (err as { code?: unknown })?.code === 3;
}

/** With a codec, payloads are decrypted and decoded; without, they stay as Temporal stores them. */
export function createHistoryReader(temporal: Client, namespace: string, codec: PayloadCodec | null) {
  async function readPage(workflowId: string, runId: string | undefined, pageSize: number, pageToken: string | null): Promise<HistoryPage> {
    const response = await temporal.workflowService.getWorkflowExecutionHistory({
      namespace,
      execution: { workflowId, runId },
      maximumPageSize: pageSize,
      nextPageToken: pageToken ? Buffer.from(pageToken, 'base64') : undefined,
    });
    const history = response.history ?? { events: [] };
    const events = (JSON.parse(historyToJSON(history)) as { events?: HistoryEvent[] }).events ?? [];
    const last = history.events?.[history.events.length - 1];
    const token = response.nextPageToken && response.nextPageToken.length > 0 ? Buffer.from(response.nextPageToken).toString('base64') : null;
    return {
      events: await decodeEvents(events),
      nextPageToken: token,
      continuedAsNewRunId: token ? null : (last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? null),
    };
  }

  /** Every event of every run of a workflow (small workflows: the per-user ones). */
  async function readAll(workflowId: string, maxEvents = 10_000): Promise<{ runId: string; events: HistoryEvent[] }[]> {
    const runs: { runId: string; events: HistoryEvent[] }[] = [];
    let runId: string | undefined;
    let token: string | null = null;
    let count = 0;
    for (;;) {
      const page = await readPage(workflowId, runId, 1_000, token);
      const firstRunId = (page.events[0]?.workflowExecutionStartedEventAttributes as { originalExecutionRunId?: string } | undefined)?.originalExecutionRunId;
      if (!token) runs.push({ runId: runId ?? firstRunId ?? '', events: [] });
      runs[runs.length - 1].events.push(...page.events);
      count += page.events.length;
      if (count >= maxEvents) break;
      if (page.nextPageToken) token = page.nextPageToken;
      else if (page.continuedAsNewRunId) [runId, token] = [page.continuedAsNewRunId, null];
      else break;
    }
    return runs;
  }

  async function decodeEvents(events: HistoryEvent[]): Promise<HistoryEvent[]> {
    return (await decodeValue(events)) as HistoryEvent[];
  }

  async function decodeValue(value: unknown): Promise<unknown> {
    if (Array.isArray(value)) return Promise.all(value.map(decodeValue));
    if (value === null || typeof value !== 'object') return value;
    if (codec && isJsonPayload(value)) return decodePayload(codec, value);
    const entries = await Promise.all(
      Object.entries(value)
        .filter(([key]) => key !== 'stackTrace') // server file paths: never shown to readers
        .map(async ([key, inner]) => [key, await decodeValue(inner)] as const),
    );
    return Object.fromEntries(entries);
  }

  async function decodePayload(codec: PayloadCodec, json: { metadata: Record<string, string>; data?: string }): Promise<unknown> {
    const payload: Payload = {
      metadata: Object.fromEntries(Object.entries(json.metadata).map(([key, value]) => [key, Buffer.from(value, 'base64')])),
      data: Buffer.from(json.data ?? '', 'base64'),
    };
    try {
      const [clear] = await codec.decode([payload]);
      return defaultPayloadConverter.fromPayload(clear);
    } catch {
      // A key no longer configured: say so rather than fail the whole page.
      const keyId = json.metadata[KEY_ID_METADATA] ? Buffer.from(json.metadata[KEY_ID_METADATA], 'base64').toString('utf8') : null;
      return { undecodable: true, encoding: ENCRYPTED_ENCODING, keyId };
    }
  }

  /** Runs `fn` with a deadline on its Temporal calls. */
  const withDeadline = <T>(ms: number, fn: () => Promise<T>) => temporal.withDeadline(Date.now() + ms, fn);

  return { readPage, readAll, decodeEvents, withDeadline };
}

export type HistoryReader = ReturnType<typeof createHistoryReader>;

function isJsonPayload(value: object): value is { metadata: Record<string, string>; data?: string } {
  const metadata = (value as { metadata?: unknown }).metadata;
  return typeof metadata === 'object' && metadata !== null && typeof (metadata as { encoding?: unknown }).encoding === 'string';
}
