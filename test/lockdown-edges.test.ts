import { WorkflowUpdateFailedError } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { SELF_SERVICE_FAILURE_TITLE } from '../domain/self-service';
import { submitPromptUpdate } from '../workflows/messages';
import { createBrand } from './support/flows';
import { addSession, addToken, adminSession, bearer, createUser, login, startStack, uniqueName, waitForLockdown, waitForLockdownRecord, type Stack } from './support/stack';
import { startLockdown } from './support/lockdowns';
import { waitUntil } from './support/wait';

/**
 * The promises kept at the edges of a lockdown run (issue 8 and the workflow side of issue 9).
 * Where the test needs PostgreSQL to misbehave — a write refused, a credential minted in the
 * middle of a run, a step that takes a while — a trigger does it in the real database, scoped
 * to users (or reasons) whose names carry this file's prefixes, so other test files are untouched.
 */
let stack: Stack;
let admin: string;
let host: string;

const PREFIX = {
  refusePassword: 'edge-refusepw-',
  flakyAudit: 'edge-flakyaudit-',
  slow: 'edge-slow-',
  mintOnce: 'edge-mintonce-',
  mintForever: 'edge-mintforever-',
  refuseRunning: 'edge-refuse-running-',
  refuseResult: 'edge-refuseresult-',
};

const TRIGGERS = `
CREATE TABLE IF NOT EXISTS edge_minted (user_id uuid PRIMARY KEY);
CREATE SEQUENCE IF NOT EXISTS edge_flaky_audit_attempts;

-- A step that keeps failing: the unusable password cannot be written.
CREATE OR REPLACE FUNCTION edge_refuse_password() RETURNS trigger AS $$
BEGIN
  IF NEW.username LIKE '${PREFIX.refusePassword}%' AND NEW.password_hash IS DISTINCT FROM OLD.password_hash THEN
    RAISE EXCEPTION 'edge test: password change refused';
  END IF;
  -- A slow step inside each user's run (deactivation may already be done by the recording transaction).
  IF NEW.username LIKE '${PREFIX.slow}%' AND NEW.password_hash IS DISTINCT FROM OLD.password_hash THEN
    PERFORM pg_sleep(3);
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS edge_refuse_password ON users;
CREATE TRIGGER edge_refuse_password BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION edge_refuse_password();

-- The audit event write fails four times (a sequence survives the rollback), then succeeds.
CREATE OR REPLACE FUNCTION edge_flaky_audit() RETURNS trigger AS $$
BEGIN
  IF NEW.context->>'affected_user' LIKE '${PREFIX.flakyAudit}%' THEN
    IF nextval('edge_flaky_audit_attempts') <= 4 THEN
      RAISE EXCEPTION 'edge test: audit write refused';
    END IF;
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS edge_flaky_audit ON events;
CREATE TRIGGER edge_flaky_audit BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION edge_flaky_audit();

-- A stolen credential minting new ones as soon as a token is revoked: once, or every time.
CREATE OR REPLACE FUNCTION edge_mint() RETURNS trigger AS $$
DECLARE name text;
BEGIN
  SELECT username INTO name FROM users WHERE id = OLD.user_id;
  IF name LIKE '${PREFIX.mintForever}%' OR (name LIKE '${PREFIX.mintOnce}%' AND NOT EXISTS (SELECT 1 FROM edge_minted WHERE user_id = OLD.user_id)) THEN
    INSERT INTO edge_minted (user_id) VALUES (OLD.user_id) ON CONFLICT DO NOTHING;
    INSERT INTO tokens (id, identifier, user_id, key_hash, intent) VALUES (gen_random_uuid(), 'minted-' || gen_random_uuid(), OLD.user_id, gen_random_uuid()::text, 'api');
    INSERT INTO sessions (id, user_id, key_hash, expires_at) VALUES (gen_random_uuid(), OLD.user_id, gen_random_uuid()::text, now() + interval '1 hour');
  END IF;
  RETURN OLD;
END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS edge_mint ON tokens;
CREATE TRIGGER edge_mint AFTER DELETE ON tokens FOR EACH ROW EXECUTE FUNCTION edge_mint();

-- PostgreSQL refusing the lockdown record's change to running (a non-retryable failure of the run).
CREATE OR REPLACE FUNCTION edge_refuse_running() RETURNS trigger AS $$
BEGIN
  IF NEW.reason LIKE '${PREFIX.refuseRunning}%' AND NEW.status = 'running' THEN
    RAISE EXCEPTION 'edge test: lockdown record refused';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS edge_refuse_running ON lockdowns;
CREATE TRIGGER edge_refuse_running BEFORE UPDATE ON lockdowns FOR EACH ROW EXECUTE FUNCTION edge_refuse_running();

-- PostgreSQL refusing a user's final result (a per-user run that cannot record how it ended).
CREATE OR REPLACE FUNCTION edge_refuse_result() RETURNS trigger AS $$
BEGIN
  IF NEW.username LIKE '${PREFIX.refuseResult}%' AND NEW.status IN ('locked', 'failed') THEN
    RAISE EXCEPTION 'edge test: result refused';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS edge_refuse_result ON lockdown_targets;
CREATE TRIGGER edge_refuse_result BEFORE UPDATE ON lockdown_targets FOR EACH ROW EXECUTE FUNCTION edge_refuse_result();
`;

const DROP_TRIGGERS = `
DROP TRIGGER IF EXISTS edge_refuse_password ON users;
DROP TRIGGER IF EXISTS edge_flaky_audit ON events;
DROP TRIGGER IF EXISTS edge_mint ON tokens;
DROP TRIGGER IF EXISTS edge_refuse_running ON lockdowns;
DROP TRIGGER IF EXISTS edge_refuse_result ON lockdown_targets;
`;

async function runSql(script: string) {
  // One statement per call: split where a new top-level statement (or its comment) starts; function bodies are indented.
  const statements = script.split(/;\n(?=\n|--|CREATE|DROP)/).map((part) => part.replace(/^--.*$/gm, '').trim()).filter(Boolean);
  for (const statement of statements) await stack.db.$executeRawUnsafe(statement);
}

beforeAll(async () => {
  stack = await startStack();
  admin = await adminSession(stack);
  ({ host } = await createBrand(stack.db));
  await runSql(TRIGGERS);
});
afterAll(async () => {
  if (stack) await runSql(DROP_TRIGGERS);
  await stack?.stop();
});

const lock = (key: string, body: object, brandHost = host) => startLockdown(stack, key, body, brandHost);
// The per-user events (the lockdown's summary, written once it has ended, is not one of them).
const eventsOf = (lockdownId: string) => stack.db.event.findMany({ where: { lockdownId, action: { not: 'account_lockdown_finished' } }, orderBy: { createdAt: 'asc' } });

describe('self-service ending (item 1)', () => {
  it('when the stage kept sessions, then the user is not told they were logged out, nor sent to the completion flow', async () => {
    // A stage that deactivates always ends sessions (no deactivation without revocation): this one does neither.
    const { host: keepSessions } = await createBrand(stack.db, { actions: { deactivateUser: false, deleteSessions: false } });
    const user = await createUser(stack.db, { password: 'self-password-1' });
    const session = await login(stack, user.username, 'self-password-1');
    const response = await lock(session, { reason: 'my laptop was stolen' }, keepSessions);
    expect(response.status).toBe(201);
    expect(response.body.status).toBe('completed');
    expect(response.body.completion.redirect).toBeUndefined();
    expect(response.body.completion.message.body).toContain('Your existing sessions were not ended.');
    expect(response.body.completion.message.body).not.toMatch(/logged out/i);
    expect(await stack.db.session.count({ where: { userId: user.id } })).toBe(1);
  });
});

describe('one audit record for every account that changed (item 3)', () => {
  it('when a run fails after deactivating the user, then an account_lockdown_failed event says which steps ran and why', async () => {
    const victim = await createUser(stack.db, { username: uniqueName(PREFIX.refusePassword) });
    const started = await lock(admin, { user: victim.id, reason: 'half a lockdown' });
    const finished = await waitForLockdown(stack, admin, started.body.id);
    expect(finished.results[0]).toMatchObject({ success: false, error: expect.stringContaining('password change refused') });
    expect((await stack.db.user.findUniqueOrThrow({ where: { id: victim.id } })).isActive).toBe(false);
    const events = await eventsOf(started.body.id);
    expect(events.map((event) => event.action)).toEqual(['account_lockdown_failed']);
    expect(events[0].context).toMatchObject({
      affected_user: victim.username,
      reason: 'half a lockdown',
      steps_run: ['deactivateUser'],
      error: expect.stringContaining('password change refused'),
    });
  });

  it('when writing the audit event fails several times, then it is retried until written and the user stays locked', async () => {
    const victim = await createUser(stack.db, { username: uniqueName(PREFIX.flakyAudit) });
    const started = await lock(admin, { user: victim.id, reason: 'audit hiccups' });
    const finished = await waitForLockdown(stack, admin, started.body.id, 90_000);
    expect(finished.status).toBe('completed');
    expect(finished.results[0]).toMatchObject({ success: true, error: null });
    expect((await eventsOf(started.body.id)).map((event) => event.action)).toEqual(['account_lockdown_triggered']);
  });
});

describe('cancel says what happened (item 7)', () => {
  it('when a one-user run is cancelled after its user started, then it completes with the user locked, nothing cancelled', async () => {
    const victim = await createUser(stack.db, { username: uniqueName(PREFIX.slow) });
    const started = await lock(admin, { user: victim.id, reason: 'cancel too late' });
    await waitUntil('the target to be running', async () => (await stack.db.lockdownTarget.findFirstOrThrow({ where: { lockdownId: started.body.id } })).status === 'running');
    const cancelled = await stack.http.post(`/api/v1/lockdowns/${started.body.id}/cancel`).set(bearer(admin));
    expect(cancelled.status).toBe(200);
    const finished = await waitForLockdown(stack, admin, started.body.id);
    expect(finished.status).toBe('completed');
    expect(finished.progress).toEqual({ total: 1, locked: 1, failed: 0, cancelled: 0, pending: 0 });
  });

  it('when a bulk run is cancelled after every user started, then the true counts and status are reported', async () => {
    const victims = [await createUser(stack.db, { username: uniqueName(PREFIX.slow) }), await createUser(stack.db, { username: uniqueName(PREFIX.slow) })];
    const started = await lock(admin, { users: victims.map((victim) => victim.id), reason: 'cancel after all started' });
    await waitUntil('both targets to be running', async () => (await stack.db.lockdownTarget.count({ where: { lockdownId: started.body.id, status: 'running' } })) === 2);
    expect((await stack.http.post(`/api/v1/lockdowns/${started.body.id}/cancel`).set(bearer(admin))).status).toBe(200);
    const finished = await waitForLockdown(stack, admin, started.body.id);
    expect(finished.status).toBe('completed');
    expect(finished.progress).toEqual({ total: 2, locked: 2, failed: 0, cancelled: 0, pending: 0 });
    const live = await stack.temporal.workflow.getHandle(started.body.workflowId).query('lockdownState');
    expect(live).toMatchObject({ status: 'completed', progress: finished.progress });
  });
});

describe('audit ids identify one execution (item 8)', () => {
  it('workflow_id and run_id are those of the per-user workflow; the lockdown’s own workflow is parent_workflow_id', async () => {
    const victim = await createUser(stack.db);
    const started = await lock(admin, { user: victim.id, reason: 'ids' });
    await waitForLockdown(stack, admin, started.body.id);
    const [event] = await eventsOf(started.body.id);
    const context = event.context as { workflow_id: string; run_id: string; parent_workflow_id: string };
    expect(context.workflow_id).toBe(`lockdown-${started.body.id}-user-${victim.id}`);
    expect(context.parent_workflow_id).toBe(started.body.workflowId);
    expect(event.workflowId).toBe(context.workflow_id);
    // The pair names one execution Temporal knows.
    const execution = await stack.temporal.workflow.getHandle(context.workflow_id, context.run_id).describe();
    expect(execution.runId).toBe(context.run_id);
    expect(execution.type).toBe('lockdownUser');
  });
});

describe('verified revocation (item 10)', () => {
  it('when a token and a session are minted right after the revoke step, then the verify step removes them and counts them', async () => {
    const victim = await createUser(stack.db, { username: uniqueName(PREFIX.mintOnce) });
    await addSession(stack.db, victim.id);
    await addToken(stack.db, victim.id, 'api');
    const started = await lock(admin, { user: victim.id, reason: 'minting attacker' });
    const finished = await waitForLockdown(stack, admin, started.body.id);
    expect(finished.results[0]).toMatchObject({ success: true, sessionsRevoked: 2, tokensRevoked: 2 });
    expect(await stack.db.$queryRawUnsafe<{ n: bigint }[]>('SELECT count(*) AS n FROM edge_minted WHERE user_id = $1::uuid', victim.id)).toEqual([{ n: 1n }]);
    expect(await stack.db.session.count({ where: { userId: victim.id } })).toBe(0);
    expect(await stack.db.token.count({ where: { userId: victim.id } })).toBe(0);
  });

  it('when credentials keep reappearing, then the user fails with VerificationFailed after bounded rounds, audited', async () => {
    const victim = await createUser(stack.db, { username: uniqueName(PREFIX.mintForever) });
    await addToken(stack.db, victim.id, 'api');
    const started = await lock(admin, { user: victim.id, reason: 'relentless attacker' });
    const finished = await waitForLockdown(stack, admin, started.body.id);
    expect(finished.status).toBe('failed');
    expect(finished.results[0]).toMatchObject({ success: false, error: expect.stringContaining('kept reappearing after 5 verification rounds') });
    const [event] = await eventsOf(started.body.id);
    expect(event.action).toBe('account_lockdown_failed');
    expect((event.context as { steps_run: string[] }).steps_run).toEqual(['deactivateUser', 'setUnusablePassword', 'deleteSessions', 'revokeTokens']);
  });
});

describe('a lockdown can never get stuck (issue 9, workflow side)', () => {
  it('when a prompt answer contains NUL, then the update validator refuses it and the lockdown keeps waiting, then runs', async () => {
    const victim = await createUser(stack.db);
    const started = await lock(admin, { user: victim.id });
    expect(started.body.status).toBe('awaiting_input');
    const handle = stack.temporal.workflow.getHandle(started.body.workflowId);
    const refused = await handle.executeUpdate(submitPromptUpdate, { args: [{ reason: 'a\u0000b' }] }).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((refused as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'ValidationError' });
    const overHttp = await stack.http.post(`/api/v1/lockdowns/${started.body.id}/stage`).set(bearer(admin)).send({ reason: 'x\u0000y' });
    expect(overHttp.status).toBe(400);
    expect(overHttp.body.error.details[0].field).toBe('body.reason');
    expect((await stack.http.get(`/api/v1/lockdowns/${started.body.id}`).set(bearer(admin))).body.status).toBe('awaiting_input');
    expect((await stack.http.post(`/api/v1/lockdowns/${started.body.id}/stage`).set(bearer(admin)).send({ reason: 'clean reason' })).status).toBe(200);
    expect((await waitForLockdown(stack, admin, started.body.id)).status).toBe('completed');
  });

  it('when the run fails for good, then the record is failed with the reason and cancel answers 409', async () => {
    const victim = await createUser(stack.db);
    const started = await lock(admin, { user: victim.id, reason: uniqueName(PREFIX.refuseRunning) });
    const record = await waitForLockdownRecord(stack.db, started.body.id, 60_000);
    expect(record.status).toBe('failed');
    expect(record.error).toContain('lockdown record refused');
    expect(await stack.db.lockdownTarget.findFirstOrThrow({ where: { lockdownId: started.body.id } })).toMatchObject({ status: 'failed' });
    const cancel = await stack.http.post(`/api/v1/lockdowns/${started.body.id}/cancel`).set(bearer(admin));
    expect(cancel.status).toBe(409);
    expect(cancel.body.error.code).toBe('already_finished');
  });

  it('when a user’s result cannot be recorded, then the parent still hears of it and the lockdown ends instead of waiting forever', async () => {
    const victim = await createUser(stack.db, { username: uniqueName(PREFIX.refuseResult) });
    const other = await createUser(stack.db);
    const started = await lock(admin, { users: [victim.id, other.id], reason: 'one result refused' });
    const record = await waitForLockdownRecord(stack.db, started.body.id, 60_000);
    expect(record.status).toBe('completed');
    const live = await stack.temporal.workflow.getHandle(started.body.workflowId).query('lockdownState');
    expect(live).toMatchObject({ status: 'completed', progress: { total: 2, locked: 1, failed: 1, pending: 0 } });
  });

  it('when the workflow is gone but the record still waits (terminated by an operator), then cancel and answers are 409, never 500', async () => {
    const victim = await createUser(stack.db);
    const started = await lock(admin, { user: victim.id });
    expect(started.body.status).toBe('awaiting_input');
    await stack.temporal.workflow.getHandle(started.body.workflowId).terminate('operator');
    const cancel = await stack.http.post(`/api/v1/lockdowns/${started.body.id}/cancel`).set(bearer(admin));
    expect(cancel.status).toBe(409);
    expect(cancel.body.error.code).toBe('already_finished');
    const answer = await stack.http.post(`/api/v1/lockdowns/${started.body.id}/stage`).set(bearer(admin)).send({ reason: 'late' });
    expect(answer.status).toBe(409);
  });
});

describe('a self-service failure still ends the self-service way', () => {
  it('when the caller’s own lockdown fails, then the answer carries the failure message', async () => {
    const user = await createUser(stack.db, { username: uniqueName(PREFIX.refusePassword), password: undefined });
    // A session written directly: the user's password cannot be set through the refused trigger path.
    const session = await addSession(stack.db, user.id);
    const response = await lock(session, { reason: `self ${randomUUID()}` });
    expect(response.status).toBe(201);
    expect(response.body.status).toBe('failed');
    expect(response.body.completion.message.title).toBe(SELF_SERVICE_FAILURE_TITLE);
  });
});
