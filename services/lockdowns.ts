import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { setTimeout as sleep } from 'node:timers/promises';
import { isProtectedAccount } from '../domain/accounts';
import { needsApproval, type ApprovalRecord } from '../domain/approval';
import { DEACTIVATION_ACTIONS, DEACTIVATION_FLOW_SLUG, DEACTIVATION_REASONS, type DeactivationCause } from '../domain/deactivation';
import { conflictError, denied, DomainError, invalid, notFoundError, unavailableError } from '../domain/errors';
import { isFinished } from '../domain/lockdown-status';
import {
  canAnswerLockdown,
  canCancelLockdown,
  canDecideLockdownApproval,
  canViewAllLockdowns,
  canViewLockdown,
  flowAccess,
  targetsActorMayNotLock,
  type Actor,
} from '../domain/permissions';
import { unrecordableText } from '../domain/prompt';
import { answerWhen } from '../domain/self-service';
import { resolveTargets, type TargetRequest } from '../domain/targets';
import { decodeCursor, encodeCursor, newestFirst, newestFirstPage } from './cursor';
import { isUniqueViolation } from './unique-violation';
import type { Config } from '../lib/config';
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';
import { isUuid } from '../lib/ids';
import { isDeadlineExceeded } from '../lib/temporal';
import { lockdownWorkflowId } from '../workflows/ids';
import { lockdownSearchAttributes } from '../workflows/search-attributes';
import type { lockdownFlow } from '../workflows/lockdown-flow';
import { cancelSignal, decideApprovalUpdate, lockdownStartedUpdate, submitPromptUpdate } from '../workflows/messages';
import type { LockdownFlowInput } from '../workflows/types';
import type { FieldError, FlowSnapshot } from '../domain/stages';
import type { LockdownStatus } from '../domain/lockdown-status';
import { NO_LOCKDOWN_FLOW_MESSAGE, snapshotLockdownFlow } from './flow-snapshot';
import { createLockdownViews, resultOf } from './lockdown-view';
import type { Lockdown as LockdownRow, Prisma, UserType } from '../generated/prisma/client';

export interface LockdownServiceDeps {
  db: Db;
  temporal: Client;
  config: Config;
  logger: Logger;
}

/** The value of a settled promise, or its error thrown: reads made at once, judged one after another. */
function settledValue<T>(result: PromiseSettledResult<T>): T {
  if (result.status === 'rejected') throw result.reason;
  return result.value;
}

/** Who asks: the authenticated user, as the rules need them. */
export type Requester = Actor & { username: string };

export interface CreateLockdownRequest extends TargetRequest {
  reason?: string;
}

// Under PostgreSQL's 32,767 bind parameters per statement: a larger insert Prisma would split and
// run concurrently on the transaction's one connection (which pg deprecates).
const TARGET_ROWS_PER_INSERT = 5_000;
const TEMPORAL_REFUSED_MESSAGE = 'Temporal did not accept the lockdown. Try again shortly.';
const NO_WORKER_MESSAGE =
  'No lockdown worker answered in time. The lockdown is recorded and will run as soon as a worker is available; check the worker process.';

/** Lockdown use cases behind the HTTP API: validate, record, start the workflow, report. */
export function createLockdownService({ db, temporal, config, logger }: LockdownServiceDeps) {
  const viewOf = createLockdownViews(db, config);

  async function create(actor: Requester, request: CreateLockdownRequest, meta: { idempotencyKey?: string; clientIp: string | null; host?: string }) {
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
    const access = flowAccess(actor, flowConfigured.authentication);
    if (access !== 'ok') throw denied(`The lockdown flow "${flowConfigured.snapshot.slug}" requires a superuser.`);
    const flow = flowConfigured.snapshot;
    if (!flow.stages.some((stage) => stage.kind === 'account_lockdown')) {
      throw invalid(`The lockdown flow "${flow.slug}" has no Account Lockdown stage.`, undefined, 'no_lockdown_flow');
    }

    const targets = lockableTargets(resolved.targetIds, settledValue(users));
    const lockdownStage = flow.stages.find((stage) => stage.kind === 'account_lockdown');
    const approval: ApprovalRecord | null = needsApproval({
      stageRequiresApproval: lockdownStage?.kind === 'account_lockdown' && lockdownStage.requireApproval === true,
      selfService: resolved.selfService,
      bulk: resolved.bulk,
      targetCount: targets.length,
      threshold: config.LOCKDOWN_APPROVAL_THRESHOLD,
    })
      ? { timeoutSeconds: config.LOCKDOWN_APPROVAL_TIMEOUT_SECONDS, threshold: config.LOCKDOWN_APPROVAL_THRESHOLD, expiresAt: null, outcome: null, approver: null, comment: null, decidedAt: null }
      : null;
    const lockdownId = randomUUID();
    let lockdown: LockdownRow;
    try {
      lockdown = await db.$transaction(async (tx) => {
        const row = await tx.lockdown.create({
          data: {
            id: lockdownId,
            actorId: actor.id,
            actorUsername: actor.username,
            reason: request.reason ?? null,
            selfService: resolved.selfService,
            flowSlug: flow.slug,
            flowSnapshot: flow as object,
            workflowId: lockdownWorkflowId(lockdownId),
            clientIp: meta.clientIp,
            idempotencyKey: meta.idempotencyKey ?? null,
            requestHash,
            status: 'pending',
            ...(approval ? { approval: { ...approval } } : {}),
          },
        });
        const rows = targets.map((target, position) => ({ lockdownId, userId: target.id, username: target.username, position }));
        for (let start = 0; start < rows.length; start += TARGET_ROWS_PER_INSERT) {
          await tx.lockdownTarget.createMany({ data: rows.slice(start, start + TARGET_ROWS_PER_INSERT) });
        }
        return row;
      });
    } catch (err) {
      // The same Idempotency-Key sent concurrently: the request that recorded first wins, this one answers with it.
      if (meta.idempotencyKey && isUniqueViolation(err)) {
        const earlier = await sameRequestEarlier(actor, meta.idempotencyKey, requestHash);
        if (earlier) return earlier;
      }
      throw err;
    }

    let started: LockdownRow | null;
    try {
      started = await startAndAwaitFirstStatus(lockdown, targets.map((target) => target.id));
    } catch (err) {
      // Nothing half-written: without a workflow the record would promise work nobody does.
      await db.lockdown.delete({ where: { id: lockdownId } });
      throw err;
    }
    logger.info({ lockdownId, targets: targets.length, selfService: resolved.selfService, actorId: actor.id }, 'lockdown started');
    if (!started) throw unavailableError(NO_WORKER_MESSAGE, 'worker_unavailable');

    // A self-service run given its reason is answered once finished (the caller's session ends with it).
    const answer = answerWhen(lockdown, 'pending');
    const settled = answer.settled(started.status) ? started : await waitFor(lockdownId, answer.settled, config.SELF_SERVICE_WAIT_MS);
    return { created: true, view: await viewOf(settled) };
  }

  /** The lockdown this actor recorded earlier with the same Idempotency-Key: 409 when the body differs. */
  async function sameRequestEarlier(actor: Requester, idempotencyKey: string, requestHash: string) {
    const earlier = await db.lockdown.findUnique({ where: { actorId_idempotencyKey: { actorId: actor.id, idempotencyKey } } });
    if (!earlier) return null;
    if (earlier.requestHash !== requestHash) throw conflictError('This Idempotency-Key was used with a different request body.', 'idempotency_conflict');
    await startWorkflow(earlier); // in case the first request died between recording and starting
    return { created: false, view: await viewOf(earlier) };
  }

  /**
   * The workflow's input, rebuilt from the PostgreSQL record alone: so a lockdown recorded by
   * a request that died before starting its workflow can still be started later, unchanged.
   */
  async function inputFromRecord(lockdown: LockdownRow, recordedTargetIds?: string[]): Promise<LockdownFlowInput> {
    const targetUserIds =
      recordedTargetIds ??
      (await db.lockdownTarget.findMany({ where: { lockdownId: lockdown.id }, orderBy: { position: 'asc' }, select: { userId: true } })).map((target) => target.userId);
    return {
      lockdownId: lockdown.id,
      actor: { id: lockdown.actorId ?? '', username: lockdown.actorUsername },
      targetUserIds,
      selfService: lockdown.selfService,
      bulk: targetUserIds.length > 1,
      flow: lockdown.flowSnapshot as unknown as FlowSnapshot,
      initialValues: lockdown.reason ? { reason: lockdown.reason } : {},
      clientIp: lockdown.clientIp,
      settings: {
        window: config.LOCKDOWN_BULK_WINDOW,
        continueAsNewAfter: config.LOCKDOWN_CONTINUE_AS_NEW_AFTER,
        containmentFirst: config.LOCKDOWN_CONTAINMENT_FIRST,
      },
      ...(lockdown.cause ? { cause: lockdown.cause as DeactivationCause } : {}),
      ...(lockdown.approval ? { approval: { timeoutMs: (lockdown.approval as unknown as ApprovalRecord).timeoutSeconds * 1_000 } } : {}),
    };
  }

  /** Starts the lockdown's workflow; starting it again is a no-op (its id is derived from the lockdown). */
  async function startWorkflow(lockdown: LockdownRow) {
    try {
      const handle = await temporal.withDeadline(Date.now() + config.API_WORKFLOW_DEADLINE_MS, async () =>
        temporal.workflow.start<typeof lockdownFlow>('lockdownFlow', await startOptions(lockdown)),
      );
      await db.lockdown.update({ where: { id: lockdown.id }, data: { runId: handle.firstExecutionRunId } });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return;
      logger.error({ err, lockdownId: lockdown.id }, 'could not start lockdown workflow');
      throw unavailableError(TEMPORAL_REFUSED_MESSAGE, 'temporal_unavailable');
    }
  }

  /**
   * Starts a new lockdown's workflow together with its `lockdownStarted` update
   * (update-with-start, one round trip): Temporal answers once the workflow has recorded its
   * first status, so the API answers without polling PostgreSQL. Returns the record as it
   * then is, or null when Temporal accepted the start but no worker answered in time (the
   * lockdown runs as soon as one polls). Throws when Temporal did not accept the start.
   */
  async function startAndAwaitFirstStatus(lockdown: LockdownRow, targetUserIds: string[]): Promise<LockdownRow | null> {
    const start = new WithStartWorkflowOperation<typeof lockdownFlow>('lockdownFlow', { ...(await startOptions(lockdown, targetUserIds)), workflowIdConflictPolicy: 'FAIL' });
    try {
      await temporal.withDeadline(Date.now() + config.API_WORKFLOW_DEADLINE_MS, () =>
        temporal.workflow.executeUpdateWithStart(lockdownStartedUpdate, { startWorkflowOperation: start }),
      );
    } catch (err) {
      // A timed-out call does not say whether the start was accepted: ask Temporal, and record
      // the run so the record does not look never started (resumeUnstarted).
      const runId = isDeadlineExceeded(err) ? await startedRunId(lockdown.workflowId) : null;
      if (runId) {
        await db.lockdown.update({ where: { id: lockdown.id }, data: { runId } });
        return null;
      }
      logger.error({ err, lockdownId: lockdown.id }, 'could not start lockdown workflow');
      throw unavailableError(TEMPORAL_REFUSED_MESSAGE, 'temporal_unavailable');
    }
    // The handle of a start carries the run id (the type does not say so).
    const { firstExecutionRunId } = (await start.workflowHandle()) as WorkflowHandleWithFirstExecutionRunId<typeof lockdownFlow>;
    return db.lockdown.update({ where: { id: lockdown.id }, data: { runId: firstExecutionRunId } });
  }

  /** The run Temporal holds for this workflow id, or null when it has none (or cannot say). */
  async function startedRunId(workflowId: string): Promise<string | null> {
    try {
      const description = await temporal.withDeadline(Date.now() + config.API_WORKFLOW_DEADLINE_MS, () => temporal.workflow.getHandle(workflowId).describe());
      return description.runId;
    } catch {
      return null;
    }
  }

  /** `targetUserIds`: the targets just recorded, in order (else read from the record). */
  async function startOptions(lockdown: LockdownRow, targetUserIds?: string[]) {
    const input = await inputFromRecord(lockdown, targetUserIds);
    return {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      workflowId: lockdown.workflowId,
      args: [input] as [LockdownFlowInput],
      typedSearchAttributes: lockdownSearchAttributes({
        lockdownId: lockdown.id,
        actorId: lockdown.actorId,
        selfService: lockdown.selfService,
        targetCount: input.targetUserIds.length,
      }),
    };
  }

  function findTargets(targetIds: string[]) {
    return db.user.findMany({ where: { id: { in: targetIds.filter((id) => isUuid(id)) } }, select: { id: true, username: true, type: true } });
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

  async function visibleLockdown(actor: Requester, lockdownId: string): Promise<LockdownRow> {
    const lockdown = isUuid(lockdownId) ? await db.lockdown.findUnique({ where: { id: lockdownId } }) : null;
    if (!lockdown || !(await canViewLockdown(db, actor, lockdown))) throw notFoundError('Lockdown');
    return lockdown;
  }

  async function waitFor(lockdownId: string, done: (status: LockdownStatus) => boolean, timeoutMs: number): Promise<LockdownRow> {
    const deadline = Date.now() + timeoutMs;
    for (let delay = 20; ; delay = Math.min(delay * 2, 250)) {
      const lockdown = await db.lockdown.findUniqueOrThrow({ where: { id: lockdownId } });
      if (done(lockdown.status) || Date.now() >= deadline) return lockdown;
      await sleep(delay);
    }
  }

  async function submitStage(actor: Requester, lockdownId: string, values: Record<string, unknown>) {
    const lockdown = await visibleLockdown(actor, lockdownId);
    if (!canAnswerLockdown(actor, lockdown)) throw denied('Only the person who started this lockdown can answer its prompts.');
    if (lockdown.status !== 'awaiting_input') throw conflictError('This lockdown is not waiting for input.', 'not_awaiting_input');
    const handle = temporal.workflow.getHandle(lockdown.workflowId);
    try {
      await temporal.withDeadline(Date.now() + config.API_WORKFLOW_DEADLINE_MS, () => handle.executeUpdate(submitPromptUpdate, { args: [values] }));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw workflowEnded(lockdown);
      throw updateError(err);
    }
    const stageIndex = lockdown.stageIndex;
    const answer = answerWhen(lockdown, 'awaiting_input');
    const settled = await waitFor(lockdownId, answer.settled, answer.waitsForEnd ? config.SELF_SERVICE_WAIT_MS : config.API_WORKFLOW_DEADLINE_MS);
    logger.info({ lockdownId, stageIndex }, 'lockdown prompt submitted');
    return viewOf(settled);
  }

  async function cancel(actor: Requester, lockdownId: string) {
    const lockdown = await visibleLockdown(actor, lockdownId);
    if (!canCancelLockdown(actor, lockdown)) throw denied('Only the person who started this lockdown can cancel it.');
    if (isFinished(lockdown.status)) throw conflictError(`This lockdown is already ${lockdown.status}.`, 'already_finished');
    try {
      await temporal.withDeadline(Date.now() + config.API_WORKFLOW_DEADLINE_MS, () =>
        temporal.workflow.getHandle(lockdown.workflowId).signal(cancelSignal),
      );
    } catch (err) {
      if (isDeadlineExceeded(err)) throw unavailableError('Temporal did not answer in time. Try again shortly.', 'temporal_unavailable');
      if (err instanceof WorkflowNotFoundError) throw workflowEnded(lockdown);
      throw err;
    }
    logger.info({ lockdownId }, 'lockdown cancel requested');
    return viewOf(await waitFor(lockdownId, isFinished, config.API_WORKFLOW_DEADLINE_MS));
  }

  /**
   * Deactivating or deleting a user outside a lockdown request runs the same per-user
   * lockdown (deactivate, sessions, tokens, verify, one audit event naming the cause), as a
   * single-user lockdown recorded like any other, and waits for it: the caller learns that
   * every credential is gone, or why not. The caller has checked the permission.
   */
  async function deactivate(actor: Requester, user: { id: string; username: string }, cause: DeactivationCause, meta: { clientIp: string | null; reason?: string }) {
    const flow: FlowSnapshot = {
      slug: DEACTIVATION_FLOW_SLUG,
      title: 'User deactivation',
      stages: [
        { kind: 'account_lockdown', name: 'deactivation', actions: DEACTIVATION_ACTIONS, selfServiceMessageTitle: '', selfServiceMessage: '', completionFlowSlug: null },
      ],
    };
    const lockdownId = randomUUID();
    const lockdown = await db.$transaction(async (tx) => {
      const row = await tx.lockdown.create({
        data: {
          id: lockdownId,
          actorId: actor.id,
          actorUsername: actor.username,
          reason: meta.reason || DEACTIVATION_REASONS[cause],
          selfService: false,
          cause,
          flowSlug: flow.slug,
          flowSnapshot: flow as object,
          workflowId: lockdownWorkflowId(lockdownId),
          clientIp: meta.clientIp,
          status: 'pending',
        },
      });
      await tx.lockdownTarget.create({ data: { lockdownId, userId: user.id, username: user.username, position: 0 } });
      return row;
    });
    try {
      await startWorkflow(lockdown);
    } catch (err) {
      await db.lockdown.delete({ where: { id: lockdownId } });
      throw err;
    }
    logger.info({ lockdownId, userId: user.id, cause, actorId: actor.id }, 'user deactivation started');
    const settled = await waitFor(lockdownId, isFinished, config.SELF_SERVICE_WAIT_MS);
    if (settled.status === 'completed') return settled;
    if (!isFinished(settled.status)) {
      throw unavailableError(
        `The deactivation is recorded as lockdown ${lockdownId} and will finish when a worker runs it; the user's credentials are revoked then.`,
        'worker_unavailable',
      );
    }
    const target = await db.lockdownTarget.findUnique({ where: { lockdownId_userId: { lockdownId, userId: user.id } } });
    throw conflictError(`The deactivation (lockdown ${lockdownId}) ${settled.status}: ${target?.error ?? settled.error ?? 'unknown reason'}`, 'deactivation_failed');
  }

  /**
   * Approves or rejects a lockdown waiting for approval, through the workflow's update (whose
   * validator refuses the requester and a decision without permission). Who may decide is
   * domain/permissions.ts; it is asked before the lockdown's state, so a refused caller learns nothing more.
   */
  async function decideApproval(actor: Requester, lockdownId: string, approve: boolean, comment: string) {
    const lockdown = isUuid(lockdownId) ? await db.lockdown.findUnique({ where: { id: lockdownId } }) : null;
    if (!lockdown) throw notFoundError('Lockdown');
    const commentProblem = unrecordableText(comment, 1_000);
    if (commentProblem) throw invalid(`The comment ${commentProblem}.`, [{ field: 'body.comment', message: commentProblem }]);
    const targets = await db.lockdownTarget.findMany({ where: { lockdownId }, select: { userId: true } });
    const verdict = await canDecideLockdownApproval(db, actor, lockdown, targets.map((target) => target.userId));
    if (verdict === 'requester') throw denied('The person who requested a lockdown cannot approve or reject it.');
    if (verdict === 'not_permitted') throw denied('Approving or rejecting a lockdown needs the change_user permission on every target.');
    if (lockdown.status !== 'awaiting_approval') throw conflictError(`This lockdown is not waiting for approval (it is ${lockdown.status}).`, 'not_awaiting_approval');
    const handle = temporal.workflow.getHandle(lockdown.workflowId);
    try {
      await temporal.withDeadline(Date.now() + config.API_WORKFLOW_DEADLINE_MS, () =>
        handle.executeUpdate(decideApprovalUpdate, { args: [{ approve, approver: { id: actor.id, username: actor.username }, comment, permitted: true }] }),
      );
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw workflowEnded(lockdown);
      if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
        if (err.cause.type === 'RequesterCannotDecide' || err.cause.type === 'PermissionDenied') throw denied(err.cause.message);
        throw conflictError(err.cause.message, 'not_awaiting_approval');
      }
      if (isDeadlineExceeded(err)) throw unavailableError(NO_WORKER_MESSAGE, 'worker_unavailable');
      throw err;
    }
    logger.info({ lockdownId, approve, approverId: actor.id }, 'lockdown approval decided');
    return viewOf(await waitFor(lockdownId, (status) => status !== 'awaiting_approval', config.API_WORKFLOW_DEADLINE_MS));
  }

  async function get(actor: Requester, lockdownId: string) {
    return viewOf(await visibleLockdown(actor, lockdownId), actor);
  }

  async function list(actor: Requester, query: { status?: LockdownStatus; actor?: string; target?: string; limit: number; cursor?: string }) {
    const seesAll = await canViewAllLockdowns(db, actor);
    const paging = newestFirst(query.cursor);
    const where: Prisma.LockdownWhereInput = {
      AND: [
        paging.where,
        {
          ...(seesAll ? {} : { actorId: actor.id }),
          ...(query.status ? { status: query.status } : {}),
          ...(query.actor ? { actorUsername: query.actor } : {}),
          ...(query.target ? (isUuid(query.target) ? { targets: { some: { userId: query.target } } } : { id: { in: [] } }) : {}),
        },
      ],
    };
    const rows = await db.lockdown.findMany({ where, orderBy: paging.orderBy, take: query.limit + 1 });
    const pageOfRows = newestFirstPage(rows, query.limit, (row) => row);
    return { items: await Promise.all(pageOfRows.items.map((row) => viewOf(row, actor))), nextCursor: pageOfRows.nextCursor };
  }

  async function results(actor: Requester, lockdownId: string, query: { limit: number; cursor?: string }) {
    const lockdown = await visibleLockdown(actor, lockdownId);
    const after = decodeCursor(query.cursor, z.object({ position: z.number().int().min(0) }));
    const rows = await db.lockdownTarget.findMany({
      where: { lockdownId: lockdown.id, ...(after ? { position: { gt: after.position } } : {}) },
      orderBy: { position: 'asc' },
      take: query.limit + 1,
    });
    const items = rows.slice(0, query.limit);
    return {
      items: items.map(resultOf),
      nextCursor: rows.length > query.limit ? encodeCursor({ position: items[items.length - 1].position }) : null,
    };
  }

  /**
   * Starts the workflows of lockdowns whose request died between recording and starting
   * (an API crash): run at API start, so no recorded lockdown is left undone.
   */
  async function resumeUnstarted(olderThanMs = 30_000): Promise<number> {
    const stranded = await db.lockdown.findMany({
      where: { status: 'pending', runId: null, actorId: { not: null }, createdAt: { lt: new Date(Date.now() - olderThanMs) } },
    });
    for (const lockdown of stranded) {
      await startWorkflow(lockdown);
      logger.info({ lockdownId: lockdown.id }, 'started a lockdown recorded by an interrupted request');
    }
    return stranded.length;
  }

  return { create, deactivate, decideApproval, submitStage, cancel, get, list, results, resumeUnstarted };
}

export type LockdownService = ReturnType<typeof createLockdownService>;

function hashRequest(request: CreateLockdownRequest): string {
  const canonical = JSON.stringify({ user: request.user ?? null, users: request.users ?? null, reason: request.reason ?? null });
  return createHash('sha256').update(canonical).digest('hex');
}

/** The workflow of a lockdown whose record is not finished has ended (e.g. terminated by an operator): nothing to act on. */
function workflowEnded(lockdown: LockdownRow): DomainError {
  return conflictError(`The workflow of this lockdown has already ended (the record says ${lockdown.status}); nothing can change it now.`, 'already_finished');
}

/** Turns a rejected `submitPrompt` update into the API's answer. */
function updateError(err: unknown): DomainError {
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    if (err.cause.type === 'ValidationError') {
      const fieldErrors = (err.cause.details?.[0] ?? []) as FieldError[];
      return invalid(
        fieldErrors.map((fieldError) => fieldError.message).join(' '),
        fieldErrors.map((fieldError) => ({ field: `body.${fieldError.field}`, message: fieldError.message })),
      );
    }
    return conflictError(err.cause.message, 'not_awaiting_input');
  }
  if (isDeadlineExceeded(err)) return unavailableError(NO_WORKER_MESSAGE, 'worker_unavailable');
  throw err;
}
