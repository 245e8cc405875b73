import { APPROVAL_EVENT_ACTIONS, APPROVAL_REQUESTED, type ApprovalOutcome, type ApprovalRecord } from '../domain/approval';
import type { Db } from '../lib/db';
import { writeEventOnce } from './event-once';
import type { Logger } from '../lib/logger';
import type { AuditEventWritten } from './audit';
import { anyRuleTriggered } from './notifications';

/**
 * The approval steps of a lockdown that waits for a second person. Idempotent: each event has
 * a unique key per lockdown (one request, one decision), so a retried activity writes once.
 */
export function createApprovalActivities(db: Db, logger: Logger) {
  async function recordApproval(lockdownId: string, change: Partial<ApprovalRecord>) {
    const lockdown = await db.lockdown.findUniqueOrThrow({ where: { id: lockdownId } });
    const approval = { ...((lockdown.approval ?? {}) as object), ...change };
    await db.lockdown.update({ where: { id: lockdownId }, data: { approval } });
    return lockdown;
  }

  async function writeEvent(lockdownId: string, action: string, dedupKey: string, actor: { id: string; username: string } | null, context: Record<string, unknown>) {
    const lockdown = await db.lockdown.findUniqueOrThrow({ where: { id: lockdownId } });
    const targetCount = await db.lockdownTarget.count({ where: { lockdownId } });
    const event = await writeEventOnce(db, {
      action,
      // An expiry has no person behind it: the timer (recorded as the system).
      actor,
      clientIp: lockdown.clientIp,
      lockdownId,
      workflowId: lockdown.workflowId,
      dedupKey,
      context: {
        lockdown_id: lockdownId,
        reason: lockdown.reason,
        requested_by: { id: lockdown.actorId, username: lockdown.actorUsername },
        target_count: targetCount,
        ...context,
      },
    });
    let notify = true;
    try {
      notify = await anyRuleTriggered(db, { action, clientIp: lockdown.clientIp });
    } catch (err) {
      logger.warn({ eventId: event.id, err }, 'could not check the notification rules; the notification workflow will');
    }
    logger.info({ lockdownId, eventId: event.id, action }, 'lockdown approval event');
    return { eventId: event.id, notify };
  }

  return {
    /** Marks the lockdown as waiting until `expiresAt` and writes the event that notifies the approvers. */
    async requestLockdownApproval(input: { lockdownId: string; expiresAt: string }): Promise<AuditEventWritten> {
      const lockdown = await recordApproval(input.lockdownId, { expiresAt: input.expiresAt });
      const requester = { id: lockdown.actorId ?? '', username: lockdown.actorUsername };
      return writeEvent(input.lockdownId, APPROVAL_REQUESTED, `${APPROVAL_REQUESTED}:${input.lockdownId}`, lockdown.actorId ? requester : null, {
        expires_at: input.expiresAt,
        approve: `/api/v1/lockdowns/${input.lockdownId}/approve`,
        reject: `/api/v1/lockdowns/${input.lockdownId}/reject`,
      });
    },

    /** Records how the wait ended (approved, rejected, expired) and writes its one event. */
    async recordApprovalDecision(input: {
      lockdownId: string;
      outcome: ApprovalOutcome;
      approver: { id: string; username: string } | null;
      comment: string | null;
      decidedAt: string;
    }): Promise<AuditEventWritten> {
      await recordApproval(input.lockdownId, { outcome: input.outcome, approver: input.approver, comment: input.comment, decidedAt: input.decidedAt });
      return writeEvent(input.lockdownId, APPROVAL_EVENT_ACTIONS[input.outcome], `account_lockdown_approval_decision:${input.lockdownId}`, input.approver, {
        outcome: input.outcome,
        approver: input.approver,
        comment: input.comment,
        decided_at: input.decidedAt,
      });
    },
  };
}
