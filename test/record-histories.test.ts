import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import { CANCELLED_AFTER_CONTAINMENT } from '../activities/lockdown-record';
import { ACCOUNT_LOCKDOWN_FAILED, ACCOUNT_LOCKDOWN_FINISHED, ACCOUNT_LOCKDOWN_TRIGGERED } from '../domain/events';
import { actionsWith } from '../domain/lockdown-actions';
import type { FlowSnapshot } from '../domain/stages';
import { createPayloadCodec } from '../lib/data-converter';
import { ENCRYPTED_ENCODING } from '../lib/payload-codec';
import { promptExpiredMessage } from '../workflows/flow/prompt';
import { downstreamRetryWorkflowId, downstreamWorkflowId, lockdownWorkflowId, notificationWorkflowId, securityEventsWorkflowId, userLockdownWorkflowId } from '../workflows/ids';
import { startScimServer } from '../scripts/lib/scim-server';
import type { LockdownFlowInput } from '../workflows/types';
import { HISTORIES_DIR, RECORDING_RELEASE, historyFile, type Scenario } from './histories/releases';
import { createBrand } from './support/flows';
import { closedPort } from './support/receivers';
import {
  adminSession,
  bearer,
  createManyUsers,
  createUser,
  login,
  startStack,
  uniqueName,
  waitForLockdown,
  waitForLockdownRecord,
  waitForWorkflowResult,
  type Stack,
} from './support/stack';
import { startLockdown } from './support/lockdowns';
import { waitUntil } from './support/wait';

/**
 * Records the Temporal histories that test/replay.test.ts replays, one file per scenario in
 * test/histories/<RECORDING_RELEASE>/ (test/histories/releases.ts), and asserts that each
 * scenario did what it stands for — a history recorded from a run that went wrong would
 * otherwise be kept as the reference. Run it for a release (README § Workflow changes and
 * patches):
 *   RECORD_HISTORIES=1 npm test -- test/record-histories.test.ts
 * Add `-t '<scenario name>'` to record one scenario and leave the other files as they are.
 */
const recording = process.env.RECORD_HISTORIES === '1';
const maybe = recording ? describe : describe.skip;
const EventType = temporal.api.enums.v1.EventType;
type History = temporal.api.history.v1.IHistory;

let stack: Stack;
/** A stack whose prompts and approvals expire after 2 seconds. */
let short: Stack;
let admin: string;
let host: string;
let approvalHost: string;

/** Payloads decrypted before saving: the key of a test run is thrown away with it, and replay is about the workflow's commands. */
async function decrypted(value: unknown): Promise<unknown> {
  if (Array.isArray(value)) return Promise.all(value.map(decrypted));
  if (value === null || typeof value !== 'object') return value;
  const { metadata, data } = value as { metadata?: Record<string, string>; data?: string };
  if (metadata?.encoding && Buffer.from(metadata.encoding, 'base64').toString() === ENCRYPTED_ENCODING) {
    const [clear] = await createPayloadCodec(stack.config).decode([
      { metadata: Object.fromEntries(Object.entries(metadata).map(([key, text]) => [key, Buffer.from(text, 'base64')])), data: Buffer.from(data ?? '', 'base64') },
    ]);
    return {
      metadata: Object.fromEntries(Object.entries(clear.metadata ?? {}).map(([key, bytes]) => [key, Buffer.from(bytes ?? new Uint8Array()).toString('base64')])),
      data: Buffer.from(clear.data ?? new Uint8Array()).toString('base64'),
    };
  }
  return Object.fromEntries(await Promise.all(Object.entries(value).map(async ([key, inner]) => [key, await decrypted(inner)] as const)));
}

/** PostgreSQL refusing or holding writes, scoped by username or reason, so the failure branches are recorded too. */
const TRIGGERS = [
  `CREATE OR REPLACE FUNCTION recorded_refuse_password() RETURNS trigger AS $$
   BEGIN
     IF NEW.username LIKE 'recorded-refusepw-%' AND NEW.password_hash IS DISTINCT FROM OLD.password_hash THEN RAISE EXCEPTION 'recorded: password change refused'; END IF;
     RETURN NEW;
   END $$ LANGUAGE plpgsql`,
  'CREATE TRIGGER recorded_refuse_password BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION recorded_refuse_password()',
  `CREATE OR REPLACE FUNCTION recorded_refuse_running() RETURNS trigger AS $$
   BEGIN
     IF NEW.reason LIKE 'recorded-refuse-running%' AND NEW.status = 'running' THEN RAISE EXCEPTION 'recorded: lockdown record refused'; END IF;
     RETURN NEW;
   END $$ LANGUAGE plpgsql`,
  'CREATE TRIGGER recorded_refuse_running BEFORE UPDATE ON lockdowns FOR EACH ROW EXECUTE FUNCTION recorded_refuse_running()',
  // The result refused; and a user's run held 12 s in its target check (a single statement),
  // so a test can cancel or terminate mid-run — longer than the 8 s after which the worker
  // learns that a terminated run is gone, so a terminated run never gets past its check.
  `CREATE OR REPLACE FUNCTION recorded_target() RETURNS trigger AS $$
   BEGIN
     IF NEW.username LIKE 'recorded-refuseresult-%' AND NEW.status IN ('locked', 'failed') THEN RAISE EXCEPTION 'recorded: result refused'; END IF;
     IF NEW.username LIKE 'recorded-hold-%' AND OLD.status = 'pending' AND NEW.status = 'running' THEN PERFORM pg_sleep(12); END IF;
     RETURN NEW;
   END $$ LANGUAGE plpgsql`,
  'CREATE TRIGGER recorded_target BEFORE UPDATE ON lockdown_targets FOR EACH ROW EXECUTE FUNCTION recorded_target()',
];
const DROP_TRIGGERS = [
  'DROP TRIGGER IF EXISTS recorded_refuse_password ON users',
  'DROP TRIGGER IF EXISTS recorded_refuse_running ON lockdowns',
  'DROP TRIGGER IF EXISTS recorded_target ON lockdown_targets',
];

maybe(`recording the workflow histories of ${RECORDING_RELEASE}`, () => {
  beforeAll(async () => {
    // The security-events scenario's receiver listens on this machine: allowed like the tests' own receivers.
    const settings = { LOCKDOWN_BULK_WINDOW: '3', LOCKDOWN_CONTINUE_AS_NEW_AFTER: '5', LOCKDOWN_APPROVAL_THRESHOLD: '2', OUTBOUND_ALLOWED_DESTINATIONS: '127.0.0.1' };
    stack = await startStack({ ...settings, NOTIFICATION_MAX_ATTEMPTS: '2', NOTIFICATION_RETRY_INITIAL_MS: '100', LOCKDOWN_APPROVAL_TIMEOUT_SECONDS: '600' });
    short = await startStack({ ...settings, LOCKDOWN_APPROVAL_TIMEOUT_SECONDS: '2', LOCKDOWN_PROMPT_TIMEOUT_SECONDS: '2' });
    admin = await adminSession(stack);
    ({ host } = await createBrand(stack.db));
    ({ host: approvalHost } = await createBrand(stack.db, { requireApproval: true }));
    for (const statement of [...DROP_TRIGGERS, ...TRIGGERS]) await stack.db.$executeRawUnsafe(statement);
    mkdirSync(path.join(HISTORIES_DIR, RECORDING_RELEASE), { recursive: true });
  });
  afterAll(async () => {
    for (const statement of DROP_TRIGGERS) await stack?.db.$executeRawUnsafe(statement);
    await short?.stop();
    await stack?.stop();
  });

  const lock = (body: object, options: { brand?: string; on?: Stack; key?: string } = {}) =>
    startLockdown(options.on ?? stack, options.key ?? admin, body, options.brand ?? host);

  /** Every run of a workflow, first to last: from the latest back along its continue-as-new chain. */
  async function runsOf(workflowId: string): Promise<History[]> {
    const runs: History[] = [];
    for (let runId: string | undefined; ; ) {
      const history = await stack.temporal.workflow.getHandle(workflowId, runId).fetchHistory();
      runs.unshift(history);
      runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId ?? undefined;
      if (!runId) return runs;
    }
  }

  /** Users whose run is held in its target check right now. */
  const heldChecks = async () =>
    (await stack.db.$queryRawUnsafe<{ held: number }[]>("SELECT count(*)::int AS held FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND datname = current_database()"))[0].held;

  /** Saves every run of the lockdown's workflow and the named children's; returns the lockdown's runs. */
  async function save(scenario: Scenario, lockdownId: string, childIds: string[] = []): Promise<History[]> {
    const lockdown = await stack.db.lockdown.findUniqueOrThrow({ where: { id: lockdownId } });
    // The record says finished a step before the workflow ends (it then writes the summary event): save it closed.
    await stack.temporal.workflow.getHandle(lockdown.workflowId).result().catch(() => undefined);
    const parentRuns = await runsOf(lockdown.workflowId);
    const entries = [
      ...parentRuns.map((history) => ({ workflowId: lockdown.workflowId, history })),
      ...(await Promise.all(childIds.map(async (childId) => ({ workflowId: childId, history: (await runsOf(childId))[0] })))),
    ];
    const saved = await Promise.all(entries.map(async (entry) => ({ workflowId: entry.workflowId, history: await decrypted(JSON.parse(historyToJSON(entry.history))) })));
    writeFileSync(historyFile(RECORDING_RELEASE, scenario), JSON.stringify(saved, null, 1) + '\n');
    return parentRuns;
  }

  const eventTypes = (runs: History[]) => runs.flatMap((history) => (history.events ?? []).map((event) => event.eventType));
  const lastEventType = (history: History) => history.events?.at(-1)?.eventType;
  const targetsOf = (lockdownId: string) => stack.db.lockdownTarget.findMany({ where: { lockdownId }, orderBy: { position: 'asc' } });
  /** The per-user events of a lockdown (its summary, written once it has ended, apart). */
  const eventsOf = (lockdownId: string) => stack.db.event.findMany({ where: { lockdownId, action: { not: ACCOUNT_LOCKDOWN_FINISHED } }, orderBy: { createdAt: 'asc' } });

  it('single lockdown with the prompt answered through the update (an incomplete answer refused first)', async () => {
    const victim = await createUser(stack.db);
    const started = await lock({ user: victim.id });
    expect(started.body.status).toBe('awaiting_input');
    expect((await stack.http.post(`/api/v1/lockdowns/${started.body.id}/stage`).set(bearer(admin)).send({})).status).toBe(400);
    expect((await stack.http.post(`/api/v1/lockdowns/${started.body.id}/stage`).set(bearer(admin)).send({ reason: 'recorded' })).status).toBe(200);
    const done = await waitForLockdown(stack, admin, started.body.id);
    expect(done).toMatchObject({ status: 'completed', progress: { total: 1, locked: 1 } });
    expect((await eventsOf(started.body.id)).map((event) => event.action)).toEqual([ACCOUNT_LOCKDOWN_TRIGGERED]);
    const runs = await save('single-prompt', started.body.id, [userLockdownWorkflowId(started.body.id, victim.id)]);
    const updates = runs[0].events?.filter((event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED).map((event) => event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name);
    expect(updates).toEqual(['lockdownStarted', 'submitPrompt']);
  });

  it('lockdown whose prompt nobody answers: it expires, nobody locked', async () => {
    const victim = await createUser(short.db);
    const started = await lock({ user: victim.id }, { on: short });
    expect(started.body.status).toBe('awaiting_input');
    const done = await waitForLockdown(short, admin, started.body.id);
    expect(done).toMatchObject({ status: 'expired', error: promptExpiredMessage(2_000), progress: { total: 1, locked: 0, cancelled: 1 } });
    expect(done.error).toBe('Nobody answered the prompt within 2 seconds: the lockdown expired and nobody was locked.');
    expect((await short.db.user.findUniqueOrThrow({ where: { id: victim.id } })).isActive).toBe(true);
    expect(await eventsOf(started.body.id)).toEqual([]);
    const runs = await save('prompt-expired', started.body.id);
    expect(eventTypes(runs)).toContain(EventType.EVENT_TYPE_TIMER_FIRED);
  });

  it('lockdown cancelled at its prompt', async () => {
    const victim = await createUser(stack.db);
    const waiting = await lock({ user: victim.id });
    expect((await stack.http.post(`/api/v1/lockdowns/${waiting.body.id}/cancel`).set(bearer(admin))).status).toBe(200);
    const done = await waitForLockdown(stack, admin, waiting.body.id);
    expect(done).toMatchObject({ status: 'cancelled', progress: { total: 1, locked: 0, cancelled: 1 } });
    expect((await targetsOf(waiting.body.id)).map((target) => target.status)).toEqual(['cancelled']);
    expect((await stack.db.user.findUniqueOrThrow({ where: { id: victim.id } })).isActive).toBe(true);
    await save('cancelled-at-prompt', waiting.body.id);
  });

  it('bulk lockdown that continues as new', async () => {
    const ids = await createManyUsers(stack.db, 12);
    const started = await lock({ users: ids, reason: 'recorded bulk' });
    const done = await waitForLockdown(stack, admin, started.body.id);
    expect(done).toMatchObject({ status: 'completed', progress: { total: 12, locked: 12, failed: 0 } });
    expect(await stack.db.session.count({ where: { userId: { in: ids } } })).toBe(0);
    expect((await eventsOf(started.body.id)).filter((event) => event.action === ACCOUNT_LOCKDOWN_TRIGGERED)).toHaveLength(12);
    const runs = await save('bulk-continue-as-new', started.body.id, [userLockdownWorkflowId(started.body.id, ids[0])]);
    expect(runs).toHaveLength(3); // 5 + 5 + 2 children
  });

  it('bulk lockdown cancelled midway: the started users finish, the rest are cancelled (contained)', async () => {
    const ids = await createManyUsers(stack.db, 4, uniqueName('recorded-hold'));
    const started = await lock({ users: ids, reason: 'recorded cancel' });
    // The first window (3 users) is held in its checks; the fourth user has not started.
    await waitUntil('a full window', async () => (await heldChecks()) === 3);
    expect((await stack.http.post(`/api/v1/lockdowns/${started.body.id}/cancel`).set(bearer(admin))).status).toBeLessThan(300);
    const done = await waitForLockdown(stack, admin, started.body.id);
    expect(done).toMatchObject({ status: 'cancelled', progress: { total: 4, locked: 3, cancelled: 1 } });
    const cancelled = (await targetsOf(started.body.id)).filter((target) => target.status === 'cancelled');
    expect(cancelled.map((target) => target.error)).toEqual([CANCELLED_AFTER_CONTAINMENT]);
    await save('cancelled-bulk', started.body.id);
  });

  it('self-service lockdown', async () => {
    const user = await createUser(stack.db, { password: 'recorded-password' });
    const session = await login(stack, user.username, 'recorded-password');
    const started = await lock({ reason: 'recorded self-service' }, { key: session });
    const done = await waitForLockdownRecord(stack.db, started.body.id);
    expect(done.status).toBe('completed');
    expect(done.completion).not.toBeNull();
    expect((await stack.db.user.findUniqueOrThrow({ where: { id: user.id } })).isActive).toBe(false);
    expect((await stack.http.get('/api/v1/me').set(bearer(session))).status).toBe(401);
    await save('self-service', started.body.id, [userLockdownWorkflowId(started.body.id, user.id)]);
  });

  it('lockdown started with no target (by hand, past the API): it fails with a clear message', async () => {
    const actor = await stack.db.user.findUniqueOrThrow({ where: { username: 'admin' } });
    const flow: FlowSnapshot = {
      slug: 'recorded-no-target',
      title: 'No target',
      stages: [{ kind: 'account_lockdown', name: 'lock', actions: actionsWith(), selfServiceMessageTitle: 'Locked', selfServiceMessage: 'Locked', completionFlowSlug: null }],
    };
    const lockdown = await stack.db.lockdown.create({ data: { actorId: actor.id, actorUsername: actor.username, selfService: false, flowSlug: flow.slug, flowSnapshot: flow as object, workflowId: uniqueName('pending') } });
    const workflowId = lockdownWorkflowId(lockdown.id);
    const input: LockdownFlowInput = {
      lockdownId: lockdown.id,
      actor: { id: actor.id, username: actor.username },
      targetUserIds: [],
      selfService: false,
      bulk: false,
      flow,
      initialValues: { reason: 'recorded no target' },
      clientIp: null,
      settings: { window: 3, continueAsNewAfter: 5, containmentFirst: true, promptTimeoutMs: 3_600_000 },
    };
    const handle = await stack.temporal.workflow.start('lockdownFlow', { taskQueue: stack.config.TEMPORAL_TASK_QUEUE, workflowId, args: [input] });
    await stack.db.lockdown.update({ where: { id: lockdown.id }, data: { workflowId, runId: handle.firstExecutionRunId } });
    const done = await waitForLockdownRecord(stack.db, lockdown.id);
    expect(done).toMatchObject({ status: 'failed', error: 'No user to lock: the lockdown has no target.' });
    await save('no-target', lockdown.id);
  });

  it('a user whose run fails after deactivation: account_lockdown_failed names the steps that ran', async () => {
    const victim = await createUser(stack.db, { username: uniqueName('recorded-refusepw') });
    const started = await lock({ user: victim.id, reason: 'recorded failed user' });
    const done = await waitForLockdown(stack, admin, started.body.id);
    expect(done).toMatchObject({ status: 'failed', progress: { total: 1, locked: 0, failed: 1 } });
    const [target] = await targetsOf(started.body.id);
    expect(target).toMatchObject({ status: 'failed', error: expect.stringMatching(/password change refused/) });
    const events = await eventsOf(started.body.id);
    expect(events.map((event) => [event.action, (event.context as { steps_run?: string[] }).steps_run])).toEqual([[ACCOUNT_LOCKDOWN_FAILED, ['deactivateUser']]]);
    await save('failed-user', started.body.id, [userLockdownWorkflowId(started.body.id, victim.id)]);
  });

  it('a lockdown whose run fails for good: the record says failed, with why', async () => {
    const victim = await createUser(stack.db);
    const failing = await lock({ user: victim.id, reason: 'recorded-refuse-running' });
    const done = await waitForLockdownRecord(stack.db, failing.body.id);
    expect(done).toMatchObject({ status: 'failed', error: expect.stringMatching(/lockdown record refused/) });
    expect((await targetsOf(failing.body.id)).map((target) => target.status)).toEqual(['failed']);
    const runs = await save('failed-run', failing.body.id);
    expect(lastEventType(runs[0])).toBe(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED);
  });

  it('a user whose result cannot be recorded: its run fails, the lockdown counts it failed and ends', async () => {
    const victim = await createUser(stack.db, { username: uniqueName('recorded-refuseresult') });
    const started = await lock({ user: victim.id, reason: 'recorded unrecorded result' });
    const done = await waitForLockdownRecord(stack.db, started.body.id);
    expect(done.status).toBe('failed');
    expect((await eventsOf(started.body.id)).map((event) => event.action)).toEqual([ACCOUNT_LOCKDOWN_TRIGGERED]);
    const childId = userLockdownWorkflowId(started.body.id, victim.id);
    await save('unrecorded-result', started.body.id, [childId]);
    expect(lastEventType((await runsOf(childId))[0])).toBe(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED);
  });

  it('a user whose run is terminated by an operator midway: the lockdown ends, the user failed with why and audited', async () => {
    const [victim] = await createManyUsers(stack.db, 1, uniqueName('recorded-hold'));
    const started = await lock({ user: victim, reason: 'recorded terminated' });
    await waitUntil('the user in its check', async () => (await heldChecks()) === 1);
    const childId = userLockdownWorkflowId(started.body.id, victim);
    await stack.temporal.workflow.getHandle(childId).terminate('recorded: an operator ended it');
    const done = await waitForLockdown(stack, admin, started.body.id);
    expect(done).toMatchObject({ status: 'failed', progress: { total: 1, locked: 0, failed: 1 } });
    const error = 'Its per-user run was terminated before it finished; which of its steps ran is not known: check the account.';
    expect(await targetsOf(started.body.id)).toEqual([expect.objectContaining({ status: 'failed', error })]);
    const events = await eventsOf(started.body.id);
    expect(events.map((event) => [event.action, (event.context as { error?: string }).error])).toEqual([[ACCOUNT_LOCKDOWN_FAILED, error]]);
    const runs = await save('terminated-user', started.body.id, [childId]);
    expect(eventTypes(runs)).toContain(EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED);
  });

  it('a user deactivated through PATCH /users/:id, and one deleted', async () => {
    for (const scenario of ['deactivation', 'deletion'] as const) {
      const victim = await createUser(stack.db);
      const reason = `recorded ${scenario}`;
      const response =
        scenario === 'deactivation'
          ? await stack.http.patch(`/api/v1/users/${victim.id}`).set(bearer(admin)).send({ isActive: false, reason })
          : await stack.http.delete(`/api/v1/users/${victim.id}`).set(bearer(admin));
      expect(response.status).toBeLessThan(300);
      const lockdown = await stack.db.lockdown.findFirstOrThrow({ where: { cause: scenario === 'deactivation' ? 'user_deactivated' : 'user_deleted', actorUsername: 'admin' }, orderBy: { createdAt: 'desc' } });
      expect(lockdown.status).toBe('completed');
      const user = await stack.db.user.findUnique({ where: { id: victim.id } });
      if (scenario === 'deactivation') expect(user?.isActive).toBe(false);
      else expect(user).toBeNull();
      await save(scenario, lockdown.id, [userLockdownWorkflowId(lockdown.id, victim.id)]);
    }
  });

  it('bulk lockdowns waiting for approval: approved, rejected, expired, cancelled', async () => {
    const password = 'recorded-approver-password';
    const approverUser = await createUser(stack.db, { username: uniqueName('recorded-approver'), password });
    await stack.db.permission.create({ data: { userId: approverUser.id, permission: 'change_user' } });
    const approver = await login(stack, approverUser.username, password);
    for (const decision of ['approve', 'reject'] as const) {
      const ids = await createManyUsers(stack.db, 3);
      const started = await lock({ users: ids, reason: `recorded ${decision}` }, { brand: approvalHost });
      expect(started.body.status).toBe('awaiting_approval');
      expect((await stack.http.post(`/api/v1/lockdowns/${started.body.id}/${decision}`).set(bearer(approver)).send({ comment: 'recorded' })).status).toBe(200);
      const done = await waitForLockdown(stack, admin, started.body.id);
      const activeLeft = await stack.db.user.count({ where: { id: { in: ids }, isActive: true } });
      if (decision === 'approve') {
        expect(done).toMatchObject({ status: 'completed', progress: { total: 3, locked: 3 }, approval: { outcome: 'approved' } });
        expect(activeLeft).toBe(0);
        await save('approval-approved', started.body.id, [userLockdownWorkflowId(started.body.id, ids[0])]);
      } else {
        expect(done).toMatchObject({ status: 'rejected', progress: { total: 3, locked: 0, cancelled: 3 }, approval: { outcome: 'rejected' } });
        expect(activeLeft).toBe(3);
        await save('approval-rejected', started.body.id);
      }
    }

    const expiring = await createManyUsers(short.db, 3);
    const expired = await lock({ users: expiring, reason: 'recorded expiry' }, { on: short, brand: approvalHost });
    expect(expired.body.status).toBe('awaiting_approval');
    expect(await waitForLockdown(short, admin, expired.body.id)).toMatchObject({ status: 'expired', progress: { locked: 0, cancelled: 3 }, approval: { outcome: 'expired' } });
    expect(await stack.db.user.count({ where: { id: { in: expiring }, isActive: true } })).toBe(3);
    await save('approval-expired', expired.body.id);

    const cancelling = await createManyUsers(stack.db, 3);
    const waiting = await lock({ users: cancelling, reason: 'recorded approval cancel' }, { brand: approvalHost });
    expect(waiting.body.status).toBe('awaiting_approval');
    expect((await stack.http.post(`/api/v1/lockdowns/${waiting.body.id}/cancel`).set(bearer(admin))).status).toBe(200);
    expect(await waitForLockdown(stack, admin, waiting.body.id)).toMatchObject({ status: 'cancelled', progress: { locked: 0, cancelled: 3 } });
    expect(await stack.db.user.count({ where: { id: { in: cancelling }, isActive: true } })).toBe(3);
    await save('approval-cancelled', waiting.body.id);
  });

  it('lockdown whose event a notification rule matches: delivered to the inbox, given up on a webhook that is down', async () => {
    const [victim, member] = [await createUser(stack.db), await createUser(stack.db)];
    const group = await stack.db.group.create({ data: { name: uniqueName('recorded-team'), members: { create: { userId: member.id } } } });
    const policy = await stack.db.eventMatcherPolicy.create({ data: { name: uniqueName('recorded-policy'), action: ACCOUNT_LOCKDOWN_TRIGGERED } });
    const local = await stack.db.notificationTransport.create({ data: { name: uniqueName('recorded-local'), mode: 'local' } });
    const webhook = await stack.db.notificationTransport.create({
      data: { name: uniqueName('recorded-webhook'), mode: 'webhook', webhookUrl: `http://127.0.0.1:${await closedPort()}/hook` },
    });
    const rule = await stack.db.notificationRule.create({
      data: {
        name: uniqueName('recorded-rule'),
        severity: 'alert',
        // Each user's event: the per-user notification path (the summary's is `summary-notification`).
        alertPer: 'user',
        destinationGroupId: group.id,
        transports: { connect: [{ id: local.id }, { id: webhook.id }] },
        policies: { connect: { id: policy.id } },
      },
    });
    try {
      const started = await lock({ user: victim.id, reason: 'recorded notifications' });
      await waitForLockdown(stack, admin, started.body.id);
      const event = await stack.db.event.findFirstOrThrow({ where: { lockdownId: started.body.id, action: ACCOUNT_LOCKDOWN_TRIGGERED } });
      expect(await waitForWorkflowResult(stack, notificationWorkflowId(event.id))).toEqual({ delivered: 1, failed: 1 });
      const deliveries = await stack.db.notificationDelivery.findMany({ where: { eventId: event.id }, include: { transport: true } });
      expect(Object.fromEntries(deliveries.map((delivery) => [delivery.transport.mode, delivery.status]))).toEqual({ local: 'delivered', webhook: 'failed' });
      await save('notifications', started.body.id, [userLockdownWorkflowId(started.body.id, victim.id), notificationWorkflowId(event.id)]);
    } finally {
      // Rules match every later lockdown: leave none behind.
      await stack.db.notificationRule.delete({ where: { id: rule.id } });
    }
  });

  it('lockdown whose summary a rule alerting per lockdown delivers once; its per-user events notify nobody (v1.1.0)', async () => {
    const ids = await createManyUsers(stack.db, 3);
    const member = await createUser(stack.db);
    const group = await stack.db.group.create({ data: { name: uniqueName('recorded-summary-team'), members: { create: { userId: member.id } } } });
    const policy = await stack.db.eventMatcherPolicy.create({ data: { name: uniqueName('recorded-summary-policy'), action: ACCOUNT_LOCKDOWN_TRIGGERED, clientIp: '127.0.0.1' } });
    const local = await stack.db.notificationTransport.create({ data: { name: uniqueName('recorded-summary-local'), mode: 'local' } });
    const rule = await stack.db.notificationRule.create({
      data: {
        name: uniqueName('recorded-summary-rule'),
        severity: 'alert',
        alertPer: 'lockdown',
        destinationGroupId: group.id,
        transports: { connect: { id: local.id } },
        policies: { connect: { id: policy.id } },
      },
    });
    try {
      const started = await lock({ users: ids, reason: 'recorded summary' });
      await waitForLockdown(stack, admin, started.body.id);
      const lockdown = await stack.db.lockdown.findUniqueOrThrow({ where: { id: started.body.id } });
      await stack.temporal.workflow.getHandle(lockdown.workflowId).result();
      expect(lockdown.summaryAlerts).toBe(true);
      const summary = await stack.db.event.findFirstOrThrow({ where: { lockdownId: started.body.id, action: ACCOUNT_LOCKDOWN_FINISHED } });
      expect(summary.context).toMatchObject({ target_count: 3, locked: 3, per_user_events: { [ACCOUNT_LOCKDOWN_TRIGGERED]: 3 } });
      expect(await waitForWorkflowResult(stack, notificationWorkflowId(summary.id))).toEqual({ delivered: 1, failed: 0 });
      expect(await stack.db.notification.count({ where: { userId: member.id } })).toBe(1);
      // No per-user event started a notification workflow: the rule waits for the summary.
      const perUser = await eventsOf(started.body.id);
      expect(await stack.db.notificationDelivery.count({ where: { eventId: { in: perUser.map((event) => event.id) } } })).toBe(0);
      const runs = await save('summary-notification', started.body.id, [userLockdownWorkflowId(started.body.id, ids[0]), notificationWorkflowId(summary.id)]);
      const markers = runs[0].events?.filter((event) => event.eventType === EventType.EVENT_TYPE_MARKER_RECORDED).map((event) => event.markerRecordedEventAttributes?.markerName);
      expect(markers).toContain('core_patch');
    } finally {
      await stack.db.notificationRule.delete({ where: { id: rule.id } });
    }
  });

  it('lockdown whose SETs go to a Shared Signals receiver, answered 503 once then 202', async () => {
    let answered = 0;
    const receiver = createServer((request, response) => {
      request.resume();
      request.on('end', () => response.writeHead(answered++ === 0 ? 503 : 202).end());
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const endpointUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/events`;
    const created = await stack.http.post('/api/v1/ssf_receivers').set(bearer(admin)).send({ name: uniqueName('recorded-receiver'), endpointUrl, audience: 'https://recorded.example' });
    expect(created.status).toBe(201);
    try {
      const victim = await createUser(stack.db);
      const started = await lock({ user: victim.id, reason: 'recorded security events' });
      await waitForLockdown(stack, admin, started.body.id);
      const event = await stack.db.event.findFirstOrThrow({ where: { lockdownId: started.body.id, action: ACCOUNT_LOCKDOWN_TRIGGERED } });
      await waitForWorkflowResult(stack, securityEventsWorkflowId(event.id));
      const deliveries = await stack.db.securityEventDelivery.findMany({ where: { eventId: event.id } });
      expect(deliveries.length).toBeGreaterThan(0);
      expect(deliveries.every((delivery) => delivery.status === 'delivered')).toBe(true);
      expect(answered).toBe(deliveries.length + 1); // one 503, then each delivered
      await save('security-events', started.body.id, [userLockdownWorkflowId(started.body.id, victim.id), securityEventsWorkflowId(event.id)]);
    } finally {
      // Receivers get every later lockdown's SETs: leave none behind.
      await stack.http.delete(`/api/v1/ssf_receivers/${created.body.id}`).set(bearer(admin));
      receiver.close();
    }
  });
  it('lockdown reaching two SCIM connectors: one locks the account, one is refused (401); fixed, that connector is retried alone', async () => {
    const token = 'recorded-scim-token';
    const scim = await startScimServer({ bearerToken: token });
    const created: string[] = [];
    try {
      const victim = await createUser(stack.db);
      const provisioned = await fetch(`${scim.url}/Users`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json' },
        body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: victim.username, externalId: victim.id, active: true }),
      });
      const scimId = ((await provisioned.json()) as { id: string }).id;
      for (const [name, secret] of [[uniqueName('recorded-scim'), token], [uniqueName('recorded-scim-refused'), 'not-the-token']]) {
        const connector = await stack.http.post('/api/v1/connectors').set(bearer(admin)).send({ name, kind: 'scim', baseUrl: scim.url, token: secret, mapping: 'username' });
        expect(connector.status).toBe(201);
        created.push(connector.body.id);
      }
      const started = await lock({ user: victim.id, reason: 'recorded downstream' });
      expect(await waitForLockdown(stack, admin, started.body.id)).toMatchObject({ status: 'completed', progress: { locked: 1 } });
      const downstreamId = downstreamWorkflowId(started.body.id, victim.id);
      expect(await waitForWorkflowResult(stack, downstreamId)).toEqual({ done: 1, notFound: 0, failed: 1 });
      expect(((await (await fetch(`${scim.url}/Users/${scimId}`, { headers: { Authorization: `Bearer ${token}` } })).json()) as { active: boolean }).active).toBe(false);

      expect((await stack.http.patch(`/api/v1/connectors/${created[1]}`).set(bearer(admin)).send({ token })).status).toBe(200);
      const retried = await stack.http.post(`/api/v1/lockdowns/${started.body.id}/downstream/retry`).set(bearer(admin)).send({ connectorId: created[1] });
      expect(retried.status).toBe(202);
      const retryId = downstreamRetryWorkflowId(started.body.id, created[1], 2);
      expect(await waitForWorkflowResult(stack, retryId)).toEqual({ done: 1, notFound: 0, failed: 0 });
      const events = (await eventsOf(started.body.id)).map((event) => event.action).sort();
      expect(events).toEqual(['account_lockdown_downstream', 'account_lockdown_downstream', 'account_lockdown_downstream_failed', ACCOUNT_LOCKDOWN_TRIGGERED].sort());
      await save('downstream-connectors', started.body.id, [userLockdownWorkflowId(started.body.id, victim.id), downstreamId, retryId]);
    } finally {
      // Connectors reach every later lockdown: leave none behind.
      for (const id of created) await stack.http.delete(`/api/v1/connectors/${id}`).set(bearer(admin));
      await scim.stop();
    }
  });
});

if (!recording) it.skip('records histories only with RECORD_HISTORIES=1', () => undefined);
