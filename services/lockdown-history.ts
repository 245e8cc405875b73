import { z } from 'zod';
import { unavailableError } from '../domain/errors';
import { decodeCursor, encodeCursor, invalidCursor, rowPosition } from './cursor';
import type { Config } from '../lib/config';
import type { Db } from '../lib/db';
import { isDeadlineExceeded } from '../lib/temporal';
import { userLockdownWorkflowId } from '../workflows/ids';
import type { Lockdown as LockdownRow } from '../generated/prisma/client';
import { isInvalidArgument, isNotFound, type HistoryEvent, type HistoryReader } from './temporal-history';

/**
 * A lockdown's Temporal event history, decoded, one page at a time: first the events of the
 * lockdown workflow (every run, following continue-as-new), then — with children=true — its
 * per-user workflows, a few users per page. Supporting evidence only: it disappears after the
 * namespace's retention; PostgreSQL keeps the record (see the timeline).
 */
const CHILDREN_PER_PAGE = 20;

// Temporal's run ids are UUIDs; its page tokens are opaque (one it refuses is a forged cursor too, see below).
const HistoryCursor = z.discriminatedUnion('phase', [
  z.object({ phase: z.literal('parent'), runId: z.guid(), token: z.base64().max(10_000).nullish() }),
  z.object({ phase: z.literal('children'), position: rowPosition }),
]);
type HistoryCursor = z.infer<typeof HistoryCursor>;

interface Run {
  runId: string;
  events: HistoryEvent[];
}

export interface HistoryQuery {
  children: boolean;
  limit: number;
  cursor?: string;
}

export function createLockdownHistory(db: Db, reader: HistoryReader, config: Config) {
  async function parentPage(lockdown: LockdownRow, at: Extract<HistoryCursor, { phase: 'parent' }> | null, limit: number) {
    const runId = at?.runId || lockdown.runId || undefined;
    const page = await reader.readPage(lockdown.workflowId, runId, limit, at?.token ?? null);
    const firstRunId = (page.events[0]?.workflowExecutionStartedEventAttributes as { originalExecutionRunId?: string } | undefined)?.originalExecutionRunId;
    const runs: Run[] = [{ runId: runId ?? firstRunId ?? '', events: page.events }];
    const next: HistoryCursor | null = page.nextPageToken
      ? { phase: 'parent', runId: runs[0].runId, token: page.nextPageToken }
      : page.continuedAsNewRunId
        ? { phase: 'parent', runId: page.continuedAsNewRunId, token: null }
        : null;
    return { runs, next };
  }

  async function childrenPage(lockdown: LockdownRow, afterPosition: number) {
    const targets = await db.lockdownTarget.findMany({
      where: { lockdownId: lockdown.id, position: { gt: afterPosition } },
      orderBy: { position: 'asc' },
      take: CHILDREN_PER_PAGE + 1,
    });
    const page = targets.slice(0, CHILDREN_PER_PAGE);
    const children = await Promise.all(
      page.map(async (target) => {
        const workflowId = userLockdownWorkflowId(lockdown.id, target.userId);
        try {
          return { userId: target.userId, workflowId, started: true, runs: await reader.readAll(workflowId) };
        } catch (err) {
          // Never started (cancelled first, or still pending), or past retention.
          if (isNotFound(err)) return { userId: target.userId, workflowId, started: false, runs: [] };
          throw err;
        }
      }),
    );
    const next: HistoryCursor | null = targets.length > CHILDREN_PER_PAGE ? { phase: 'children', position: page[page.length - 1].position } : null;
    return { children, next };
  }

  return async function historyOf(lockdown: LockdownRow, query: HistoryQuery) {
    const at = decodeCursor(query.cursor, HistoryCursor);
    try {
      return await reader.withDeadline(config.API_WORKFLOW_DEADLINE_MS * 3, async () => {
        let runs: Run[] = [];
        let children;
        let next: HistoryCursor | null = null;
        let retained = true;
        if (!at || at.phase === 'parent') {
          try {
            ({ runs, next } = await parentPage(lockdown, at, query.limit));
          } catch (err) {
            if (!isNotFound(err)) throw err;
            retained = false;
          }
          // After the lockdown's own events, its per-user workflows (the first of them on this page).
          if (!next && query.children) ({ children, next } = await childrenPage(lockdown, -1));
        } else {
          ({ children, next } = await childrenPage(lockdown, at.position));
        }
        return { workflowId: lockdown.workflowId, retained, runs, ...(children ? { children } : {}), nextCursor: next ? encodeCursor(flatten(next)) : null };
      });
    } catch (err) {
      if (isDeadlineExceeded(err)) throw unavailableError('Temporal did not answer in time. Try again shortly.', 'temporal_unavailable');
      // A run id or page token of the cursor that Temporal refuses: a forged or foreign cursor.
      if (at && isInvalidArgument(err)) throw invalidCursor();
      throw err;
    }
  };
}

/** Cursors are flat JSON objects (lib/cursor.ts): a null token is left out. */
function flatten(cursor: HistoryCursor): Record<string, string | number> {
  if (cursor.phase === 'children') return cursor;
  return cursor.token ? { phase: 'parent', runId: cursor.runId, token: cursor.token } : { phase: 'parent', runId: cursor.runId };
}
