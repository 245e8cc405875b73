import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { unavailable } from '../api/http/errors';
import type { Config } from '../lib/config';
import type { Db } from '../lib/db';
import { isDeadlineExceeded } from '../lib/temporal';
import { userLockdownWorkflowId } from '../workflows/ids';
import type { Lockdown as LockdownRow } from '../generated/prisma/client';

/** Children whose histories one request returns; the per-user results are the complete record. */
const CHILD_HISTORY_LIMIT = 50;
// Continue-as-new chains of a 10,000-user lockdown stay far below this.
const MAX_RUNS = 1_000;

interface Run {
  runId: string;
  events: Record<string, unknown>[];
}

/**
 * A lockdown's Temporal event history, as JSON: every run of the parent (following
 * continue-as-new) and, on request, its per-user children. Supporting evidence only —
 * it disappears after the namespace's retention; PostgreSQL keeps the record.
 */
export function createLockdownHistory(db: Db, temporal: Client, config: Config) {
  async function runsOf(workflowId: string, firstRunId: string | undefined): Promise<Run[]> {
    const runs: Run[] = [];
    let runId = firstRunId;
    while (runs.length < MAX_RUNS) {
      const history = await temporal.workflow.getHandle(workflowId, runId).fetchHistory();
      const events = (JSON.parse(historyToJSON(history)) as { events: Record<string, unknown>[] }).events;
      const firstAttributes = history.events?.[0]?.workflowExecutionStartedEventAttributes;
      runs.push({ runId: runId ?? firstAttributes?.originalExecutionRunId ?? '', events });
      const last = history.events?.[history.events.length - 1];
      const next = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
      if (!next) break;
      runId = next;
    }
    return runs;
  }

  return async function historyOf(lockdown: LockdownRow, withChildren: boolean) {
    try {
      return await temporal.withDeadline(Date.now() + config.API_WORKFLOW_DEADLINE_MS * 3, async () => {
        const runs = await runsOf(lockdown.workflowId, lockdown.runId ?? undefined);
        if (!withChildren) return { workflowId: lockdown.workflowId, retained: true, runs };
        const targets = await db.lockdownTarget.findMany({
          where: { lockdownId: lockdown.id, status: { not: 'pending' } },
          orderBy: { position: 'asc' },
          take: CHILD_HISTORY_LIMIT + 1,
        });
        const children = [];
        for (const target of targets.slice(0, CHILD_HISTORY_LIMIT)) {
          const workflowId = userLockdownWorkflowId(lockdown.id, target.userId);
          const childRuns = await runsOf(workflowId, undefined).catch((err) => {
            if (err instanceof WorkflowNotFoundError) return []; // cancelled before it started
            throw err;
          });
          children.push({ userId: target.userId, workflowId, runs: childRuns });
        }
        return { workflowId: lockdown.workflowId, retained: true, runs, children, childrenTruncated: targets.length > CHILD_HISTORY_LIMIT };
      });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return { workflowId: lockdown.workflowId, retained: false, runs: [] };
      if (isDeadlineExceeded(err)) throw unavailable('Temporal did not answer in time. Try again shortly.', 'temporal_unavailable');
      throw err;
    }
  };
}
