import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { conflictError, denied, invalid, unavailableError, type DomainError } from '../domain/errors';
import { isFinished } from '../domain/lockdown-status';
import { canAnswerLockdown, canCancelLockdown, canDecideLockdownApproval } from './authorization';
import { unrecordableText } from '../domain/prompt';
import { answerWhen } from '../domain/self-service';
import type { FieldError } from '../domain/stages';
import type { Config } from '../lib/config';
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';
import { isDeadlineExceeded } from '../lib/temporal';
import { cancelSignal, decideApprovalUpdate, submitPromptUpdate } from '../workflows/messages';
import type { Lockdown as LockdownRow } from '../generated/prisma/client';
import { visibleLockdown, type Requester } from './lockdown-access';
import { NO_WORKER_MESSAGE, type LockdownStarter } from './lockdown-start';
import type { LockdownViews } from './lockdown-view';

/**
 * What people do to one lockdown: answer its prompt, cancel it, approve or reject it. Each
 * asks, in order: may the caller see it (404 otherwise, as for an unknown id), may they do
 * this (403), is it in a state for it (409); then tells the workflow and answers with the
 * lockdown as it then is.
 */
export function createLockdownCommands({ db, temporal, config, logger }: { db: Db; temporal: Client; config: Config; logger: Logger }, starter: LockdownStarter, viewOf: LockdownViews) {
  const withDeadline = <T>(fn: () => Promise<T>) => temporal.withDeadline(Date.now() + config.API_WORKFLOW_DEADLINE_MS, fn);

  async function submitStage(actor: Requester, lockdownId: string, values: Record<string, unknown>) {
    const lockdown = await visibleLockdown(db, actor, lockdownId);
    if (!canAnswerLockdown(actor, lockdown)) throw denied('Only the person who started this lockdown can answer its prompts.');
    if (lockdown.status !== 'awaiting_input') throw conflictError('This lockdown is not waiting for input.', 'not_awaiting_input');
    try {
      await withDeadline(() => temporal.workflow.getHandle(lockdown.workflowId).executeUpdate(submitPromptUpdate, { args: [values] }));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw workflowEnded(lockdown);
      throw promptRefused(err);
    }
    const answer = answerWhen(lockdown, 'awaiting_input');
    const settled = await starter.waitFor(lockdown.id, answer.settled, answer.waitsForEnd ? config.SELF_SERVICE_WAIT_MS : config.API_WORKFLOW_DEADLINE_MS);
    logger.info({ lockdownId: lockdown.id, stageIndex: lockdown.stageIndex }, 'lockdown prompt submitted');
    return viewOf(settled, actor);
  }

  async function cancel(actor: Requester, lockdownId: string) {
    const lockdown = await visibleLockdown(db, actor, lockdownId);
    if (!canCancelLockdown(actor, lockdown)) throw denied('Only the person who started this lockdown can cancel it.');
    if (isFinished(lockdown.status)) throw conflictError(`This lockdown is already ${lockdown.status}.`, 'already_finished');
    try {
      await withDeadline(() => temporal.workflow.getHandle(lockdown.workflowId).signal(cancelSignal));
    } catch (err) {
      if (isDeadlineExceeded(err)) throw unavailableError('Temporal did not answer in time. Try again shortly.', 'temporal_unavailable');
      if (err instanceof WorkflowNotFoundError) throw workflowEnded(lockdown);
      throw err;
    }
    logger.info({ lockdownId: lockdown.id }, 'lockdown cancel requested');
    return viewOf(await starter.waitFor(lockdown.id, isFinished, config.API_WORKFLOW_DEADLINE_MS), actor);
  }

  /**
   * Approves or rejects a lockdown waiting for approval, through the workflow's update (whose
   * validator refuses the requester and a decision without permission). Who may decide is
   * domain/permissions.ts; it is asked before the lockdown's state, so a refused caller learns nothing more.
   */
  async function decideApproval(actor: Requester, lockdownId: string, approve: boolean, comment: string) {
    const lockdown = await visibleLockdown(db, actor, lockdownId);
    const commentProblem = unrecordableText(comment, 1_000);
    if (commentProblem) throw invalid(`The comment ${commentProblem}.`, [{ field: 'body.comment', message: commentProblem }]);
    const targets = await db.lockdownTarget.findMany({ where: { lockdownId: lockdown.id }, select: { userId: true } });
    const verdict = await canDecideLockdownApproval(db, actor, lockdown, targets.map((target) => target.userId));
    if (verdict === 'requester') throw denied('The person who requested a lockdown cannot approve or reject it.');
    if (verdict === 'not_permitted') throw denied('Approving or rejecting a lockdown needs the change_user permission on every target.');
    if (lockdown.status !== 'awaiting_approval') throw conflictError(`This lockdown is not waiting for approval (it is ${lockdown.status}).`, 'not_awaiting_approval');
    try {
      await withDeadline(() =>
        temporal.workflow
          .getHandle(lockdown.workflowId)
          .executeUpdate(decideApprovalUpdate, { args: [{ approve, approver: { id: actor.id, username: actor.username }, comment, permitted: true }] }),
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
    logger.info({ lockdownId: lockdown.id, approve, approverId: actor.id }, 'lockdown approval decided');
    return viewOf(await starter.waitFor(lockdown.id, (status) => status !== 'awaiting_approval', config.API_WORKFLOW_DEADLINE_MS), actor);
  }

  return { submitStage, cancel, decideApproval };
}

/** The workflow of a lockdown whose record is not finished has ended (e.g. terminated by an operator): nothing to act on. */
function workflowEnded(lockdown: LockdownRow): DomainError {
  return conflictError(`The workflow of this lockdown has already ended (the record says ${lockdown.status}); nothing can change it now.`, 'already_finished');
}

/** Turns a rejected `submitPrompt` update into the API's answer. */
function promptRefused(err: unknown): DomainError {
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
