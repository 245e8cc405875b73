import { ACCOUNT_LOCKDOWN_FINISHED, lockdownSummaryDedupKey } from '../domain/events';
import { PER_USER_LOCKDOWN_ACTIONS, type LockdownSummaryContext } from '../domain/notifications';
import type { Db } from '../lib/db';
import { writeEventOnce } from './event-once';
import type { Logger } from '../lib/logger';
import type { AuditEventWritten } from './audit';
import { anyRuleTriggered } from './notifications';

/** Failures named in the summary; the rest are counted (the lockdown's page lists them all). */
const SUMMARY_FAILURES = 20;

/**
 * The summary of a lockdown, written once when its run ends: who asked, why, how many users
 * were locked, failed or cancelled, how many containment made inactive, the first failures —
 * the event per-lockdown notification rules alert on, so a 300-user lockdown is one alert,
 * not 300. The per-user events stay as they are. Idempotent: one event per lockdown (its
 * dedup key), so a retried activity writes it once.
 */
export function createLockdownSummaryActivities(db: Db, logger: Logger) {
  return {
    async writeLockdownSummaryEvent(input: { lockdownId: string }): Promise<AuditEventWritten> {
      const { lockdownId } = input;
      const lockdown = await db.lockdown.findUniqueOrThrow({ where: { id: lockdownId } });
      const [byStatus, failures, perUser, callerTarget, onlyTarget] = await Promise.all([
        db.lockdownTarget.groupBy({ by: ['status'], where: { lockdownId }, _count: { _all: true } }),
        db.lockdownTarget.findMany({ where: { lockdownId, status: 'failed' }, orderBy: { position: 'asc' }, take: SUMMARY_FAILURES, select: { username: true, error: true } }),
        db.event.groupBy({ by: ['action'], where: { lockdownId, action: { in: [...PER_USER_LOCKDOWN_ACTIONS] } }, _count: { _all: true } }),
        lockdown.actorId ? db.lockdownTarget.findFirst({ where: { lockdownId, userId: lockdown.actorId }, select: { id: true } }) : null,
        db.lockdownTarget.findMany({ where: { lockdownId }, orderBy: { position: 'asc' }, take: 2, select: { username: true } }),
      ]);
      const count = (status: string) => byStatus.find((group) => group.status === status)?._count._all ?? 0;
      const targetCount = byStatus.reduce((sum, group) => sum + group._count._all, 0);
      const context: LockdownSummaryContext = {
        lockdown_id: lockdownId,
        status: lockdown.status,
        reason: lockdown.reason,
        requested_by: { id: lockdown.actorId, username: lockdown.actorUsername },
        self_service: lockdown.selfService,
        includes_caller: callerTarget !== null,
        target_count: targetCount,
        ...(onlyTarget.length === 1 ? { affected_user: onlyTarget[0].username } : {}),
        locked: count('locked'),
        failed: count('failed'),
        cancelled: count('cancelled'),
        contained: lockdown.containedCount,
        failures,
        per_user_events: Object.fromEntries(perUser.map((group) => [group.action, group._count._all])),
      };
      // A retry finds the event written first: its context (and so its alerts) stays the first one's.
      const event = await writeEventOnce(db, {
        action: ACCOUNT_LOCKDOWN_FINISHED,
        actor: { id: lockdown.actorId, username: lockdown.actorUsername },
        clientIp: lockdown.clientIp,
        lockdownId,
        workflowId: lockdown.workflowId,
        dedupKey: lockdownSummaryDedupKey(lockdownId),
        context: { ...context },
      });
      let notify = true;
      try {
        notify = await anyRuleTriggered(db, { action: event.action, clientIp: lockdown.clientIp, lockdownId, context: event.context });
      } catch (err) {
        logger.warn({ eventId: event.id, err }, 'could not check the notification rules; the notification workflow will');
      }
      logger.info({ lockdownId, eventId: event.id, targets: targetCount, notify }, 'lockdown summary event');
      return { eventId: event.id, notify };
    },
  };
}
