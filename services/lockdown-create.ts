import { createHash, randomUUID } from 'node:crypto';
import { isProtectedAccount } from '../domain/accounts';
import { approvalRecord, needsApproval, type ApprovalRecord } from '../domain/approval';
import { conflictError, denied, DomainError, invalid, unavailableError } from '../domain/errors';
import { refuseLockedDown } from './account-lockdown-state';
import { flowAccess, targetsActorMayNotLock } from './authorization';
import { unrecordableText } from '../domain/prompt';
import { answerWhen } from '../domain/self-service';
import type { LockdownTrigger } from '../domain/lockdown-trigger';
import type { AccountLockdownStageSnapshot } from '../domain/stages';
import { resolveTargets, type TargetRequest } from '../domain/targets';
import type { Config } from '../lib/config';
import type { Db } from '../lib/db';
import { isUuid } from '../lib/ids';
import type { Logger } from '../lib/logger';
import { Prisma, type UserType } from '../generated/prisma/client';
import { NO_LOCKDOWN_FLOW_MESSAGE, snapshotLockdownFlow } from './flow-snapshot';
import { isUnstarted, recordLockdown } from './lockdown-record';
import { NO_WORKER_MESSAGE, type LockdownStarter } from './lockdown-start';
import type { Requester } from './lockdown-access';
import type { LockdownViews } from './lockdown-view';
import { isUniqueViolation } from './unique-violation';

export interface CreateLockdownRequest extends TargetRequest {
  reason?: string;
}

export interface CreateLockdownMeta {
  idempotencyKey?: string;
  clientIp: string | null;
  host?: string;
  /** Set by the requests no person makes: what started the lockdown (recorded and shown with it). */
  trigger?: LockdownTrigger;
}

/** The value of a settled promise, or its error thrown: reads made at once, judged one after another. */
function settledValue<T>(result: PromiseSettledResult<T>): T {
  if (result.status === 'rejected') throw result.reason;
  return result.value;
}

/**
 * Requesting a lockdown: validate, record, start its workflow, answer once it has a status.
 * An Idempotency-Key makes a retry answer with the lockdown it asked for, whatever the
 * interleaving (see lockdown-start.ts: no request ever deletes a record).
 */
export function createLockdownRequests({ db, config, logger }: { db: Db; config: Config; logger: Logger }, starter: LockdownStarter, viewOf: LockdownViews) {
  async function create(actor: Requester, request: CreateLockdownRequest, meta: CreateLockdownMeta) {
    const requestHash = hashRequest(request);
    if (meta.idempotencyKey) {
      const earlier = await sameRequestEarlier(actor, meta.idempotencyKey, requestHash);
      if (earlier) return earlier;
    }

    const resolved = resolveTargets(request, actor.id);
    if (!resolved.ok) throw invalid(resolved.message, [{ field: 'body.users', message: resolved.message }]);
    if (resolved.targetIds.length > config.LOCKDOWN_MAX_TARGETS) {
      throw invalid(`At most ${config.LOCKDOWN_MAX_TARGETS} users can be locked in one request.`, [
        { field: 'body.users', message: `more than ${config.LOCKDOWN_MAX_TARGETS} users` },
      ]);
    }
    const reasonProblem = request.reason === undefined ? null : unrecordableText(request.reason);
    if (reasonProblem) throw invalid(`The reason ${reasonProblem}.`, [{ field: 'body.reason', message: reasonProblem }]);
    // Read at once, judged in order: permission first, so which ids exist or are protected is
    // told only to callers allowed to lock them.
    const [refused, configured, users] = await Promise.allSettled([
      targetsActorMayNotLock(db, actor, resolved.targetIds, resolved.bulk),
      snapshotLockdownFlow(db, resolved.selfService, meta.host, config),
      findTargets(resolved.targetIds),
    ]);
    if (settledValue(refused).length > 0) {
      throw denied(resolved.bulk ? 'You need the change_user permission on every user of a bulk lockdown.' : 'You do not have permission to lock this user.');
    }
    const flowConfigured = settledValue(configured);
    if (!flowConfigured) throw invalid(NO_LOCKDOWN_FLOW_MESSAGE, undefined, 'no_lockdown_flow');
    if (flowAccess(actor, flowConfigured.authentication) !== 'ok') throw denied(`The lockdown flow "${flowConfigured.snapshot.slug}" requires a superuser.`);
    const flow = flowConfigured.snapshot;
    const lockdownStage = flow.stages.find((stage): stage is AccountLockdownStageSnapshot => stage.kind === 'account_lockdown');
    if (!lockdownStage) throw invalid(`The lockdown flow "${flow.slug}" has no Account Lockdown stage.`, undefined, 'no_lockdown_flow');

    const targets = lockableTargets(resolved.targetIds, settledValue(users));
    const lockdown = await recordOnce(actor, meta, requestHash, async () => {
      // One user already locked: 409 naming the lockdown. A bulk list runs them too (nothing left to change).
      if (!resolved.bulk) await refuseLockedDown(db, actor, targets[0]);
      return db.$transaction(async (tx) => {
        const approval = lockdownStage.requireApproval === true && !resolved.selfService ? await approvalFor(tx, actor, targets) : null;
        const fields = { id: randomUUID(), actor, reason: request.reason ?? null, selfService: resolved.selfService, flow, clientIp: meta.clientIp, idempotencyKey: meta.idempotencyKey, requestHash, approval, trigger: meta.trigger };
        return recordLockdown(tx, fields, targets, config);
      });
    });
    if ('view' in lockdown) return lockdown;

    const started = await starter.start(lockdown, targets.map((target) => target.id));
    logger.info({ lockdownId: lockdown.id, targets: targets.length, selfService: resolved.selfService, actorId: actor.id }, 'lockdown started');
    if (started === 'no_worker') throw unavailableError(NO_WORKER_MESSAGE, 'worker_unavailable');
    // A self-service run given its reason is answered once finished (the caller's session ends with it).
    const answer = answerWhen(lockdown, 'pending');
    const settled = await starter.waitFor(lockdown.id, answer.settled, config.SELF_SERVICE_WAIT_MS);
    return { created: true, view: await viewOf(settled, actor) };
  }

  /**
   * Records the lockdown; the same Idempotency-Key sent concurrently: the request that recorded
   * first wins, this one answers with it — also when that lockdown has already locked the user
   * (its transaction deactivates at once), which would otherwise be refused as already locked.
   */
  async function recordOnce<T>(actor: Requester, meta: CreateLockdownMeta, requestHash: string, record: () => Promise<T>) {
    try {
      return await record();
    } catch (err) {
      if (meta.idempotencyKey && (isUniqueViolation(err) || isAlreadyLocked(err))) {
        const earlier = await sameRequestEarlier(actor, meta.idempotencyKey, requestHash);
        if (earlier) return earlier;
      }
      throw err;
    }
  }

  /**
   * The lockdown this actor recorded earlier with the same Idempotency-Key (409 when the body
   * differs), its workflow started if nobody has yet: the first request may have died, or be
   * unable to reach Temporal — starting joins whatever start is under way.
   */
  async function sameRequestEarlier(actor: Requester, idempotencyKey: string, requestHash: string) {
    const earlier = await db.lockdown.findUnique({ where: { actorId_idempotencyKey: { actorId: actor.id, idempotencyKey } } });
    if (!earlier) return null;
    if (earlier.requestHash !== requestHash) throw conflictError('This Idempotency-Key was used with a different request body.', 'idempotency_conflict');
    if (isUnstarted(earlier) && (await starter.start(earlier)) === 'no_worker') throw unavailableError(NO_WORKER_MESSAGE, 'worker_unavailable');
    return { created: false as const, view: await viewOf(await db.lockdown.findUniqueOrThrow({ where: { id: earlier.id } }), actor) };
  }

  /**
   * Two-person approval counts what one requester asks for over a window, so splitting a bulk
   * into small requests does not escape it: the distinct users (other than the requester) named
   * by their lockdowns of the last LOCKDOWN_APPROVAL_WINDOW_SECONDS that did not go through
   * approval, plus this request's. A requester's requests are counted one at a time
   * (a transaction-scoped advisory lock), so concurrent halves are counted together too.
   */
  async function approvalFor(tx: Prisma.TransactionClient, actor: Requester, targets: { id: string }[]): Promise<ApprovalRecord | null> {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`lockdown-approval-window:${actor.id}`}))`;
    const requested = new Set(targets.map((target) => target.id));
    let earlierTargets = 0;
    if (config.LOCKDOWN_APPROVAL_WINDOW_SECONDS > 0) {
      const earlier = await tx.lockdownTarget.findMany({
        where: {
          userId: { not: actor.id },
          lockdown: { actorId: actor.id, approval: { equals: Prisma.DbNull }, createdAt: { gt: new Date(Date.now() - config.LOCKDOWN_APPROVAL_WINDOW_SECONDS * 1_000) } },
        },
        distinct: ['userId'],
        select: { userId: true },
      });
      earlierTargets = earlier.filter((target) => !requested.has(target.userId)).length;
    }
    const wait = needsApproval({
      stageRequiresApproval: true,
      selfService: false,
      targetCount: targets.length,
      earlierTargetCount: earlierTargets,
      threshold: config.LOCKDOWN_APPROVAL_THRESHOLD,
    });
    return wait ? approvalRecord(config.LOCKDOWN_APPROVAL_TIMEOUT_SECONDS, config.LOCKDOWN_APPROVAL_THRESHOLD) : null;
  }

  function findTargets(targetIds: string[]) {
    return db.user.findMany({ where: { id: { in: targetIds.filter((id) => isUuid(id)) } }, select: { id: true, username: true, type: true } });
  }

  return { create };
}

/** The targets in request order; 400 naming every id that does not exist or is protected. */
function lockableTargets(targetIds: string[], users: { id: string; username: string; type: UserType }[]) {
  const byId = new Map(users.map((user) => [user.id, user]));
  const refused: { id: string; reason: 'not_found' | 'protected' }[] = [];
  for (const id of targetIds) {
    const user = byId.get(id);
    if (!user) refused.push({ id, reason: 'not_found' });
    else if (isProtectedAccount(user)) refused.push({ id, reason: 'protected' });
  }
  if (refused.length > 0) {
    const names = refused.map((entry) => `${entry.id} (${entry.reason === 'protected' ? 'protected account' : 'not found'})`);
    throw invalid(`These users cannot be locked: ${names.join(', ')}.`, refused, 'invalid_users');
  }
  return targetIds.map((id) => byId.get(id)!);
}

function isAlreadyLocked(err: unknown): boolean {
  return err instanceof DomainError && err.code === 'already_locked';
}

function hashRequest(request: CreateLockdownRequest): string {
  const canonical = JSON.stringify({ user: request.user ?? null, users: request.users ?? null, reason: request.reason ?? null });
  return createHash('sha256').update(canonical).digest('hex');
}

