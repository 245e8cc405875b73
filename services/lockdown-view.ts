import type { Config } from '../lib/config';
import { temporalUiUrl } from '../lib/temporal';
import type { Db } from '../lib/db';
import type { ApprovalRecord } from '../domain/approval';
import type { LockdownTrigger } from '../domain/lockdown-trigger';
import { type Actor } from '../domain/permissions';
import { canAnswerLockdown, canCancelLockdown, canDecideLockdownApproval, canReadLockdownHistory, usersViewableBy } from './authorization';
import { cancelEffect, cancelledOutcome } from '../domain/cancellation';
import { isFinished, progressFrom, type Progress } from '../domain/lockdown-status';
import { showsResultsPrompt } from '../domain/self-service';
import { renderFields, type PromptContext, type TemplateUser } from '../domain/templates';
import type { Completion, FlowSnapshot } from '../domain/stages';
import type { LockdownStatus } from '../domain/lockdown-status';
import type { Lockdown as LockdownRow, LockdownTarget } from '../generated/prisma/client';
import { downstreamSummaryOf, withDownstream } from './downstream';

/** How a lockdown is shown to API clients: built from PostgreSQL only, so it outlives Temporal history. */
export const RESULTS_PAGE_SIZE = 50;
// Templates see at most this many results; the full list is paged at /results.
const TEMPLATE_RESULTS_LIMIT = 1_000;

export function resultOf(target: LockdownTarget) {
  return {
    userId: target.userId,
    username: target.username,
    status: target.status,
    success: target.status === 'locked',
    error: target.error,
    sessionsRevoked: target.sessionsRevoked,
    tokensRevoked: target.tokensRevoked,
  };
}

/** Results as the viewer gets them: with whether they may open each user's page (services/authorization.ts). */
export async function resultsFor(db: Db, viewer: Actor, targets: LockdownTarget[]) {
  const viewable = await usersViewableBy(db, viewer, targets.map((target) => target.userId));
  const results = targets.map((target) => ({ ...resultOf(target), completedAt: target.completedAt?.toISOString() ?? null, viewerMayViewUser: viewable.has(target.userId) }));
  // Each user's result on the downstream connectors (issue 21) travels with their local result.
  return targets.length === 0 ? [] : withDownstream(db, targets[0].lockdownId, results);
}

export function createLockdownViews(db: Db, config: Config) {
  async function progressOf(lockdownId: string) {
    const groups = await db.lockdownTarget.groupBy({ by: ['status'], where: { lockdownId }, _count: { _all: true } });
    const count = (status: string) => groups.find((group) => group.status === status)?._count._all ?? 0;
    const total = groups.reduce((sum, group) => sum + group._count._all, 0);
    return progressFrom({ total, locked: count('locked'), failed: count('failed'), cancelled: count('cancelled') });
  }

  /**
   * The prompt a client should show now: the waiting prompt, or the results prompt after an
   * admin run that walked its lockdown stage (self-service runs show `completion`). A run that
   * ended at its prompt (cancelled, expired) shows no prompt: nothing is asked any more.
   */
  async function stageOf(lockdown: LockdownRow, progress: Progress) {
    const flow = lockdown.flowSnapshot as unknown as FlowSnapshot;
    const stage = lockdown.stageIndex === null ? undefined : flow.stages[lockdown.stageIndex];
    const status = lockdown.status as LockdownStatus;
    const afterLockdownStage = lockdown.stageIndex !== null && lockdown.stageIndex > flow.stages.findIndex((candidate) => candidate.kind === 'account_lockdown');
    const shown = status === 'awaiting_input' || (afterLockdownStage && showsResultsPrompt({ selfService: lockdown.selfService, status }));
    if (stage?.kind !== 'prompt' || !shown) return null;
    return { name: stage.name, fields: await renderFields(stage.fields, await promptContext(lockdown, progress)) };
  }

  async function promptContext(lockdown: LockdownRow, progress: Progress): Promise<PromptContext> {
    const [targets, actor] = await Promise.all([
      db.lockdownTarget.findMany({
        where: { lockdownId: lockdown.id },
        orderBy: { position: 'asc' },
        include: { user: { select: { id: true, username: true, name: true, email: true } } },
      }),
      lockdown.actorId ? db.user.findUnique({ where: { id: lockdown.actorId }, select: { id: true, username: true, name: true, email: true } }) : null,
    ]);
    const users: TemplateUser[] = targets.map((target) => target.user);
    const results = targets
      .filter((target) => target.status === 'locked' || target.status === 'failed')
      .slice(0, TEMPLATE_RESULTS_LIMIT)
      .map((target) => ({
        user: target.user,
        username: target.username,
        success: target.status === 'locked',
        error: target.error,
        sessions_revoked: target.sessionsRevoked,
        tokens_revoked: target.tokensRevoked,
      }));
    return {
      lockdown_target_user: users.length === 1 ? users[0] : null,
      lockdown_target_users: users,
      lockdown_self_service: lockdown.selfService,
      lockdown_results: results,
      lockdown_progress: progress,
      lockdown_reason: lockdown.reason,
      user: actor ?? { id: lockdown.actorId ?? '', username: lockdown.actorUsername, name: '', email: '' },
    };
  }

  /** Whether the viewer may approve or reject it now (the same rule the approve route applies). */
  async function viewerMayDecide(lockdown: LockdownRow, viewer: Actor): Promise<boolean> {
    if (lockdown.status !== 'awaiting_approval') return false;
    const targets = await db.lockdownTarget.findMany({ where: { lockdownId: lockdown.id }, select: { userId: true } });
    return (await canDecideLockdownApproval(db, viewer, lockdown, targets.map((target) => target.userId))) === 'ok';
  }

  /** Targets a cancel left out after containment deactivated them (their result carries why: domain/cancellation.ts). */
  function leftDeactivated(lockdownId: string) {
    return db.lockdownTarget.count({ where: { lockdownId, status: 'cancelled', error: { not: null } } });
  }

  /** `viewer`: who asks, for what they may do with it now, by the rules the routes apply (services/authorization.ts). */
  return async function viewOf(lockdown: LockdownRow, viewer: Actor) {
    const status = lockdown.status as LockdownStatus;
    const progress = await progressOf(lockdown.id);
    const [firstTargets, stage, mayDecide, mayReadHistory, callerTarget, cancelledAfterContainment, downstream] = await Promise.all([
      db.lockdownTarget.findMany({ where: { lockdownId: lockdown.id }, orderBy: { position: 'asc' }, take: RESULTS_PAGE_SIZE }),
      stageOf(lockdown, progress),
      viewerMayDecide(lockdown, viewer),
      canReadLockdownHistory(db, viewer, lockdown),
      lockdown.actorId ? db.lockdownTarget.findFirst({ where: { lockdownId: lockdown.id, userId: lockdown.actorId }, select: { id: true } }) : null,
      status === 'cancelled' && progress.cancelled > 0 ? leftDeactivated(lockdown.id) : 0,
      downstreamSummaryOf(db, lockdown.id),
    ]);
    const mayCancel = !isFinished(status) && canCancelLockdown(viewer, lockdown);
    const self = `/api/v1/lockdowns/${lockdown.id}`;
    return {
      id: lockdown.id,
      status,
      finished: isFinished(status),
      selfService: lockdown.selfService,
      targetCount: progress.total,
      includesCaller: callerTarget !== null,
      cause: lockdown.cause,
      actor: { id: lockdown.actorId, username: lockdown.actorUsername },
      reason: lockdown.reason,
      createdAt: lockdown.createdAt.toISOString(),
      completedAt: lockdown.completedAt?.toISOString() ?? null,
      progress,
      containment: lockdown.containedCount === null ? null : { contained: lockdown.containedCount, finishedAt: lockdown.containedAt?.toISOString() ?? null },
      cancellation: {
        effect: mayCancel ? cancelEffect({ status, contained: lockdown.containedCount, total: progress.total }) : null,
        leftDeactivated: cancelledAfterContainment,
        outcome: cancelledOutcome({ cancelledAfterContainment }),
      },
      results: await resultsFor(db, viewer, firstTargets),
      downstream,
      stage,
      completion: (lockdown.completion as Completion | null) ?? null,
      error: lockdown.error,
      // The flow the lockdown runs (snapshotted when requested): clients show it at /flows/<slug>.
      flow: { slug: lockdown.flowSlug, title: (lockdown.flowSnapshot as unknown as FlowSnapshot).title },
      workflowId: lockdown.workflowId,
      approval: approvalOf(lockdown, mayDecide),
      trigger: (lockdown.trigger as LockdownTrigger | null) ?? null,
      viewerMayAnswer: status === 'awaiting_input' && canAnswerLockdown(viewer, lockdown),
      viewerMayCancel: mayCancel,
      viewerMayReadHistory: mayReadHistory,
      links: { self, results: `${self}/results`, history: `${self}/history`, temporalUi: temporalUiUrl(config, lockdown.workflowId) },
    };
  };
}

function approvalOf(lockdown: LockdownRow, viewerMayDecide: boolean) {
  const record = lockdown.approval as ApprovalRecord | null;
  if (!record) return null;
  // The workflow records the exact expiry a moment after it starts waiting; until then, the
  // wait began when the record last changed (its status became awaiting_approval).
  const waitingSince = lockdown.status === 'awaiting_approval' ? lockdown.updatedAt.getTime() : null;
  return {
    viewerMayDecide,
    expiresAt: record.expiresAt ?? (waitingSince !== null ? new Date(waitingSince + record.timeoutSeconds * 1_000).toISOString() : null),
    outcome: record.outcome ?? null,
    approver: record.approver ?? null,
    comment: record.comment ?? null,
    decidedAt: record.decidedAt ?? null,
  };
}

export type LockdownViews = ReturnType<typeof createLockdownViews>;
export type LockdownView = Awaited<ReturnType<LockdownViews>>;
