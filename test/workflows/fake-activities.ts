import type { LockdownActivities } from '../../activities';
import type { DownstreamConnectorRef, DownstreamResult } from '../../domain/connectors';
import type { LockdownStatus } from '../../domain/lockdown-status';
import type { UserLockdownResult } from '../../domain/lockdown-status';

type Input<Name extends keyof LockdownActivities> = Parameters<LockdownActivities[Name]>[0];
type TargetState = 'pending' | 'running' | 'locked' | 'failed' | 'cancelled';

/**
 * The lockdown activities over an in-memory record of one lockdown, for workflow tests: what
 * the workflow recorded (statuses, targets, events) is read back by the test. Each user's
 * run can be held at its target check (`holdChecks`) to observe the window mid-run.
 */
export class FakeLockdownActivities {
  readonly targets = new Map<string, TargetState>();
  readonly recordedStates: { status: LockdownStatus; error: string | null; finished: boolean }[] = [];
  readonly approvalOutcomes: string[] = [];
  readonly events: { action: 'triggered' | 'failed'; userId: string; error?: string }[] = [];
  readonly unfinished: { userId: string; error: string }[] = [];
  /** Summary events written (one per lockdown that walked its lockdown stage, v1.1.0). */
  summaries = 0;
  /** How many times each user's target check ran (each user's run starts once). */
  readonly checks = new Map<string, number>();
  /** Users between their target check and their recorded result. */
  running = 0;
  mostRunningAtOnce = 0;
  private held: (() => void)[] = [];
  private holding = false;
  /** The connectors the per-user runs plan (none unless a test sets them), and what each call answers. */
  downstreamConnectors: DownstreamConnectorRef[] = [];
  reachDownstream: (input: Input<'lockdownDownstreamAccount'>) => Promise<DownstreamResult> = async (input) => ({ connectorId: input.connector.id, outcome: 'done', error: null, eventId: null, notify: false });
  readonly downstreamCalls: { userId: string; connectorId: string; run: number }[] = [];
  readonly downstreamFailures: { userId: string; connectorId: string; error: string }[] = [];
  /** Users of a retry run (claimDownstreamRetry / downstreamRetryBatch). */
  retryUsers: string[] = [];

  constructor(userIds: string[]) {
    for (const userId of userIds) this.targets.set(userId, 'pending');
  }

  /** From now on every target check waits until `release()`. */
  holdChecks(): void {
    this.holding = true;
  }

  release(): void {
    this.holding = false;
    for (const resume of this.held.splice(0)) resume();
  }

  get lastState() {
    return this.recordedStates.at(-1);
  }

  activities(): Partial<LockdownActivities> {
    const lockdownStep = async () => 0;
    return {
      recordLockdownState: async (input: Input<'recordLockdownState'>) => {
        this.recordedStates.push({ status: input.status, error: input.error ?? null, finished: input.finished ?? false });
        return { status: input.status, finished: input.finished ?? false };
      },
      recordLockdownFailure: async (input: Input<'recordLockdownFailure'>) => {
        this.recordedStates.push({ status: 'failed', error: input.error, finished: true });
      },
      cancelPendingTargets: async (_input: Input<'cancelPendingTargets'>) => {
        for (const [userId, state] of this.targets) if (state === 'pending') this.targets.set(userId, 'cancelled');
        return [...this.targets.values()].filter((state) => state === 'cancelled').length;
      },
      requestLockdownApproval: async (_input: Input<'requestLockdownApproval'>) => ({ eventId: 'approval-requested', notify: false }),
      recordApprovalDecision: async (input: Input<'recordApprovalDecision'>) => {
        this.approvalOutcomes.push(input.outcome);
        return { eventId: `approval-${input.outcome}`, notify: false };
      },
      containTargets: async (_input: Input<'containTargets'>) => ({ deactivated: this.targets.size, uncontained: [] }),
      checkLockdownTarget: async (input: Input<'checkLockdownTarget'>) => {
        this.checks.set(input.userId, (this.checks.get(input.userId) ?? 0) + 1);
        this.targets.set(input.userId, 'running');
        this.running++;
        this.mostRunningAtOnce = Math.max(this.mostRunningAtOnce, this.running);
        if (this.holding) await new Promise<void>((resume) => this.held.push(resume));
      },
      deactivateUser: lockdownStep,
      setUnusablePassword: lockdownStep,
      deleteSessions: lockdownStep,
      revokeTokens: lockdownStep,
      verifyLockdown: async () => undefined,
      writeLockdownAuditEvent: async (input: Input<'writeLockdownAuditEvent'>) => {
        this.events.push({ action: 'triggered', userId: input.userId });
        return { eventId: `event-${input.userId}`, notify: false };
      },
      writeLockdownFailedEvent: async (input: Input<'writeLockdownFailedEvent'>) => {
        this.events.push({ action: 'failed', userId: input.userId, error: input.error });
        return { eventId: `event-${input.userId}`, notify: false };
      },
      recordTargetResult: async (input: Input<'recordTargetResult'>): Promise<UserLockdownResult> => {
        this.running--;
        this.targets.set(input.userId, input.success ? 'locked' : 'failed');
        return { userId: input.userId, username: `user-${input.userId}`, success: input.success, error: input.error, actions: input.actions, sessionsRevoked: 0, tokensRevoked: 0 };
      },
      recordUnfinishedUserRun: async (input: Input<'recordUnfinishedUserRun'>) => {
        this.unfinished.push({ userId: input.userId, error: input.error });
        // Like the real one: a target with a result keeps it.
        const state = this.targets.get(input.userId);
        if (state !== 'pending' && state !== 'running') return null;
        this.targets.set(input.userId, 'failed');
        this.events.push({ action: 'failed', userId: input.userId, error: input.error });
        return { eventId: `event-${input.userId}`, notify: false };
      },
      planSecurityEvents: async () => 0,
      planDownstream: async (input: Input<'planDownstream'>) =>
        this.downstreamConnectors.length === 0 ? { connectors: [], user: null } : { connectors: this.downstreamConnectors, user: { id: input.userId, username: `user-${input.userId}`, email: '' } },
      lockdownDownstreamAccount: async (input: Input<'lockdownDownstreamAccount'>) => {
        this.downstreamCalls.push({ userId: input.userId, connectorId: input.connector.id, run: input.run });
        return this.reachDownstream(input);
      },
      recordDownstreamFailure: async (input: Input<'recordDownstreamFailure'>) => {
        this.downstreamFailures.push({ userId: input.userId, connectorId: input.connector.id, error: input.error });
        return { connectorId: input.connector.id, outcome: 'failed' as const, error: input.error, eventId: null, notify: false };
      },
      claimDownstreamRetry: async () => this.retryUsers.length,
      downstreamRetryBatch: async (input: Input<'downstreamRetryBatch'>) => {
        const sorted = [...this.retryUsers].sort();
        return sorted.filter((userId) => input.afterUserId === null || userId > input.afterUserId).slice(0, input.limit);
      },
      writeLockdownSummaryEvent: async (_input: Input<'writeLockdownSummaryEvent'>) => {
        this.summaries++;
        return { eventId: 'summary', notify: false };
      },
    };
  }
}
