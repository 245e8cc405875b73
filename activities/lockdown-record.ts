import { Prisma } from '../generated/prisma/client';
import type { Db } from '../lib/db';
import type { Completion } from '../domain/stages';
import type { LockdownStatus } from '../domain/lockdown-status';
import { CANCELLED_AFTER_CONTAINMENT } from '../domain/cancellation';

// The words are declared with the others about cancelling (domain/cancellation.ts).
export { CANCELLED_AFTER_CONTAINMENT };

/** Keeps the lockdown's PostgreSQL record in step with its workflow. */
export function createLockdownRecordActivities(db: Db) {
  return {
    async recordLockdownState(input: {
      lockdownId: string;
      status: LockdownStatus;
      stageIndex: number;
      reason: string | null;
      error?: string | null;
      completion?: Completion | null;
      finished?: boolean;
      /** Its run writes a summary event when it ends (patch lockdown-summary-alerts). */
      summaryAlerts?: boolean;
    }): Promise<{ status: LockdownStatus; finished: boolean }> {
      await db.lockdown.update({
        where: { id: input.lockdownId },
        data: {
          status: input.status,
          stageIndex: input.stageIndex,
          ...(input.reason !== null ? { reason: input.reason } : {}),
          ...(input.error ? { error: input.error } : {}),
          ...(input.completion !== undefined ? { completion: input.completion ? { ...input.completion } : Prisma.DbNull } : {}),
          ...(input.finished ? { completedAt: new Date() } : {}),
          ...(input.summaryAlerts ? { summaryAlerts: true } : {}),
        },
      });
      // What was recorded, in the result: a local activity's marker keeps no input, and the auditors' timeline reads it.
      return { status: input.status, finished: input.finished ?? false };
    },

    /**
     * The run failed for good (non-retryable): the lockdown is `failed` with the reason, and
     * users it never started are failed with it, so nothing waits for a workflow that is gone.
     * Users already started finish on their own and record their own results.
     */
    async recordLockdownFailure(input: { lockdownId: string; error: string }): Promise<void> {
      const error = recordable(input.error);
      const now = new Date();
      await db.$transaction([
        db.lockdown.update({ where: { id: input.lockdownId }, data: { status: 'failed', error, completedAt: now } }),
        db.lockdownTarget.updateMany({
          where: { lockdownId: input.lockdownId, status: 'pending' },
          data: { status: 'failed', error: `Not started: ${error}`, completedAt: now },
        }),
      ]);
    },

    /**
     * Marks the users a cancelled bulk run never started; returns how many are cancelled in all.
     * With `contained`, containment had deactivated them (all but `uncontained`): their result
     * says so, since they stay inactive — an admin restores them with `activate`.
     */
    async cancelPendingTargets(input: { lockdownId: string; contained?: boolean; uncontained?: string[] }): Promise<number> {
      const now = new Date();
      if (input.contained) {
        await db.lockdownTarget.updateMany({
          where: { lockdownId: input.lockdownId, status: 'pending', userId: { notIn: input.uncontained ?? [] } },
          data: { status: 'cancelled', completedAt: now, error: CANCELLED_AFTER_CONTAINMENT },
        });
      }
      await db.lockdownTarget.updateMany({
        where: { lockdownId: input.lockdownId, status: 'pending' },
        data: { status: 'cancelled', completedAt: now },
      });
      return db.lockdownTarget.count({ where: { lockdownId: input.lockdownId, status: 'cancelled' } });
    },
  };
}

/** An error message as PostgreSQL will store it: no NUL, bounded. */
function recordable(message: string): string {
  // eslint-disable-next-line no-control-regex
  return message.replace(/\u0000/g, '\uFFFD').slice(0, 2_000);
}
