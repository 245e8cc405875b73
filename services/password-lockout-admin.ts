import { isAnonymousUser } from '../domain/accounts';
import { conflictError, denied, notFoundError } from '../domain/errors';
import { PASSWORD_LOCKOUT_ACCOUNT, type PasswordLockoutPolicySetting } from '../domain/password-lockout';
import type { Actor } from '../domain/permissions';
import type { Config } from '../lib/config';
import type { Db } from '../lib/db';
import { isUuid } from '../lib/ids';
import { CHANGE_DENIED, refuseAnonymous, type AccountAccess } from './account-access';
import { fieldDiff, writeAuditEvent, writeConfigurationEvent, type AuditMeta } from './audit-log';
import { canChangeAutomaticLockdownSettings, canUnlockPassword, canViewAutomaticLockdownSettings } from './authorization';
import type { ConfigurationActor } from './configuration-guard';
import type { Requester } from './lockdown-access';
import { ensureSystemAccount } from './system-accounts';
import { conflictOnDuplicate } from './unique-violation';

/**
 * Password lockout as administrators see it: each brand's policy (read with change_user,
 * changed by a superuser, `model_updated` of `password_lockout_policy`), a user's lock status,
 * and unlocking it (the rule for restoring access; `password_unlocked`). Counting is
 * services/password-lockout.ts.
 */
const OFF: PasswordLockoutPolicySetting = { enabled: false, attempts: null, escalate: false };

export const CHANGE_LOCKOUT_DENIED = 'Password lockout decides when accounts lock with no person asking: only a superuser changes it.';

export function createPasswordLockoutAdmin(db: Db, config: Config, access: AccountAccess) {
  async function mayView(actor: Actor) {
    if (!(await canViewAutomaticLockdownSettings(db, actor))) throw denied('This needs the change_user permission.');
  }

  function toPolicy(brand: { id: string; domain: string; isDefault: boolean }, setting: PasswordLockoutPolicySetting | null) {
    const { enabled, attempts, escalate } = setting ?? OFF;
    return { brandId: brand.id, domain: brand.domain, isDefault: brand.isDefault, enabled, attempts, effectiveAttempts: attempts ?? config.LOCKDOWN_PASSWORD_LOCKOUT_ATTEMPTS, escalate };
  }

  return {
    /** Every brand's policy (no policy: off), the default threshold, and whether the caller may change them. */
    async listPolicies(actor: Actor) {
      await mayView(actor);
      const brands = await db.brand.findMany({ orderBy: { domain: 'asc' }, include: { passwordLockoutPolicy: true } });
      return {
        items: brands.map((brand) => toPolicy(brand, brand.passwordLockoutPolicy)),
        defaultAttempts: config.LOCKDOWN_PASSWORD_LOCKOUT_ATTEMPTS,
        viewerMayChange: canChangeAutomaticLockdownSettings(actor),
      };
    },

    /**
     * A superuser changes a brand's policy. Turning escalation on makes the
     * `system:password-lockout` account (with its global change_user) if there is none, in the
     * same transaction: the power to lock appears only by a superuser's audited change.
     */
    async updatePolicy(actor: ConfigurationActor, brandId: string, change: Partial<PasswordLockoutPolicySetting>, meta: AuditMeta) {
      await mayView(actor);
      if (!canChangeAutomaticLockdownSettings(actor)) throw denied(CHANGE_LOCKOUT_DENIED);
      const brand = isUuid(brandId) ? await db.brand.findUnique({ where: { id: brandId }, include: { passwordLockoutPolicy: true } }) : null;
      if (!brand) throw notFoundError('Brand');
      const before = brand.passwordLockoutPolicy ?? OFF;
      const after: PasswordLockoutPolicySetting = { enabled: change.enabled ?? before.enabled, attempts: change.attempts === undefined ? before.attempts : change.attempts, escalate: change.escalate ?? before.escalate };
      return conflictOnDuplicate(
        db.$transaction(async (tx) => {
          const saved = await tx.passwordLockoutPolicy.upsert({ where: { brandId: brand.id }, create: { brandId: brand.id, ...after }, update: after });
          if (after.enabled && after.escalate) await ensureSystemAccount(tx, PASSWORD_LOCKOUT_ACCOUNT);
          const fields = ({ enabled, attempts, escalate }: PasswordLockoutPolicySetting) => ({ enabled, attempts, escalate });
          await writeConfigurationEvent(tx, 'updated', { model: 'password_lockout_policy', id: brand.id, name: brand.domain }, fieldDiff(fields(before), fields(saved)), actor, meta);
          return toPolicy(brand, saved);
        }),
        'This policy (or the system account) was being changed by another request at the same time; try again.',
      );
    },

    /** A user's lock status (whoever may see the user), and whether the caller may unlock it. */
    async status(actor: Actor, userId: string) {
      const user = await access.visible(actor, userId);
      const row = await db.passwordLockout.findUnique({ where: { userId: user.id } });
      return {
        locked: row?.lockedAt != null,
        lockedAt: row?.lockedAt?.toISOString() ?? null,
        failedAttempts: row?.failedAttempts ?? 0,
        lastFailedAt: row?.lastFailedAt?.toISOString() ?? null,
        lastFailedIp: row?.lastFailedIp ?? null,
        escalation: row?.escalation ? { status: row.escalation as 'pending' | 'started' | 'failed', lockdownId: row.lockdownId, error: row.escalationError } : null,
        viewerMayUnlock: row?.lockedAt != null && !isAnonymousUser(user) && (await canUnlockPassword(db, actor, user)),
      };
    },

    /** Unlocks the password and clears the count, with `password_unlocked` in the same transaction; 409 when it is not locked. */
    async unlock(actor: Requester, userId: string, meta: AuditMeta) {
      const user = await access.visible(actor, userId);
      refuseAnonymous(user);
      if (!(await canUnlockPassword(db, actor, user))) throw denied(CHANGE_DENIED);
      await db.$transaction(async (tx) => {
        const row = await tx.passwordLockout.findUnique({ where: { userId: user.id } });
        const { count } = await tx.passwordLockout.deleteMany({ where: { userId: user.id, lockedAt: { not: null } } });
        if (count === 0 || !row?.lockedAt) throw conflictError('This user’s password is not locked.', 'not_locked');
        await writeAuditEvent(tx, 'password_unlocked', actor, meta, {
          affected_user: user.username,
          affected_user_id: user.id,
          failed_attempts: row.failedAttempts,
          locked_at: row.lockedAt.toISOString(),
        });
      });
    },
  };
}

export type PasswordLockoutAdmin = ReturnType<typeof createPasswordLockoutAdmin>;
