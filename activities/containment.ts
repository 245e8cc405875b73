import { isProtectedAccount } from '../domain/accounts';
import { targetsActorMayNotLock } from '../services/authorization';
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';

/** Targets read, checked and deactivated per statement: well under PostgreSQL's bind-parameter limit. */
const CONTAINMENT_BATCH = 1_000;

export interface ContainmentInput {
  lockdownId: string;
  actorId: string;
  bulk: boolean;
}

export interface ContainmentResult {
  /** Targets deactivated now (already inactive ones are not counted). */
  deactivated: number;
  /**
   * Targets left untouched because their per-user check will refuse them (protected, not
   * permitted, gone) — except those the lockdown's own transaction deactivated, which are contained.
   */
  uncontained: string[];
}

/**
 * Containment first: deactivating a user is what makes every credential of theirs refused
 * (authentication checks `isActive` on each request), so a lockdown deactivates all its
 * targets in a few batched statements before the per-user runs do their full steps. It
 * applies the per-user check (protected? permitted?) to each batch, so it never touches an
 * account that the per-user run would refuse. Idempotent: an inactive user stays inactive,
 * and the per-user `deactivateUser` step that follows changes nothing.
 *
 * It records on the lockdown how many targets it has contained (inactive now, whether it
 * deactivated them or they already were), batch by batch, and when it finished: the moment a
 * bulk lockdown is under control, which the API shows as "contained N/N" long before every
 * per-user run has ended. A retry counts again from the first batch, to the same total.
 */
export function createContainmentActivities(db: Db, logger: Logger) {
  return {
    async containTargets(input: ContainmentInput): Promise<ContainmentResult> {
      const batchAfter = (after: number) =>
        db.lockdownTarget.findMany({
          where: { lockdownId: input.lockdownId, position: { gt: after } },
          orderBy: { position: 'asc' },
          take: CONTAINMENT_BATCH,
          select: { userId: true, position: true, containedOnRecord: true },
        });
      // Read once, and only for targets the lockdown's own transaction left to check.
      const readActor = () => db.user.findUnique({ where: { id: input.actorId } });
      let actorRead: ReturnType<typeof readActor> | undefined;
      let deactivated = 0;
      let contained = 0;
      const uncontained: string[] = [];
      for (let after = -1; ; ) {
        const targets = await batchAfter(after);
        // Deactivated by the lockdown's own transaction (services/lockdown-record.ts): contained, even if refused now.
        contained += targets.filter((target) => target.containedOnRecord).length;
        const ids = targets.filter((target) => !target.containedOnRecord).map((target) => target.userId);
        if (ids.length > 0) {
          // Reads that do not depend on each other run at once: this is on the path to revocation.
          const [users, refusedIds] = await Promise.all([
            db.user.findMany({ where: { id: { in: ids } }, select: { id: true, username: true, type: true, isActive: true } }),
            (actorRead ??= readActor()).then((actor) => (actor ? targetsActorMayNotLock(db, actor, ids, input.bulk) : ids)),
          ]);
          const refused = new Set(refusedIds);
          const lockable = new Set(users.filter((user) => !isProtectedAccount(user) && !refused.has(user.id)).map((user) => user.id));
          uncontained.push(...ids.filter((id) => !lockable.has(id)));
          const active = users.filter((user) => user.isActive && lockable.has(user.id)).map((user) => user.id);
          if (active.length > 0) deactivated += (await db.user.updateMany({ where: { id: { in: active }, isActive: true }, data: { isActive: false } })).count;
          contained += lockable.size;
        }
        // A short batch is the last one; a full one may have more after it: show the progress. The last one is written with containedAt below.
        if (targets.length < CONTAINMENT_BATCH) break;
        after = targets[targets.length - 1].position;
        await db.lockdown.update({ where: { id: input.lockdownId }, data: { containedCount: contained } });
      }
      await db.lockdown.update({ where: { id: input.lockdownId }, data: { containedCount: contained, containedAt: new Date() } });
      logger.info({ lockdownId: input.lockdownId, deactivated, contained, uncontained: uncontained.length }, 'lockdown targets contained');
      return { deactivated, uncontained };
    },
  };
}
