import type { EventAction } from './events';
/**
 * Two-person approval of large bulk lockdowns. Pure: the workflow's update validator and the
 * API use the same rules. Who may decide is domain/permissions.ts (`canDecideLockdownApproval`).
 */

/** Audit event actions of an approval, spelled like the lockdown events. */
export const APPROVAL_REQUESTED = 'account_lockdown_approval_requested' satisfies EventAction;
export const APPROVAL_EVENT_ACTIONS = {
  approved: 'account_lockdown_approved',
  rejected: 'account_lockdown_rejected',
  expired: 'account_lockdown_approval_expired',
} as const satisfies Record<string, EventAction>;

export type ApprovalOutcome = keyof typeof APPROVAL_EVENT_ACTIONS;
/** How an approval ended, as recorded: decided, expired, or cancelled by the requester. */
export const APPROVAL_RECORD_OUTCOMES = ['approved', 'rejected', 'expired', 'cancelled'] as const satisfies readonly (ApprovalOutcome | 'cancelled')[];

/**
 * A lockdown waits for approval when its stage asks for it and it takes its requester over
 * `threshold` users: the users of this request plus those of their earlier lockdowns within the
 * approval window that did not go through approval (`earlierTargetCount`), so a bulk split into
 * small requests waits like the bulk. Self-service lockdowns never wait (an account under attack
 * is locked at once), and neither does a single-user lockdown until its requester is over the
 * threshold.
 */
export function needsApproval(request: { stageRequiresApproval: boolean; selfService: boolean; targetCount: number; earlierTargetCount: number; threshold: number }): boolean {
  return request.stageRequiresApproval && !request.selfService && request.targetCount + request.earlierTargetCount > request.threshold;
}

/** The approval of a lockdown that must wait for one, as recorded before anyone decides. */
export function approvalRecord(timeoutSeconds: number, threshold: number): ApprovalRecord {
  return { timeoutSeconds, threshold, expiresAt: null, outcome: null, approver: null, comment: null, decidedAt: null };
}

/** The person who requested a lockdown never approves or rejects it (four eyes). */
export function isRequester(deciderId: string, requesterId: string | null): boolean {
  return requesterId !== null && deciderId === requesterId;
}

/** What the API hands the workflow's `decideApproval` update, after checking the permission. */
export interface ApprovalDecisionInput {
  approve: boolean;
  approver: { id: string; username: string };
  comment: string;
  /** Set by the API from domain/permissions.ts: change_user on every target. The validator refuses a decision without it. */
  permitted: boolean;
}

/** The recorded approval of a lockdown (the `approval` column, the API's `approval` field). */
export interface ApprovalRecord {
  timeoutSeconds: number;
  threshold: number;
  expiresAt: string | null;
  outcome: ApprovalOutcome | 'cancelled' | null;
  approver: { id: string; username: string } | null;
  comment: string | null;
  decidedAt: string | null;
}
