import { DomainError } from '../domain/errors';
import type { PasswordLockoutTrigger } from '../domain/lockdown-trigger';
import { LOCKOUT_OFF, PASSWORD_LOCKOUT_ACCOUNT, lockoutPolicyOf, passwordLockoutReason, reachesLockout, type EffectiveLockoutPolicy } from '../domain/password-lockout';
import type { Config } from '../lib/config';
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';
import { writeAuditEvent } from './audit-log';
import type { EventNotifications } from './event-notifications';
import type { LockdownService } from './lockdowns';
import { systemAccount } from './system-accounts';

/**
 * Password lockout, as sign-in counts it. A brand's policy (off unless a superuser turns it on)
 * locks an account's password after N consecutive failed password logins:
 *
 * - the count is per user, in PostgreSQL (`password_lockouts`): one atomic upsert per failure,
 *   so concurrent failures each count, across API instances and restarts; a successful login
 *   resets it;
 * - the lock is set by the one conditional update that finds it unset — whatever the
 *   concurrency, one request locks, writes `password_locked` (with the client's address) and,
 *   when the policy escalates, requests the brand's lockdown as `system:password-lockout`;
 * - a locked password is refused like a wrong one: sign-in takes the same path (one argon2
 *   verification, one counting statement) and gives the same 401.
 *
 * What this adds to a login's timing is the same for a wrong password and for any password of
 * a locked account; an unknown username runs a counting statement of the same shape that
 * touches no row. The alert and the escalation run after the answer, never in its time.
 */
const NOBODY = '00000000-0000-0000-0000-000000000000';
/** Escalations owed this long are the resumer's (younger ones are being started by their login). */
const RESUME_AFTER_MS = 30_000;
const RESUME_EVERY_MS = 30_000;

export interface FailedLogin {
  clientIp: string | null;
}

export function createPasswordLockout(
  { db, config, logger }: { db: Db; config: Config; logger: Logger },
  lockdowns: Pick<LockdownService, 'create'>,
  notifyOf: EventNotifications,
) {
  /** The policy of the brand serving the request, never weaker than the default brand's. */
  async function policyServing(host: string | undefined): Promise<EffectiveLockoutPolicy> {
    const byHost = config.LOCKDOWN_BRAND_FROM_HOST && host ? { domain: host.toLowerCase() } : null;
    const brands = await db.brand.findMany({
      where: { OR: [{ isDefault: true }, ...(byHost ? [byHost] : [])] },
      select: { id: true, domain: true, isDefault: true, passwordLockoutPolicy: true },
    });
    const defaultBrand = brands.find((brand) => brand.isDefault) ?? null;
    const serving = (byHost && brands.find((brand) => brand.domain === byHost.domain)) || defaultBrand;
    const entry = (brand: typeof defaultBrand) => (brand ? { brandId: brand.id, setting: brand.passwordLockoutPolicy } : null);
    return serving ? lockoutPolicyOf(entry(serving), entry(defaultBrand), config.LOCKDOWN_PASSWORD_LOCKOUT_ATTEMPTS) : LOCKOUT_OFF;
  }

  /** A successful login: the failures before it no longer count. */
  async function succeeded(userId: string): Promise<void> {
    await db.passwordLockout.updateMany({ where: { userId, lockedAt: null, failedAttempts: { gt: 0 } }, data: { failedAttempts: 0 } });
  }

  /**
   * A failed password login (or any password of a locked account) of `user`, counted when the
   * policy is on; `null` for a username that names no account that logs in with a password.
   */
  async function failed(user: { id: string; username: string } | null, policy: EffectiveLockoutPolicy, meta: FailedLogin): Promise<void> {
    if (!policy.enabled) return;
    if (!user) {
      await db.$executeRaw`UPDATE password_lockouts SET failed_attempts = failed_attempts + 1 WHERE user_id = ${NOBODY}::uuid`;
      return;
    }
    const [count] = await db.$queryRaw<{ failed_attempts: number; locked_at: Date | null }[]>`
      INSERT INTO password_lockouts (user_id, failed_attempts, last_failed_at, last_failed_ip)
      VALUES (${user.id}::uuid, 1, now(), ${meta.clientIp})
      ON CONFLICT (user_id) DO UPDATE SET failed_attempts = password_lockouts.failed_attempts + 1, last_failed_at = now(), last_failed_ip = EXCLUDED.last_failed_ip
      RETURNING failed_attempts, locked_at`;
    if (count.locked_at !== null || !reachesLockout(policy, count.failed_attempts)) return;
    await lock(user, count.failed_attempts, policy, meta);
  }

  /** Locks the password unless a concurrent failure already did: exactly one request writes the event and escalates. */
  async function lock(user: { id: string; username: string }, failedAttempts: number, policy: EffectiveLockoutPolicy, meta: FailedLogin) {
    const lockedAt = new Date();
    const event = await db.$transaction(async (tx) => {
      const { count } = await tx.passwordLockout.updateMany({
        where: { userId: user.id, lockedAt: null },
        data: { lockedAt, brandId: policy.brandId, escalation: policy.escalate ? 'pending' : null, escalationError: null, lockdownId: null },
      });
      if (count !== 1) return null;
      return writeAuditEvent(tx, 'password_locked', null, { clientIp: meta.clientIp }, {
        affected_user: user.username,
        affected_user_id: user.id,
        failed_attempts: failedAttempts,
        threshold: policy.attempts,
        escalate: policy.escalate,
      });
    });
    if (!event) return;
    logger.info({ userId: user.id, failedAttempts }, 'password locked after repeated failed logins');
    // After the answer: neither the alert nor the lockdown may show in the login's timing.
    setImmediate(() => {
      void notifyOf(event.id);
      if (policy.escalate) void escalate(user.id, { failedAttempts, lockedAt });
    });
  }

  async function finishEscalation(userId: string, outcome: { lockdownId: string } | { error: string }) {
    await db.passwordLockout.updateMany({
      where: { userId, escalation: 'pending' },
      data: 'lockdownId' in outcome ? { escalation: 'started', lockdownId: outcome.lockdownId } : { escalation: 'failed', escalationError: outcome.error },
    });
  }

  /**
   * Requests the lockdown a lock escalates to, once: its Idempotency-Key is derived from the
   * lock, so the resumer and the locking request join the same lockdown. Rules refusing it
   * (a flow that needs a superuser, no lockdown flow, the account deleted) end the escalation
   * `failed`; the password stays locked either way.
   */
  async function escalate(userId: string, known?: { failedAttempts: number; lockedAt: Date }): Promise<void> {
    try {
      const row = await db.passwordLockout.findUnique({ where: { userId } });
      if (!row?.lockedAt || row.escalation !== 'pending') return;
      const account = await systemAccount(db, { username: PASSWORD_LOCKOUT_ACCOUNT });
      if (!account) return await finishEscalation(userId, { error: `The ${PASSWORD_LOCKOUT_ACCOUNT} account is missing; a superuser makes it again by turning escalation on.` });
      const brand = row.brandId ? await db.brand.findUnique({ where: { id: row.brandId }, select: { domain: true } }) : null;
      const failedAttempts = known?.failedAttempts ?? row.failedAttempts;
      const trigger: PasswordLockoutTrigger = { kind: 'password_lockout', failedAttempts, lockedAt: row.lockedAt.toISOString() };
      const idempotencyKey = `password-lockout:${userId}:${row.lockedAt.getTime()}`;
      try {
        const { view } = await lockdowns.create(account, { user: userId, reason: passwordLockoutReason(failedAttempts) }, { idempotencyKey, clientIp: row.lastFailedIp, host: brand?.domain, trigger });
        await finishEscalation(userId, { lockdownId: view.id });
        logger.info({ userId, lockdownId: view.id }, 'password lockout escalated to a lockdown');
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        // Recorded but Temporal or a worker did not answer in time: it runs when they do (the lockdown's own resumer).
        const recorded = await db.lockdown.findUnique({ where: { actorId_idempotencyKey: { actorId: account.id, idempotencyKey } }, select: { id: true } });
        if (recorded) return await finishEscalation(userId, { lockdownId: recorded.id });
        if (err.kind === 'unavailable') throw err;
        await finishEscalation(userId, { error: err.message });
        logger.warn({ userId, code: err.code }, 'password lockout not escalated: the lockdown was refused');
      }
    } catch (err) {
      // Stays pending: the resumer tries again.
      logger.error({ err, userId }, 'password lockout escalation not started yet');
    }
  }

  /** Escalations owed by a login that died before it started them. */
  async function resumeEscalations(olderThanMs = RESUME_AFTER_MS): Promise<void> {
    const owed = await db.passwordLockout.findMany({ where: { escalation: 'pending', lockedAt: { lt: new Date(Date.now() - olderThanMs) } }, select: { userId: true } });
    for (const { userId } of owed) await escalate(userId);
  }

  /** Runs `resumeEscalations` now and then every half minute; returns the function that stops it. */
  function resumeEscalationsEvery(intervalMs = RESUME_EVERY_MS): () => void {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const round = async () => {
      await resumeEscalations().catch((err: unknown) => logger.error({ err }, 'could not resume password lockout escalations'));
      if (!stopped) timer = setTimeout(() => void round(), intervalMs).unref();
    };
    void round();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }

  return { policyServing, succeeded, failed, resumeEscalations, resumeEscalationsEvery };
}

export type PasswordLockout = ReturnType<typeof createPasswordLockout>;
