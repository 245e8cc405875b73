/**
 * The workflows' inputs, results and messages' payloads (the domain's own types live in
 * domain/). Plain data only: everything here crosses Temporal's payload boundary.
 */

import type { DownstreamConnectorRef, DownstreamSummary, LocalUser } from '../domain/connectors';
import type { DeactivationCause } from '../domain/deactivation';
import type { LockdownActions } from '../domain/lockdown-actions';
import type { LockdownStatus, Progress } from '../domain/lockdown-status';
import type { ActorRef, Completion, FlowSnapshot } from '../domain/stages';

/** The worker-independent settings a lockdown runs with (from the API's configuration, lib/config.ts). */
export interface LockdownSettings {
  /** Per-user children running at once. */
  window: number;
  /** Children started by one run before it continues as new. */
  continueAsNewAfter: number;
  /** Containment first: every target deactivated in batches before the per-user runs. */
  containmentFirst: boolean;
  /** How long a prompt waits for its answer before the lockdown ends `expired` (LOCKDOWN_PROMPT_TIMEOUT_SECONDS). */
  promptTimeoutMs: number;
}

/**
 * What a parent run hands to the next one when it continues as new. No child is in flight
 * then: each run waits for the children it started.
 */
export interface FlowResumeState {
  stageIndex: number;
  values: Record<string, string>;
  nextTargetIndex: number;
  locked: number;
  failed: number;
  cancelRequested: boolean;
  /** The targets containment left active (set only when containment ran). */
  uncontained?: string[];
  /** The first run took patch lockdown-summary-alerts: the last one writes the summary event. */
  summaryAlerts?: boolean;
}

export interface LockdownFlowInput {
  lockdownId: string;
  actor: ActorRef;
  targetUserIds: string[];
  selfService: boolean;
  bulk: boolean;
  flow: FlowSnapshot;
  /** Prompt values supplied with the request (e.g. `reason`), so API callers need one call. */
  initialValues: Record<string, string>;
  clientIp: string | null;
  settings: LockdownSettings;
  resume?: FlowResumeState;
  /** Set when a user deactivation or deletion, not a lockdown request, caused the run. */
  cause?: DeactivationCause;
  /** Set when the lockdown waits for a second person's approval before its lockdown stage. */
  approval?: { timeoutMs: number };
}

export interface LockdownUserInput {
  lockdownId: string;
  parentWorkflowId: string;
  userId: string;
  actor: ActorRef;
  bulk: boolean;
  selfService: boolean;
  reason: string;
  actions: LockdownActions;
  clientIp: string | null;
  /** Set when a user deactivation or deletion caused the run; named in the audit event. */
  cause?: DeactivationCause;
  /** Containment first deactivated this user before the run started (absent when containment did not run). */
  contained?: boolean;
}

export interface LockdownFlowState {
  status: LockdownStatus;
  stageIndex: number | null;
  progress: Progress;
  completion: Completion | null;
  error: string | null;
}

export interface FieldError {
  field: string;
  message: string;
}


/** The lockdown's own downstream run for one user: every connector the per-user run planned, at once. */
export interface DownstreamRunInput {
  lockdownId: string;
  userId: string;
  user: LocalUser;
  connectors: DownstreamConnectorRef[];
  actor: ActorRef;
  reason: string;
  clientIp: string | null;
  /** The per-user run that started it. */
  parentWorkflowId: string;
}

/** One connector run again for the failed users of a lockdown (POST /lockdowns/:id/downstream/retry). */
export interface DownstreamRetryInput {
  lockdownId: string;
  connector: DownstreamConnectorRef;
  /** 2 for the first retry, and so on: results, events and the workflow id carry it. */
  run: number;
  /** Who asked for the retry: the events name them. */
  actor: ActorRef;
  reason: string;
  clientIp: string | null;
  /** Where a run continued as new goes on from. */
  resume?: { afterUserId: string; summary: DownstreamSummary };
}
