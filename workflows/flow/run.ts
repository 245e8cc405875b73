import { condition, log, proxyActivities, proxyLocalActivities, setHandler } from '@temporalio/workflow';
import type { LockdownActivities } from '../../activities';
import { progressFrom, type LockdownStatus, type Progress } from '../../domain/lockdown-status';
import type { Completion } from '../../domain/stages';
import { ACTIVITY_OPTIONS, LOCAL_ACTIVITY_OPTIONS } from '../activity-options';
import { cancelSignal, lockdownStartedUpdate, lockdownStateQuery } from '../messages';
import type { FlowResumeState, LockdownFlowInput, LockdownFlowState } from '../types';

const { recordLockdownFailure, cancelPendingTargets } = proxyActivities<LockdownActivities>(ACTIVITY_OPTIONS);
// A local activity: no server round trip before the first child starts.
const { recordLockdownState } = proxyLocalActivities<LockdownActivities>(LOCAL_ACTIVITY_OPTIONS);

/**
 * One lockdown's state as its workflow holds it — status, stage, prompt values, counts,
 * ending — and the one place that records it in PostgreSQL. Answers the messages every
 * lockdown answers (its state, the start update, cancel) from the moment it is made.
 */
export class LockdownRun {
  status: LockdownStatus;
  /** What PostgreSQL holds: the start update answers once it left `pending`, so the API's read agrees. */
  private recordedStatus: LockdownStatus;
  stageIndex: number;
  values: Record<string, string>;
  cancelRequested: boolean;
  locked: number;
  failed: number;
  cancelled = 0;
  completion: Completion | null = null;
  error: string | null = null;
  /** Writes a summary event when it ends (patch lockdown-summary-alerts, decided once by the first run). */
  summaryAlerts: boolean;

  constructor(readonly input: LockdownFlowInput) {
    const { resume } = input;
    this.status = resume ? 'running' : 'pending';
    this.recordedStatus = this.status;
    this.stageIndex = resume?.stageIndex ?? 0;
    this.values = resume?.values ?? {};
    this.cancelRequested = resume?.cancelRequested ?? false;
    this.locked = resume?.locked ?? 0;
    this.failed = resume?.failed ?? 0;
    this.summaryAlerts = resume?.summaryAlerts ?? false;

    setHandler(lockdownStateQuery, () => this.state());
    // Bounded: every path records a status (or the run's failure) before it waits for
    // anything, and the API waits for this update with a deadline (API_WORKFLOW_DEADLINE_MS).
    setHandler(lockdownStartedUpdate, async () => {
      await condition(() => this.recordedStatus !== 'pending');
      return this.state();
    });
    setHandler(cancelSignal, () => {
      this.cancelRequested = true;
    });
  }

  get lockdownId(): string {
    return this.input.lockdownId;
  }

  progress(): Progress {
    return progressFrom({ total: this.input.targetUserIds.length, locked: this.locked, failed: this.failed, cancelled: this.cancelled });
  }

  state(): LockdownFlowState {
    return { status: this.status, stageIndex: this.stageIndex, progress: this.progress(), completion: this.completion, error: this.error };
  }

  /** What the next run starts from when this one continues as new. */
  resumeState(nextTargetIndex: number, uncontained: Set<string> | null): FlowResumeState {
    const { stageIndex, values, locked, failed, cancelRequested } = this;
    return {
      stageIndex,
      values,
      nextTargetIndex,
      locked,
      failed,
      cancelRequested,
      ...(uncontained ? { uncontained: [...uncontained] } : {}),
      ...(this.summaryAlerts ? { summaryAlerts: true } : {}),
    };
  }

  /** Records the status (and the reason, error, ending) in PostgreSQL. */
  async record(extra: { completion?: Completion | null; finished?: boolean; summaryAlerts?: boolean } = {}): Promise<void> {
    const recording = this.status;
    await recordLockdownState({ lockdownId: this.lockdownId, status: this.status, stageIndex: this.stageIndex, reason: this.values.reason ?? null, error: this.error, ...extra });
    this.recordedStatus = recording;
  }

  async markRunning(): Promise<void> {
    if (this.status === 'running') return; // a run continued as new is running already
    this.status = 'running';
    // Recorded before any per-user event: per-lockdown alert rules then wait for the summary.
    await this.record(this.summaryAlerts ? { summaryAlerts: true } : {});
  }

  /** Ends the run: its status, the error that explains it, the ending shown to the caller. */
  async finish(status: LockdownStatus, error: string | null = null): Promise<LockdownFlowState> {
    this.status = status;
    this.error = error;
    await this.record({ completion: this.completion, finished: true });
    return this.state();
  }

  /** Ends the run before anyone was locked (cancelled, rejected, expired): every target is cancelled. */
  async endNobodyLocked(status: LockdownStatus, error: string | null = null): Promise<LockdownFlowState> {
    this.status = status;
    this.error = error;
    this.cancelled = await cancelPendingTargets({ lockdownId: this.lockdownId });
    await this.record({ finished: true });
    return this.state();
  }

  /**
   * The run failed for good (a non-retryable failure): the record is `failed` with the reason
   * and the users never started are failed with it, so no lockdown waits in PostgreSQL for a
   * workflow that is gone.
   */
  async recordFailure(error: string): Promise<void> {
    this.status = 'failed';
    this.error = error;
    log.error('lockdown failed', { lockdownId: this.lockdownId, error });
    await recordLockdownFailure({ lockdownId: this.lockdownId, error });
    this.recordedStatus = this.status;
  }
}
