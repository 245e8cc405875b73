import type { ApprovalRecord } from '../domain/approval';
import { containedOnRecord } from '../domain/containment';
import type { DeactivationCause } from '../domain/deactivation';
import type { LockdownTrigger } from '../domain/lockdown-trigger';
import type { FlowSnapshot } from '../domain/stages';
import type { Config } from '../lib/config';
import type { Db } from '../lib/db';
import { lockdownWorkflowId } from '../workflows/ids';
import type { LockdownFlowInput } from '../workflows/types';
import type { Lockdown as LockdownRow, Prisma } from '../generated/prisma/client';

/**
 * A lockdown's PostgreSQL record and the workflow input made from it: the record is written
 * first, whole, and the input is rebuilt from it alone, so whoever starts the workflow later
 * (a replayed request, the resumer) starts the same one.
 */

// Under PostgreSQL's 32,767 bind parameters per statement: a larger insert Prisma would split and
// run concurrently on the transaction's one connection (which pg deprecates).
const TARGET_ROWS_PER_INSERT = 5_000;

export interface NewLockdown {
  id: string;
  actor: { id: string; username: string };
  reason: string | null;
  selfService: boolean;
  flow: FlowSnapshot;
  clientIp: string | null;
  cause?: DeactivationCause;
  idempotencyKey?: string;
  requestHash?: string;
  approval?: ApprovalRecord | null;
  /** What started it when no person asked (a password lockout, a Shared Signal). */
  trigger?: LockdownTrigger;
}

/**
 * Writes the record and its targets (in request order) in the caller's transaction. When the run
 * would start by containment with nothing to wait for (domain/containment.ts), the same
 * transaction deactivates the targets first: their credentials are refused from the moment the
 * lockdown exists, and each target deactivated here is marked, so the run's containment counts
 * it contained (a later refusal of its per-user run is then audited).
 */
export async function recordLockdown(
  tx: Prisma.TransactionClient,
  lockdown: NewLockdown,
  targets: { id: string; username: string }[],
  settings: Pick<Config, 'LOCKDOWN_CONTAINMENT_FIRST'>,
): Promise<LockdownRow> {
  const contained = new Set<string>();
  const containsNow = containedOnRecord(lockdown.flow, initialValuesOf(lockdown.reason), {
    targetCount: targets.length,
    needsApproval: Boolean(lockdown.approval),
    containmentFirst: settings.LOCKDOWN_CONTAINMENT_FIRST,
  });
  if (containsNow) {
    const ids = targets.map((target) => target.id);
    const deactivated = await tx.user.updateManyAndReturn({ where: { id: { in: ids }, isActive: true }, data: { isActive: false }, select: { id: true } });
    for (const user of deactivated) contained.add(user.id);
  }
  const row = await tx.lockdown.create({
    data: {
      id: lockdown.id,
      actorId: lockdown.actor.id,
      actorUsername: lockdown.actor.username,
      reason: lockdown.reason,
      selfService: lockdown.selfService,
      cause: lockdown.cause ?? null,
      flowSlug: lockdown.flow.slug,
      flowSnapshot: lockdown.flow as object,
      workflowId: lockdownWorkflowId(lockdown.id),
      clientIp: lockdown.clientIp,
      idempotencyKey: lockdown.idempotencyKey ?? null,
      requestHash: lockdown.requestHash ?? null,
      status: 'pending',
      ...(lockdown.approval ? { approval: { ...lockdown.approval } } : {}),
      ...(lockdown.trigger ? { trigger: { ...lockdown.trigger } } : {}),
    },
  });
  const rows = targets.map((target, position) => ({ lockdownId: lockdown.id, userId: target.id, username: target.username, position, containedOnRecord: contained.has(target.id) }));
  for (let start = 0; start < rows.length; start += TARGET_ROWS_PER_INSERT) {
    await tx.lockdownTarget.createMany({ data: rows.slice(start, start + TARGET_ROWS_PER_INSERT) });
  }
  return row;
}

/** The prompt values a lockdown starts with: its reason, when the request gave one. */
function initialValuesOf(reason: string | null): Record<string, string> {
  return reason ? { reason } : {};
}

/** Recorded, and no workflow run known for it: a start may still be owed (or under way). */
export function isUnstarted(lockdown: Pick<LockdownRow, 'status' | 'runId'>): boolean {
  return lockdown.status === 'pending' && lockdown.runId === null;
}

/** The workflow's input, from the record alone (`targetUserIds`: the targets just recorded, else read). */
export async function inputFromRecord(db: Db, config: Config, lockdown: LockdownRow, targetUserIds?: string[]): Promise<LockdownFlowInput> {
  const userIds =
    targetUserIds ??
    (await db.lockdownTarget.findMany({ where: { lockdownId: lockdown.id }, orderBy: { position: 'asc' }, select: { userId: true } })).map((target) => target.userId);
  return {
    lockdownId: lockdown.id,
    actor: { id: lockdown.actorId ?? '', username: lockdown.actorUsername },
    targetUserIds: userIds,
    selfService: lockdown.selfService,
    bulk: userIds.length > 1,
    flow: lockdown.flowSnapshot as unknown as FlowSnapshot,
    initialValues: initialValuesOf(lockdown.reason),
    clientIp: lockdown.clientIp,
    settings: {
      window: config.LOCKDOWN_BULK_WINDOW,
      continueAsNewAfter: config.LOCKDOWN_CONTINUE_AS_NEW_AFTER,
      containmentFirst: config.LOCKDOWN_CONTAINMENT_FIRST,
      promptTimeoutMs: config.LOCKDOWN_PROMPT_TIMEOUT_SECONDS * 1_000,
    },
    ...(lockdown.cause ? { cause: lockdown.cause as DeactivationCause } : {}),
    ...(lockdown.approval ? { approval: { timeoutMs: (lockdown.approval as unknown as ApprovalRecord).timeoutSeconds * 1_000 } } : {}),
  };
}
