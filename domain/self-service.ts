import type { AccountLockdownStageSnapshot, Completion } from '../workflows/types';

/**
 * How a self-service lockdown ends — decided here only. Pure: the workflow imports it.
 *
 * The caller's own session is gone after a successful run, so instead of the admin
 * results they get the completion flow (readable without a session) or the stage's
 * message; any failure gets the failure message so they know to ask for help.
 */
export const SELF_SERVICE_FAILURE_TITLE = 'Account lockdown failed';
export const SELF_SERVICE_FAILURE_MESSAGE =
  'We could not lock your account. Please contact your administrator or security team for assistance.';

export function selfServiceEnding(stage: AccountLockdownStageSnapshot, allSucceeded: boolean): Completion {
  if (!allSucceeded) {
    return { message: { title: SELF_SERVICE_FAILURE_TITLE, body: SELF_SERVICE_FAILURE_MESSAGE } };
  }
  if (stage.completionFlowSlug) {
    return { redirect: `/flows/${stage.completionFlowSlug}` };
  }
  return { message: { title: stage.selfServiceMessageTitle, body: stage.selfServiceMessage } };
}
