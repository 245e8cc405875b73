import { ApplicationFailure } from '@temporalio/activity';
import { setTimeout as sleep } from 'node:timers/promises';
import { isProtectedAccount } from '../domain/accounts';
import { targetsActorMayNotLock } from '../services/authorization';
import { unusablePasswordHash } from '../lib/credentials';
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';
import { countsOf, LOCKDOWN_ACTIONS, type LockdownActionKey } from '../domain/lockdown-actions';
import type { UserLockdownResult } from '../domain/lockdown-status';
import type { LockdownActions } from '../domain/lockdown-actions';

export const PROTECTED_ACCOUNT_MESSAGE = 'Protected accounts (the anonymous user and internal service accounts) cannot be locked.';
export const NO_PERMISSION_MESSAGE = 'You do not have permission to lock this user.';
const VERIFY_ROUNDS = 5;

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

/**
 * What the verify step re-applies per action (see `verifies` in domain/lockdown-actions.ts):
 * how many things it had to undo again. The password marker cannot be changed back without
 * a session or token, which the other actions remove, so it has nothing to re-check.
 */
const REAPPLY: Record<LockdownActionKey, (tx: Tx, userId: string) => Promise<number>> = {
  deactivateUser: async (tx, userId) => (await tx.user.updateMany({ where: { id: userId, isActive: true }, data: { isActive: false } })).count,
  setUnusablePassword: async () => 0,
  deleteSessions: async (tx, userId) => (await tx.session.deleteMany({ where: { userId } })).count,
  revokeTokens: async (tx, userId) => (await tx.token.deleteMany({ where: { userId } })).count,
};

interface TargetStep {
  lockdownId: string;
  userId: string;
}

/**
 * The per-user steps of a lockdown. Each is idempotent: running it twice has the effect
 * of running it once, and the counts of what it removed are committed in the same
 * transaction as the removal.
 */
export function createUserLockdownActivities(db: Db, logger: Logger) {
  const target = ({ lockdownId, userId }: TargetStep) => ({ lockdownId_userId: { lockdownId, userId } });

  /**
   * One activity per action of domain/lockdown-actions.ts, named by its key (the workflow
   * calls `activities[action.key]`). An action with a counter commits its count in the same
   * transaction as the removal.
   */
  const actionActivities: Record<LockdownActionKey, (input: TargetStep) => Promise<number>> = {
    async deactivateUser(input) {
      await db.user.update({ where: { id: input.userId }, data: { isActive: false } });
      return 0;
    },
    async setUnusablePassword(input) {
      await db.user.update({ where: { id: input.userId }, data: { passwordHash: unusablePasswordHash() } });
      return 0;
    },
    /** Deletes every session of the user, expired ones included. */
    async deleteSessions(input) {
      return db.$transaction(async (tx) => {
        const { count } = await tx.session.deleteMany({ where: { userId: input.userId } });
        await tx.lockdownTarget.update({ where: target(input), data: { sessionsRevoked: { increment: count } } });
        return count;
      });
    },
    /** Revokes every token of the user, of every intent, expired ones included. */
    async revokeTokens(input) {
      return db.$transaction(async (tx) => {
        const { count } = await tx.token.deleteMany({ where: { userId: input.userId } });
        await tx.lockdownTarget.update({ where: target(input), data: { tokensRevoked: { increment: count } } });
        return count;
      });
    },
  };

  return {
    /** Re-checks, at execution time, what the API checked at request time. */
    async checkLockdownTarget(input: TargetStep & { actorId: string; bulk: boolean }): Promise<void> {
      const [user, actor] = await Promise.all([
        db.user.findUnique({ where: { id: input.userId } }),
        db.user.findUnique({ where: { id: input.actorId } }),
      ]);
      if (!user) throw ApplicationFailure.nonRetryable('User not found.', 'UserNotFound');
      if (isProtectedAccount(user)) throw ApplicationFailure.nonRetryable(PROTECTED_ACCOUNT_MESSAGE, 'ProtectedAccount');
      if (!actor) throw ApplicationFailure.nonRetryable('The user who requested the lockdown no longer exists.', 'PermissionDenied');
      const denied = await targetsActorMayNotLock(db, actor, [user.id], input.bulk);
      if (denied.length > 0) throw ApplicationFailure.nonRetryable(NO_PERMISSION_MESSAGE, 'PermissionDenied');
      await db.lockdownTarget.update({ where: target(input), data: { status: 'running' } });
      logger.info({ lockdownId: input.lockdownId, userId: input.userId }, 'lockdown target checked');
    },

    ...actionActivities,

    /**
     * Re-reads the user's credentials and undoes anything that reappeared meanwhile (a
     * stolen credential minting a new one during the lockdown), for every action that ran.
     * Bounded; fails loudly if they keep coming back.
     */
    async verifyLockdown(input: TargetStep & { actions: LockdownActions }): Promise<void> {
      const applied = LOCKDOWN_ACTIONS.filter((action) => input.actions[action.key]);
      for (let round = 1; round <= VERIFY_ROUNDS; round++) {
        const removed = await db.$transaction(async (tx) => {
          let undone = 0;
          for (const action of applied) {
            const count = await REAPPLY[action.key](tx, input.userId);
            if (count > 0 && action.counter) await tx.lockdownTarget.update({ where: target(input), data: { [action.counter.column]: { increment: count } } });
            undone += count;
          }
          return undone;
        });
        if (removed === 0) return;
        logger.warn({ lockdownId: input.lockdownId, userId: input.userId, round, removed }, 'credentials reappeared during lockdown; removed again');
        await sleep(100 * round);
      }
      throw ApplicationFailure.nonRetryable(
        `Sessions or tokens kept reappearing after ${VERIFY_ROUNDS} verification rounds; the account may still be in use.`,
        'VerificationFailed',
      );
    },

    async recordTargetResult(input: TargetStep & { success: boolean; error: string | null; actions: LockdownActions }): Promise<UserLockdownResult> {
      const row = await db.lockdownTarget.update({
        where: target(input),
        data: {
          status: input.success ? 'locked' : 'failed',
          error: input.error,
          actions: { ...input.actions },
          completedAt: new Date(),
        },
      });
      logger.info({ lockdownId: input.lockdownId, userId: input.userId, success: input.success }, 'lockdown target finished');
      return {
        userId: row.userId,
        username: row.username,
        success: input.success,
        error: input.error,
        actions: input.actions,
        ...countsOf(row),
      };
    },
  };
}
