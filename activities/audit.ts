import { ACCOUNT_LOCKDOWN_FAILED, ACCOUNT_LOCKDOWN_TRIGGERED, lockdownEventDedupKey, type LockdownEventAction } from '../domain/events';
import type { DeactivationCause } from '../domain/deactivation';
import { countsContext, type LockdownActionKey } from '../domain/lockdown-actions';
import type { Db } from '../lib/db';
import { writeEventOnce } from './event-once';
import type { Logger } from '../lib/logger';
import type { ActorRef } from '../domain/stages';
import type { LockdownActions } from '../domain/lockdown-actions';
import { anyRuleTriggered } from './notifications';

export interface LockdownAuditInput {
  lockdownId: string;
  userId: string;
  actor: ActorRef;
  reason: string;
  selfService: boolean;
  actions: LockdownActions;
  clientIp: string | null;
  /** The per-user workflow execution that wrote the event: its id and run. */
  workflowId: string;
  runId: string;
  /** The lockdown's own (parent) workflow. */
  parentWorkflowId: string;
  /** What caused the run when it was no lockdown request (a user deactivated or deleted). */
  cause?: DeactivationCause;
}

export interface AuditEventWritten {
  eventId: string;
  /** A notification rule triggers on the event: only then is a notification workflow started. */
  notify: boolean;
}

export function createAuditActivities(db: Db, logger: Logger) {
  /**
   * Writes the lockdown event of one user; returns its id and whether it notifies anyone.
   * The dedup key is unique, so a retried activity never writes a second event.
   */
  async function writeLockdownEvent(action: LockdownEventAction, input: LockdownAuditInput, extra: Record<string, unknown>): Promise<AuditEventWritten> {
    const target = await db.lockdownTarget.findUniqueOrThrow({
      where: { lockdownId_userId: { lockdownId: input.lockdownId, userId: input.userId } },
    });
    const event = await writeEventOnce(db, {
      action,
      actor: input.actor,
      clientIp: input.clientIp,
      lockdownId: input.lockdownId,
      workflowId: input.workflowId,
      dedupKey: lockdownEventDedupKey(input.lockdownId, input.userId),
      context: {
        reason: input.reason,
        affected_user: target.username,
        affected_user_id: input.userId,
        lockdown_id: input.lockdownId,
        workflow_id: input.workflowId,
        run_id: input.runId,
        parent_workflow_id: input.parentWorkflowId,
        self_service: input.selfService,
        actions: { ...input.actions },
        ...countsContext(target),
        ...(input.cause ? { cause: input.cause } : {}),
        ...extra,
      },
    });
    logger.info({ lockdownId: input.lockdownId, userId: input.userId, eventId: event.id, action: event.action, written: event.created }, 'lockdown audit event');
    return { eventId: event.id, notify: await notifies(event.id, event.action, input.clientIp, input.lockdownId) };
  }

  return {
    /** The `account_lockdown_triggered` event of a locked user. */
    writeLockdownAuditEvent(input: LockdownAuditInput): Promise<AuditEventWritten> {
      return writeLockdownEvent(ACCOUNT_LOCKDOWN_TRIGGERED, input, {});
    },

    /** The `account_lockdown_failed` event of a user whose run stopped after its target check. */
    writeLockdownFailedEvent(input: LockdownAuditInput & { stepsRun: LockdownActionKey[]; error: string }): Promise<AuditEventWritten> {
      const { stepsRun, error, ...event } = input;
      return writeLockdownEvent(ACCOUNT_LOCKDOWN_FAILED, event, { steps_run: stepsRun, error });
    },

    /**
     * A per-user run ended from outside (terminated, timed out) before it recorded its result:
     * the target is failed with why, and — when its account may have changed (the run had
     * passed its target check, or containment deactivated it) — gets its one
     * `account_lockdown_failed` event, unless the run wrote one. Returns that event, or null.
     * Idempotent: the event is written before the result, and a recorded result ends it.
     */
    async recordUnfinishedUserRun(input: LockdownAuditInput & { error: string; contained: boolean }): Promise<AuditEventWritten | null> {
      const { error, contained, ...event } = input;
      const where = { lockdownId_userId: { lockdownId: input.lockdownId, userId: input.userId } };
      const target = await db.lockdownTarget.findUniqueOrThrow({ where });
      if (target.status !== 'pending' && target.status !== 'running') return null;
      const passedCheck = target.status === 'running';
      const audit = passedCheck || contained ? await writeLockdownEvent(ACCOUNT_LOCKDOWN_FAILED, event, { steps_run: contained ? ['deactivateUser'] : [], error }) : null;
      await db.lockdownTarget.updateMany({
        where: { lockdownId: input.lockdownId, userId: input.userId, status: { in: ['pending', 'running'] } },
        data: { status: 'failed', error, completedAt: new Date() },
      });
      return audit;
    },
  };

  /** Whether the event triggers a notification rule; never fails the lockdown: when in doubt, the notification workflow decides. */
  async function notifies(eventId: string, action: string, clientIp: string | null, lockdownId: string): Promise<boolean> {
    try {
      return await anyRuleTriggered(db, { action, clientIp, lockdownId });
    } catch (err) {
      logger.warn({ eventId, err }, 'could not check the notification rules; the notification workflow will');
      return true;
    }
  }
}

/** Audit writes retry until they succeed (the spec): they are never made non-retryable. */
export const RETRIED_UNTIL_WRITTEN = new Set(['writeLockdownAuditEvent', 'writeLockdownFailedEvent', 'recordUnfinishedUserRun', 'requestLockdownApproval', 'recordApprovalDecision', 'writeLockdownSummaryEvent']);
