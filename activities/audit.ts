import { ACCOUNT_LOCKDOWN_TRIGGERED, lockdownEventDedupKey } from '../domain/events';
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';
import type { ActorRef, LockdownActions } from '../workflows/types';
import { anyRuleTriggered } from './notifications';

export interface LockdownAuditInput {
  lockdownId: string;
  userId: string;
  actor: ActorRef;
  reason: string;
  selfService: boolean;
  actions: LockdownActions;
  clientIp: string | null;
  /** The per-user workflow and its run. */
  workflowId: string;
  runId: string;
  parentWorkflowId: string;
}

export interface AuditEventWritten {
  eventId: string;
  /** A notification rule triggers on the event: only then is a notification workflow started. */
  notify: boolean;
}

export function createAuditActivities(db: Db, logger: Logger) {
  return {
    /**
     * Writes the `account_lockdown_triggered` event of one locked user; returns its id and
     * whether it notifies anyone. The dedup key is unique, so a retried activity never
     * writes a second event.
     */
    async writeLockdownAuditEvent(input: LockdownAuditInput): Promise<AuditEventWritten> {
      const target = await db.lockdownTarget.findUniqueOrThrow({
        where: { lockdownId_userId: { lockdownId: input.lockdownId, userId: input.userId } },
      });
      const dedupKey = lockdownEventDedupKey(input.lockdownId, input.userId);
      const { count } = await db.event.createMany({
        skipDuplicates: true,
        data: {
          action: ACCOUNT_LOCKDOWN_TRIGGERED,
          actorId: input.actor.id,
          actorSnapshot: { id: input.actor.id, username: input.actor.username },
          clientIp: input.clientIp,
          lockdownId: input.lockdownId,
          workflowId: input.parentWorkflowId,
          dedupKey,
          context: {
            reason: input.reason,
            affected_user: target.username,
            affected_user_id: input.userId,
            lockdown_id: input.lockdownId,
            workflow_id: input.parentWorkflowId,
            user_workflow_id: input.workflowId,
            run_id: input.runId,
            self_service: input.selfService,
            actions: { ...input.actions },
            sessions_revoked: target.sessionsRevoked,
            tokens_revoked: target.tokensRevoked,
          },
        },
      });
      const event = await db.event.findUniqueOrThrow({ where: { dedupKey }, select: { id: true } });
      logger.info({ lockdownId: input.lockdownId, userId: input.userId, eventId: event.id, written: count === 1 }, 'lockdown audit event');
      return { eventId: event.id, notify: await notifies(event.id, input.clientIp) };
    },
  };

  /** Whether the event triggers a notification rule; never fails the lockdown: when in doubt, the notification workflow decides. */
  async function notifies(eventId: string, clientIp: string | null): Promise<boolean> {
    try {
      return await anyRuleTriggered(db, { action: ACCOUNT_LOCKDOWN_TRIGGERED, clientIp });
    } catch (err) {
      logger.warn({ eventId, err }, 'could not check the notification rules; the notification workflow will');
      return true;
    }
  }
}
