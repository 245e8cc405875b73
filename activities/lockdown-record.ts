import { Prisma } from '../generated/prisma/client';
import type { Db } from '../lib/db';
import type { Completion, LockdownStatus } from '../workflows/types';

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
    }): Promise<void> {
      await db.lockdown.update({
        where: { id: input.lockdownId },
        data: {
          status: input.status,
          stageIndex: input.stageIndex,
          ...(input.reason !== null ? { reason: input.reason } : {}),
          ...(input.error ? { error: input.error } : {}),
          ...(input.completion !== undefined ? { completion: input.completion ? { ...input.completion } : Prisma.DbNull } : {}),
          ...(input.finished ? { completedAt: new Date() } : {}),
        },
      });
    },

    /** Marks the users a cancelled bulk run never started; returns how many are cancelled in all. */
    async cancelPendingTargets(input: { lockdownId: string }): Promise<number> {
      await db.lockdownTarget.updateMany({
        where: { lockdownId: input.lockdownId, status: 'pending' },
        data: { status: 'cancelled', completedAt: new Date() },
      });
      return db.lockdownTarget.count({ where: { lockdownId: input.lockdownId, status: 'cancelled' } });
    },
  };
}
