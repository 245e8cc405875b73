import { decodeCursor, encodeCursor, RowPosition } from './cursor';
import type { Db } from '../lib/db';
import { userLockdownWorkflowId } from '../workflows/ids';
import type { Lockdown as LockdownRow, LockdownTarget } from '../generated/prisma/client';
import { isNotFound, type HistoryEvent, type HistoryReader } from './temporal-history';
import { downstreamByUser, type DownstreamResultView } from './downstream';

/**
 * A lockdown as an auditor asks about it: who asked, when, from where, what the prompts were
 * answered, and for each user the steps with their times and counts, failures with reasons
 * and the notifications sent. Built from PostgreSQL (the record) and the decoded Temporal
 * histories (the times and answers); once Temporal's retention has removed the histories,
 * from PostgreSQL alone, and `source` says so.
 */
export interface TimelineEntry {
  at: string | null;
  what: string;
  detail?: Record<string, unknown>;
}
export interface TimelineStep {
  step: string;
  at: string | null;
  attempt?: number;
  count?: number | null;
  error?: string | null;
}
export interface TimelineUser {
  userId: string;
  username: string;
  position: number;
  status: string;
  error: string | null;
  sessionsRevoked: number;
  tokensRevoked: number;
  completedAt: string | null;
  workflowId: string;
  historyRetained: boolean;
  steps: TimelineStep[];
  notifications: { transport: string; mode: string; status: string; attempts: number; deliveredAt: string | null; lastError: string | null }[];
  /** Each downstream connector's result for the user (PostgreSQL, so it outlives the histories). */
  downstream: DownstreamResultView[];
}

const PARENT_EVENT_LIMIT = 20_000;
const CHILD_FETCHES_AT_ONCE = 8;

/** Counts the per-user steps return. */
const COUNTED_STEPS = new Set(['deleteSessions', 'revokeTokens']);

export function createLockdownTimeline(db: Db, reader: HistoryReader) {
  /** The lockdown-level part: from the record, plus what the parent workflow's history adds. */
  async function header(lockdown: LockdownRow) {
    const entries: TimelineEntry[] = [{ at: lockdown.createdAt.toISOString(), what: 'requested', detail: { by: lockdown.actorUsername, clientIp: lockdown.clientIp, reason: lockdown.reason } }];
    let retained = true;
    try {
      const runs = await reader.readAll(lockdown.workflowId, PARENT_EVENT_LIMIT);
      runs.forEach((run, index) => entries.push(...parentEntries(run.events, index === 0)));
    } catch (err) {
      if (!isNotFound(err)) throw err;
      retained = false;
    }
    if (lockdown.completedAt) entries.push({ at: lockdown.completedAt.toISOString(), what: `finished: ${lockdown.status}`, ...(lockdown.error ? { detail: { error: lockdown.error } } : {}) });
    // Temporal's times have nanoseconds, PostgreSQL's milliseconds: compare as instants (a stable sort keeps ties in order).
    entries.sort((a, b) => Date.parse(a.at ?? '') - Date.parse(b.at ?? ''));
    return {
      lockdown: {
        id: lockdown.id,
        status: lockdown.status,
        selfService: lockdown.selfService,
        flow: lockdown.flowSlug,
        requestedBy: { id: lockdown.actorId, username: lockdown.actorUsername },
        requestedAt: lockdown.createdAt.toISOString(),
        clientIp: lockdown.clientIp,
        reason: lockdown.reason,
        completedAt: lockdown.completedAt?.toISOString() ?? null,
        error: lockdown.error,
        workflowId: lockdown.workflowId,
      },
      source: retained ? ('temporal+postgresql' as const) : ('postgresql' as const),
      ...(retained ? {} : { note: 'Temporal no longer retains this lockdown’s history: the timeline is built from the PostgreSQL record alone (no step times or prompt answers).' }),
      events: entries,
    };
  }

  /** One user's timeline entry; its history is read only when `withHistory`. */
  async function userOf(
    lockdown: LockdownRow,
    target: LockdownTarget,
    notifications: Map<string, TimelineUser['notifications']>,
    downstream: Map<string, DownstreamResultView[]>,
    withHistory: boolean,
  ): Promise<TimelineUser> {
    const workflowId = userLockdownWorkflowId(lockdown.id, target.userId);
    let steps: TimelineStep[] = [];
    let historyRetained = false;
    if (withHistory && target.status !== 'pending' && target.status !== 'cancelled') {
      try {
        const runs = await reader.readAll(workflowId);
        steps = runs.flatMap((run) => userSteps(run.events));
        historyRetained = true;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    if (!historyRetained && target.completedAt) {
      steps = [{ step: target.status === 'locked' ? 'locked' : target.status, at: target.completedAt.toISOString(), ...(target.error ? { error: target.error } : {}) }];
    }
    return {
      userId: target.userId,
      username: target.username,
      position: target.position,
      status: target.status,
      error: target.error,
      sessionsRevoked: target.sessionsRevoked,
      tokensRevoked: target.tokensRevoked,
      completedAt: target.completedAt?.toISOString() ?? null,
      workflowId,
      historyRetained,
      steps,
      notifications: notifications.get(target.userId) ?? [],
      downstream: downstream.get(target.userId) ?? [],
    };
  }

  async function notificationsOf(lockdownId: string, userIds: string[]) {
    const events = await db.event.findMany({
      where: { lockdownId },
      select: { context: true, notificationDeliveries: { select: { status: true, attempts: true, deliveredAt: true, lastError: true, transport: { select: { name: true, mode: true } } } } },
    });
    const wanted = new Set(userIds);
    const byUser = new Map<string, TimelineUser['notifications']>();
    for (const event of events) {
      const userId = (event.context as { affected_user_id?: string } | null)?.affected_user_id;
      if (!userId || !wanted.has(userId)) continue;
      // A user's lockdown event and its downstream events each have their own notifications.
      byUser.set(userId, [
        ...(byUser.get(userId) ?? []),
        ...event.notificationDeliveries.map((delivery) => ({
          transport: delivery.transport.name,
          mode: delivery.transport.mode,
          status: delivery.status,
          attempts: delivery.attempts,
          deliveredAt: delivery.deliveredAt?.toISOString() ?? null,
          lastError: delivery.lastError,
        })),
      ]);
    }
    return byUser;
  }

  /** Users in request order from `afterPosition`, `limit` of them, with their histories fetched a few at a time. */
  async function usersPage(lockdown: LockdownRow, afterPosition: number, limit: number, withHistory: boolean) {
    const targets = await db.lockdownTarget.findMany({
      where: { lockdownId: lockdown.id, position: { gt: afterPosition } },
      orderBy: { position: 'asc' },
      take: limit + 1,
    });
    const page = targets.slice(0, limit);
    const userIds = page.map((target) => target.userId);
    const [notifications, downstream] = await Promise.all([notificationsOf(lockdown.id, userIds), downstreamByUser(db, lockdown.id, userIds)]);
    const users: TimelineUser[] = [];
    for (let start = 0; start < page.length; start += CHILD_FETCHES_AT_ONCE) {
      users.push(...(await Promise.all(page.slice(start, start + CHILD_FETCHES_AT_ONCE).map((target) => userOf(lockdown, target, notifications, downstream, withHistory)))));
    }
    return { users, more: targets.length > limit };
  }

  async function page(lockdown: LockdownRow, query: { limit: number; cursor?: string }) {
    const after = decodeCursor(query.cursor, RowPosition);
    const head = await header(lockdown);
    const { users, more } = await usersPage(lockdown, after?.position ?? -1, query.limit, head.source !== 'postgresql');
    return { ...head, users, nextCursor: more ? encodeCursor({ position: users[users.length - 1].position }) : null };
  }

  /** Every user, a page at a time, for streaming exports. */
  async function* allUsers(lockdown: LockdownRow, withHistory: boolean): AsyncGenerator<TimelineUser> {
    for (let after = -1; ; ) {
      const { users, more } = await usersPage(lockdown, after, 200, withHistory);
      yield* users;
      if (!more || users.length === 0) return;
      after = users[users.length - 1].position;
    }
  }

  return { page, header, allUsers };
}

export type LockdownTimeline = ReturnType<typeof createLockdownTimeline>;

type Attributes = Record<string, unknown> & {
  input?: { payloads?: unknown[] };
  result?: { payloads?: unknown[] };
  failure?: { message?: string };
};
const attributesOf = (event: HistoryEvent): Attributes => (Object.entries(event).find(([key]) => key.endsWith('EventAttributes'))?.[1] as Attributes) ?? {};
const firstPayload = (holder: { payloads?: unknown[] } | undefined) => holder?.payloads?.[0];

/** What the lockdown workflow's own history tells beyond the record: starts, prompt answers, cancels, statuses. */
function parentEntries(events: HistoryEvent[], firstRun: boolean): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  for (const event of events) {
    const at = (event.eventTime as string | undefined) ?? null;
    const attributes = attributesOf(event);
    switch (event.eventType) {
      case 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED': {
        const input = firstPayload(attributes.input) as { initialValues?: Record<string, string>; targetUserIds?: string[] } | undefined;
        if (firstRun) entries.push({ at, what: 'workflow started', detail: { targets: input?.targetUserIds?.length ?? null, values: input?.initialValues ?? {} } });
        break;
      }
      case 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED': {
        const request = attributes.acceptedRequest as { input?: { name?: string; args?: { payloads?: unknown[] } }; meta?: { identity?: string } } | undefined;
        if (request?.input?.name === 'submitPrompt') entries.push({ at, what: 'prompt answered', detail: { values: firstPayload(request.input.args) ?? {} } });
        break;
      }
      case 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED':
        if (attributes.signalName === 'cancel') entries.push({ at, what: 'cancel requested' });
        break;
      case 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED': {
        const type = (attributes.activityType as { name?: string } | undefined)?.name;
        const input = firstPayload(attributes.input) as { status?: string; finished?: boolean } | undefined;
        if (type === 'recordLockdownState' && input?.status && !input.finished) entries.push({ at, what: `status: ${input.status}` });
        break;
      }
      case 'EVENT_TYPE_MARKER_RECORDED': {
        // Since record-state-locally the state is recorded by a local activity, whose result says what.
        if (attributes.markerName !== 'core_local_activity') break;
        const details = attributes.details as Record<string, { payloads?: unknown[] }> | undefined;
        const data = firstPayload(details?.data) as { activity_type?: string } | undefined;
        const recorded = firstPayload(details?.result) as { status?: string; finished?: boolean } | undefined;
        if (data?.activity_type === 'recordLockdownState' && recorded?.status && !recorded.finished) entries.push({ at, what: `status: ${recorded.status}` });
        break;
      }
      case 'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW':
        entries.push({ at, what: 'continued as new (a fresh history for the next users)' });
        break;
      case 'EVENT_TYPE_WORKFLOW_EXECUTION_FAILED':
      case 'EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED':
      case 'EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT':
        entries.push({ at, what: event.eventType.replace('EVENT_TYPE_WORKFLOW_EXECUTION_', 'workflow ').toLowerCase(), detail: { error: attributes.failure?.message ?? attributes.reason ?? null } });
        break;
    }
  }
  return entries;
}

/** A per-user workflow's steps: local activities (markers) and, in older histories, activity tasks. */
function userSteps(events: HistoryEvent[]): TimelineStep[] {
  const steps: TimelineStep[] = [];
  const scheduled = new Map<string, string>();
  for (const event of events) {
    const at = (event.eventTime as string | undefined) ?? null;
    const attributes = attributesOf(event);
    switch (event.eventType) {
      case 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED':
        steps.push({ step: 'started', at });
        break;
      case 'EVENT_TYPE_MARKER_RECORDED': {
        if (attributes.markerName !== 'core_local_activity') break;
        const details = attributes.details as Record<string, { payloads?: unknown[] }> | undefined;
        const data = firstPayload(details?.data) as { activity_type?: string; attempt?: number; complete_time?: { seconds?: string | number; nanos?: number } } | undefined;
        const result = firstPayload(details?.result);
        const type = data?.activity_type ?? 'step';
        const completed = data?.complete_time?.seconds !== undefined ? new Date(Number(data.complete_time.seconds) * 1000 + Math.floor((data.complete_time.nanos ?? 0) / 1e6)).toISOString() : at;
        steps.push(stepOf(type, completed, result, attributes.failure?.message, data?.attempt));
        break;
      }
      case 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED':
        scheduled.set(String(event.eventId), (attributes.activityType as { name?: string } | undefined)?.name ?? 'step');
        break;
      case 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED':
      case 'EVENT_TYPE_ACTIVITY_TASK_FAILED':
        steps.push(stepOf(scheduled.get(String(attributes.scheduledEventId)) ?? 'step', at, firstPayload(attributes.result), attributes.failure?.message));
        break;
      case 'EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED':
        if ((attributes.workflowType as { name?: string } | undefined)?.name === 'deliverNotifications') steps.push({ step: 'notifications started', at });
        if ((attributes.workflowType as { name?: string } | undefined)?.name === 'lockdownDownstream') steps.push({ step: 'downstream connectors started', at });
        break;
      case 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED': {
        const result = firstPayload(attributes.result) as { success?: boolean; error?: string | null } | undefined;
        steps.push({ step: result?.success === false ? 'failed' : 'locked', at, ...(result?.error ? { error: result.error } : {}) });
        break;
      }
      case 'EVENT_TYPE_WORKFLOW_EXECUTION_FAILED':
        steps.push({ step: 'failed', at, error: attributes.failure?.message ?? null });
        break;
    }
  }
  return steps;
}

function stepOf(type: string, at: string | null, result: unknown, failure: string | undefined, attempt?: number): TimelineStep {
  return {
    step: type,
    at,
    ...(attempt && attempt > 1 ? { attempt } : {}),
    ...(COUNTED_STEPS.has(type) && typeof result === 'number' ? { count: result } : {}),
    ...(failure ? { error: failure } : {}),
  };
}
