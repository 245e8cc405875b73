import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ApprovalDecisionInput } from '../domain/approval';
import type { LockdownFlowState } from './types';

/** Live state of a lockdown: status, current stage, progress, ending. */
export const lockdownStateQuery = defineQuery<LockdownFlowState>('lockdownState');

/** Submits the current prompt's fields; the validator rejects missing required fields. */
export const submitPromptUpdate = defineUpdate<LockdownFlowState, [Record<string, unknown>]>('submitPrompt');

/** Cancels a lockdown waiting at a prompt, or stops a bulk run from starting more users. */
export const cancelSignal = defineSignal('cancel');

/** Approves or rejects a lockdown waiting for approval; the validator refuses the requester and callers without permission. */
export const decideApprovalUpdate = defineUpdate<LockdownFlowState, [ApprovalDecisionInput]>('decideApproval');

/**
 * Sent with the start (update-with-start): answers once the lockdown has left `pending` and
 * recorded its first status, so the API answers a new lockdown from Temporal, without
 * polling PostgreSQL.
 */
export const lockdownStartedUpdate = defineUpdate<LockdownFlowState>('lockdownStarted');
