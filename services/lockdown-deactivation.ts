import { randomUUID } from 'node:crypto';
import { DEACTIVATION_ACTIONS, DEACTIVATION_FLOW_SLUG, DEACTIVATION_REASONS, type DeactivationCause } from '../domain/deactivation';
import { conflictError, unavailableError } from '../domain/errors';
import { isFinished } from '../domain/lockdown-status';
import type { FlowSnapshot } from '../domain/stages';
import type { Config } from '../lib/config';
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';
import type { Requester } from './lockdown-access';
import { recordLockdown } from './lockdown-record';
import type { LockdownStarter } from './lockdown-start';

const DEACTIVATION_FLOW: FlowSnapshot = {
  slug: DEACTIVATION_FLOW_SLUG,
  title: 'User deactivation',
  stages: [{ kind: 'account_lockdown', name: 'deactivation', actions: DEACTIVATION_ACTIONS, selfServiceMessageTitle: '', selfServiceMessage: '', completionFlowSlug: null }],
};

/**
 * Deactivating or deleting a user outside a lockdown request runs the same per-user lockdown
 * (deactivate, sessions, tokens, verify, one audit event naming the cause), as a single-user
 * lockdown recorded like any other, and waits for it: the caller learns that every credential
 * is gone, or why not. The caller has checked the permission.
 */
export function createUserDeactivation({ db, config, logger }: { db: Db; config: Config; logger: Logger }, starter: LockdownStarter) {
  return async function deactivate(actor: Requester, user: { id: string; username: string }, cause: DeactivationCause, meta: { clientIp: string | null; reason?: string }) {
    const lockdown = await db.$transaction((tx) =>
      recordLockdown(tx, { id: randomUUID(), actor, reason: meta.reason || DEACTIVATION_REASONS[cause], selfService: false, cause, flow: DEACTIVATION_FLOW, clientIp: meta.clientIp }, [user], config),
    );
    // Not started (503): the record stays and the resumer runs it; the caller is told so.
    const started = await starter.start(lockdown, [user.id]);
    logger.info({ lockdownId: lockdown.id, userId: user.id, cause, actorId: actor.id }, 'user deactivation started');
    const settled = started === 'started' ? await starter.waitFor(lockdown.id, isFinished, config.SELF_SERVICE_WAIT_MS) : lockdown;
    if (settled.status === 'completed') return settled;
    if (!isFinished(settled.status)) {
      throw unavailableError(
        `The deactivation is recorded as lockdown ${lockdown.id}: the user is inactive (every credential refused) and the run deletes their sessions and tokens when a worker takes it.`,
        'worker_unavailable',
      );
    }
    const target = await db.lockdownTarget.findUnique({ where: { lockdownId_userId: { lockdownId: lockdown.id, userId: user.id } } });
    throw conflictError(`The deactivation (lockdown ${lockdown.id}) ${settled.status}: ${target?.error ?? settled.error ?? 'unknown reason'}`, 'deactivation_failed');
  };
}
