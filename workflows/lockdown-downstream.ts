import { ParentClosePolicy, continueAsNew, isCancellation, log, proxyActivities, proxyLocalActivities, startChild, workflowInfo, type ActivityOptions } from '@temporalio/workflow';
import type { LockdownActivities } from '../activities';
import { summariseDownstream, type DownstreamAccountInput, type DownstreamResult, type DownstreamSummary } from '../domain/connectors';
import { LOCAL_ACTIVITY_OPTIONS } from './activity-options';
import { startNotifications } from './event-deliveries';
import { failureMessage } from './failures';
import { downstreamWorkflowId } from './ids';
import { userLockdownSearchAttributes } from './search-attributes';
import type { DownstreamRetryInput, DownstreamRunInput, LockdownUserInput } from './types';

/**
 * One downstream call is a regular activity (a server round trip, retried by Temporal, not a
 * marker): its own heartbeat (a dead worker is noticed within 30 s) and its own timeout. Its
 * retries are bounded by the activity itself (CONNECTOR_MAX_ATTEMPTS, the delays the server or
 * the backoff asks for through `nextRetryDelay`), which ends every run with a recorded outcome;
 * the policy here only spaces the attempts that end without a word (timed out, worker lost).
 */
const CONNECTOR_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
};

const { lockdownDownstreamAccount } = proxyActivities<LockdownActivities>(CONNECTOR_ACTIVITY_OPTIONS);
const { planDownstream, recordDownstreamFailure, claimDownstreamRetry, downstreamRetryBatch } = proxyLocalActivities<LockdownActivities>(LOCAL_ACTIVITY_OPTIONS);

/** Users of a retry run reached at once, and started by one run before it continues as new. */
const RETRY_WINDOW = 10;
const RETRY_USERS_PER_RUN = 500;

/**
 * Called by the per-user run once its local steps, result and audit event are done: plans the
 * enabled connectors and starts this user's downstream run, which outlives the per-user run.
 * The local lockdown never waits for a downstream system — a slow or dead one delays nothing
 * here, and a failure to plan or start is logged, never the user's failure.
 */
export async function startDownstream(input: LockdownUserInput, parentWorkflowId: string): Promise<void> {
  const { lockdownId, userId } = input;
  try {
    const plan = await planDownstream({ lockdownId, userId });
    if (plan.connectors.length === 0 || plan.user === null) return;
    const run: DownstreamRunInput = {
      lockdownId,
      userId,
      user: plan.user,
      connectors: plan.connectors,
      actor: input.actor,
      reason: input.reason,
      clientIp: input.clientIp,
      parentWorkflowId,
    };
    await startChild(lockdownDownstream, {
      workflowId: downstreamWorkflowId(lockdownId, userId),
      args: [run],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: userLockdownSearchAttributes(lockdownId, userId),
    });
  } catch (err) {
    if (isCancellation(err)) throw err;
    log.error('downstream connectors not started', { lockdownId, userId, error: failureMessage(err) });
  }
}

/** One user's lockdown on every planned connector, each on its own (one slow connector delays no other). */
export async function lockdownDownstream(input: DownstreamRunInput): Promise<DownstreamSummary> {
  const { workflowId, runId } = workflowInfo();
  const results = await Promise.all(
    input.connectors.map((connector) =>
      reachAccount({
        lockdownId: input.lockdownId,
        userId: input.userId,
        connector,
        run: 1,
        user: input.user,
        actor: { id: input.actor.id, username: input.actor.username },
        reason: input.reason,
        clientIp: input.clientIp,
        workflowId,
        runId,
        parentWorkflowId: input.parentWorkflowId,
      }),
    ),
  );
  return summariseDownstream(results);
}

/**
 * One connector run again for a lockdown's failed users, RETRY_WINDOW at a time: their results
 * are claimed under the new run number first, so a user is reached once per run whatever
 * restarts in between; continues as new every RETRY_USERS_PER_RUN users.
 */
export async function retryDownstream(input: DownstreamRetryInput): Promise<DownstreamSummary> {
  const { lockdownId, connector, run } = input;
  if (!input.resume) await claimDownstreamRetry({ lockdownId, connectorId: connector.id, run });
  let summary = input.resume?.summary ?? { done: 0, notFound: 0, failed: 0 };
  let afterUserId = input.resume?.afterUserId ?? null;
  const { workflowId, runId } = workflowInfo();
  for (let reached = 0; ; ) {
    const userIds = await downstreamRetryBatch({ lockdownId, connectorId: connector.id, run, afterUserId, limit: RETRY_WINDOW });
    if (userIds.length === 0) return summary;
    const results = await Promise.all(
      userIds.map((userId) =>
        reachAccount({ lockdownId, userId, connector, run, actor: input.actor, reason: input.reason, clientIp: input.clientIp, workflowId, runId, parentWorkflowId: null }),
      ),
    );
    summary = summariseDownstream(results, summary);
    afterUserId = userIds[userIds.length - 1];
    reached += userIds.length;
    if (reached >= RETRY_USERS_PER_RUN || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof retryDownstream>({ ...input, resume: { afterUserId, summary } });
    }
  }
}

/** The account on one connector; whatever happens, a recorded outcome (and its event's notifications). */
async function reachAccount(account: DownstreamAccountInput): Promise<DownstreamResult> {
  let result: DownstreamResult;
  try {
    result = await lockdownDownstreamAccount(account);
  } catch (err) {
    if (isCancellation(err)) throw err;
    const error = failureMessage(err);
    log.warn('downstream lockdown failed', { lockdownId: account.lockdownId, userId: account.userId, connectorId: account.connector.id, error });
    result = await recordDownstreamFailure({ ...account, error });
  }
  if (result.notify && result.eventId) await startNotifications(result.eventId);
  return result;
}
