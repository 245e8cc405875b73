import type { AccountLockdownStageSnapshot, Completion } from './stages';
import type { LockdownStatus, Progress } from './lockdown-status';
import { LOCKDOWN_ACTIONS } from './lockdown-actions';
import { isFinished } from './lockdown-status';

/**
 * How a lockdown ends for the person who asked — decided here only. Pure: the workflow
 * imports it.
 *
 * Self-service runs (the caller is a target) do not end on the admin results: the caller
 * is sent to the completion flow (readable without a session), or shown the stage's
 * message — but only when every target was locked *and* the stage deleted sessions,
 * because both of those tell the user they were logged out everywhere. A run that kept
 * sessions says what it did instead; any failure gets the failure message so the user
 * knows to ask for help.
 */
export const SELF_SERVICE_FAILURE_TITLE = 'Account lockdown failed';
export const SELF_SERVICE_FAILURE_MESSAGE =
  'We could not lock your account. Please contact your administrator or security team for assistance.';

export const DEFAULT_SELF_SERVICE_TITLE = 'Your account has been locked';
export const DEFAULT_SELF_SERVICE_MESSAGE =
  '<p>You have been logged out of all sessions and your password has been invalidated.</p>' +
  '<p>To regain access to your account, please contact your IT administrator or security team.</p>';
const CONTACT = '<p>To regain access to your account, please contact your IT administrator or security team.</p>';

export function selfServiceEnding(stage: AccountLockdownStageSnapshot, progress: Progress): Completion {
  const everyTargetLocked = progress.total > 0 && progress.locked === progress.total;
  if (!everyTargetLocked) return { message: { title: SELF_SERVICE_FAILURE_TITLE, body: SELF_SERVICE_FAILURE_MESSAGE } };
  if (!stage.actions.deleteSessions) {
    // The completion flow and the stage's message both say "logged out everywhere": not true here.
    const lines = LOCKDOWN_ACTIONS.map((action) => `<li>${stage.actions[action.key] ? action.done.on : action.done.off}</li>`).join('');
    return { message: { title: stage.selfServiceMessageTitle, body: `<ul>${lines}</ul>${CONTACT}` } };
  }
  if (stage.completionFlowSlug) return { redirect: `/flows/${stage.completionFlowSlug}` };
  return { message: { title: stage.selfServiceMessageTitle, body: stage.selfServiceMessage } };
}

/** A finished admin run shows its results prompt; a self-service run shows its ending instead. */
export function showsResultsPrompt(lockdown: { selfService: boolean; status: LockdownStatus }): boolean {
  return !lockdown.selfService && isFinished(lockdown.status);
}

/**
 * When an API call that moved a lockdown forward may answer. A self-service run that is
 * under way is answered only once it has finished, because the caller's session is gone
 * after it and the answer carries the ending; anything else answers once it left `from`.
 */
export function answerWhen(lockdown: { selfService: boolean }, from: LockdownStatus): { settled: (status: LockdownStatus) => boolean; waitsForEnd: boolean } {
  if (lockdown.selfService) return { settled: (status) => isFinished(status) || (status === 'awaiting_input' && from !== 'awaiting_input'), waitsForEnd: true };
  return { settled: (status) => status !== from, waitsForEnd: false };
}
