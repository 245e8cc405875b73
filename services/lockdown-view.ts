import type { Config } from '../lib/config';
import { temporalUiUrl } from '../lib/temporal';
import type { Db } from '../lib/db';
import type { ApprovalRecord } from '../domain/approval';
import type { LockdownTrigger } from '../domain/lockdown-trigger';
import { type Actor } from '../domain/permissions';
import { canAnswerLockdown, canCancelLockdown, canDecideLockdownApproval, canReadLockdownHistory } from './authorization';
import { isFinished, progressFrom } from '../domain/lockdown-status';
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

export function createLockdownViews(db: Db, config: Config) {
  async function progressOf(lockdownId: string) {
    const groups = await db.lockdownTarget.groupBy({ by: ['status'], where: { lockdownId }, _count: { _all: true } });
    const count = (status: string) => groups.find((group) => group.status === status)?._count._all ?? 0;
    const total = groups.reduce((sum, group) => sum + group._count._all, 0);
    return progressFrom({ total, locked: count('locked'), failed: count('failed'), cancelled: count('cancelled') });
  }

  /** The prompt a client should show now: the waiting prompt, or the results after an admin run (self-service runs show `completion`). */
  async function stageOf(lockdown: LockdownRow) {
    const flow = lockdown.flowSnapshot as unknown as FlowSnapshot;
    const stage = lockdown.stageIndex === null ? undefined : flow.stages[lockdown.stageIndex];
    const status = lockdown.status as LockdownStatus;
    if (stage?.kind !== 'prompt' || !(status === 'awaiting_input' || showsResultsPrompt({ selfService: lockdown.selfService, status }))) return null;
    return { name: stage.name, fields: await renderFields(stage.fields, await promptContext(lockdown)) };
  }

  async function promptContext(lockdown: LockdownRow): Promise<PromptContext> {
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

  /** `viewer`: who asks, for what they may do with it now, by the rules the routes apply (domain/permissions.ts). */
  return async function viewOf(lockdown: LockdownRow, viewer: Actor) {
    const status = lockdown.status as LockdownStatus;
    const [progress, firstResults, stage, mayDecide, mayReadHistory, downstream] = await Promise.all([
      progressOf(lockdown.id),
      db.lockdownTarget.findMany({ where: { lockdownId: lockdown.id }, orderBy: { position: 'asc' }, take: RESULTS_PAGE_SIZE }),
      stageOf(lockdown),
      viewerMayDecide(lockdown, viewer),
      canReadLockdownHistory(db, viewer, lockdown),
      downstreamSummaryOf(db, lockdown.id),
    ]);
    const self = `/api/v1/lockdowns/${lockdown.id}`;
    return {
      id: lockdown.id,
      status,
      selfService: lockdown.selfService,
      actor: { id: lockdown.actorId, username: lockdown.actorUsername },
      reason: lockdown.reason,
      createdAt: lockdown.createdAt.toISOString(),
      completedAt: lockdown.completedAt?.toISOString() ?? null,
      progress,
      results: await withDownstream(db, lockdown.id, firstResults.map(resultOf)),
      downstream,
      stage,
      completion: (lockdown.completion as Completion | null) ?? null,
      error: lockdown.error,
      // The flow the lockdown runs (snapshotted when requested): clients show it at /flows/<slug>.
      flow: { slug: lockdown.flowSlug, title: (lockdown.flowSnapshot as unknown as FlowSnapshot).title },
      workflowId: lockdown.workflowId,
      approval: approvalOf(lockdown.approval as ApprovalRecord | null, mayDecide),
      trigger: (lockdown.trigger as LockdownTrigger | null) ?? null,
      viewerMayAnswer: status === 'awaiting_input' && canAnswerLockdown(viewer, lockdown),
      viewerMayCancel: !isFinished(status) && canCancelLockdown(viewer, lockdown),
      viewerMayReadHistory: mayReadHistory,
      links: { self, results: `${self}/results`, history: `${self}/history`, temporalUi: temporalUiUrl(config, lockdown.workflowId) },
    };
  };
}

function approvalOf(record: ApprovalRecord | null, viewerMayDecide: boolean) {
  if (!record) return null;
  return {
    viewerMayDecide,
    expiresAt: record.expiresAt ?? null,
    outcome: record.outcome ?? null,
    approver: record.approver ?? null,
    comment: record.comment ?? null,
    decidedAt: record.decidedAt ?? null,
  };
}

export type LockdownViews = ReturnType<typeof createLockdownViews>;
export type LockdownView = Awaited<ReturnType<LockdownViews>>;
