import { lockdownWorkflowId } from '../workflows/ids';
import { isUsablePasswordHash } from '../lib/credentials';
import { DEFAULT_SELF_SERVICE_TITLE, SELF_SERVICE_FAILURE_TITLE } from '../domain/self-service';
import type { LockdownFlowInput } from '../workflows/types';
import type { FlowSnapshot } from '../domain/stages';
import { createBrand } from './support/flows';
import {
  addSession,
  addToken,
  adminSession,
  bearer,
  createUser,
  login,
  startStack,
  waitForLockdown,
  waitForLockdownRecord,
  type Stack,
} from './support/stack';
import { startLockdown } from './support/lockdowns';

let stack: Stack;
let admin: string;

beforeAll(async () => {
  stack = await startStack();
  admin = await adminSession(stack);
});
afterAll(() => stack?.stop());

const lock = (host: string, key: string, body: object) => startLockdown(stack, key, body, host);
const eventsOf = (lockdownId: string) => stack.db.event.findMany({ where: { lockdownId, action: 'account_lockdown_triggered' } });

describe('the lockdown flow: prompts, stage flags, self-service endings', () => {
  it('when no reason is given, then the run waits at the prompt and takes the reason from the submitted stage', async () => {
    const { host } = await createBrand(stack.db);
    const victim = await createUser(stack.db);
    const started = await lock(host, admin, { user: victim.id });
    expect(started.status).toBe(201);
    expect(started.body.status).toBe('awaiting_input');
    expect(started.body.stage.fields.map((field: { fieldKey: string }) => field.fieldKey)).toEqual(['warning', 'reason']);
    expect(started.body.stage.fields[0].initialValue).toBe(`Locking ${victim.username}`);

    const missing = await stack.http.post(`/api/v1/lockdowns/${started.body.id}/stage`).set(bearer(admin)).send({ reason: '  ' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details).toEqual([{ field: 'body.reason', message: 'Reason is required.' }]);
    expect((await stack.http.get(`/api/v1/lockdowns/${started.body.id}`).set(bearer(admin))).body.status).toBe('awaiting_input');

    const submitted = await stack.http.post(`/api/v1/lockdowns/${started.body.id}/stage`).set(bearer(admin)).send({ reason: 'Phishing report #42' });
    expect(submitted.status).toBe(200);
    const finished = await waitForLockdown(stack, admin, started.body.id);
    expect(finished.reason).toBe('Phishing report #42');
    const [event] = await eventsOf(started.body.id);
    expect(event.context).toMatchObject({ reason: 'Phishing report #42', affected_user: victim.username });
  });

  it('when only deactivation is on, then the password still verifies, and sessions and tokens go anyway (no deactivation without revocation)', async () => {
    const { host } = await createBrand(stack.db, { actions: { setUnusablePassword: false, deleteSessions: false, revokeTokens: false } });
    const victim = await createUser(stack.db, { password: 'a-password-1' });
    await addToken(stack.db, victim.id, 'api');
    await addSession(stack.db, victim.id);
    const started = await lock(host, admin, { user: victim.id, reason: 'only deactivate' });
    const finished = await waitForLockdown(stack, admin, started.body.id);
    expect(finished.results[0]).toMatchObject({ success: true, sessionsRevoked: 1, tokensRevoked: 1 });
    const user = await stack.db.user.findUniqueOrThrow({ where: { id: victim.id } });
    expect(user.isActive).toBe(false);
    expect(user.passwordHash).toBe(victim.passwordHash);
    expect(await stack.db.token.count({ where: { userId: victim.id } })).toBe(0);
    expect(await stack.db.session.count({ where: { userId: victim.id } })).toBe(0);
    expect(await eventsOf(started.body.id)).toHaveLength(1);
  });

  it('when every action is off, then nothing changes but the audit event is still written once', async () => {
    const { host } = await createBrand(stack.db, {
      actions: { deactivateUser: false, setUnusablePassword: false, deleteSessions: false, revokeTokens: false },
    });
    const victim = await createUser(stack.db, { password: 'a-password-1' });
    await addToken(stack.db, victim.id, 'recovery');
    const started = await lock(host, admin, { user: victim.id, reason: 'audit only' });
    await waitForLockdown(stack, admin, started.body.id);
    const user = await stack.db.user.findUniqueOrThrow({ where: { id: victim.id } });
    expect(user.isActive).toBe(true);
    expect(isUsablePasswordHash(user.passwordHash)).toBe(true);
    expect(await stack.db.token.count({ where: { userId: victim.id } })).toBe(1);
    const events = await eventsOf(started.body.id);
    expect(events).toHaveLength(1);
    expect(events[0].context).toMatchObject({
      actions: { deactivateUser: false, setUnusablePassword: false, deleteSessions: false, revokeTokens: false },
    });
  });

  it('when sessions and tokens are expired, then they are removed too, of every intent', async () => {
    const { host } = await createBrand(stack.db);
    const victim = await createUser(stack.db);
    await addSession(stack.db, victim.id, { expired: true });
    await addSession(stack.db, victim.id);
    for (const intent of ['api', 'app_password', 'recovery', 'verification'] as const) {
      await addToken(stack.db, victim.id, intent);
      await addToken(stack.db, victim.id, intent, { expired: true });
    }
    const started = await lock(host, admin, { user: victim.id, reason: 'expired credentials too' });
    const finished = await waitForLockdown(stack, admin, started.body.id);
    expect(finished.results[0]).toMatchObject({ sessionsRevoked: 2, tokensRevoked: 8 });
    expect(await stack.db.session.count({ where: { userId: victim.id } })).toBe(0);
    expect(await stack.db.token.count({ where: { userId: victim.id } })).toBe(0);
  });

  it('when the victim creates a token while the lockdown waits at its prompt, then that token is gone at the end', async () => {
    const { host } = await createBrand(stack.db);
    const victim = await createUser(stack.db, { password: 'victim-password' });
    const victimSession = await login(stack, victim.username, 'victim-password');
    const started = await lock(host, admin, { user: victim.id });
    expect(started.body.status).toBe('awaiting_input');
    const minted = await stack.http.post('/api/v1/tokens').set(bearer(victimSession)).send({ identifier: `stolen-${victim.id}`, intent: 'api' });
    expect(minted.status).toBe(201);
    await stack.http.post(`/api/v1/lockdowns/${started.body.id}/stage`).set(bearer(admin)).send({ reason: 'token minted mid-lockdown' });
    await waitForLockdown(stack, admin, started.body.id);
    expect(await stack.db.token.count({ where: { userId: victim.id } })).toBe(0);
    expect((await stack.http.get('/api/v1/me').set(bearer(minted.body.key))).status).toBe(401);
  });

  it('when a list and a single target are both given, then the list wins', async () => {
    const { host } = await createBrand(stack.db);
    const single = await createUser(stack.db);
    const listed = await createUser(stack.db);
    const started = await lock(host, admin, { user: single.id, users: [listed.id], reason: 'list wins' });
    const finished = await waitForLockdown(stack, admin, started.body.id);
    expect(finished.results.map((result: { userId: string }) => result.userId)).toEqual([listed.id]);
    expect((await stack.db.user.findUniqueOrThrow({ where: { id: single.id } })).isActive).toBe(true);
  });

  it('when a user locks themself and the stage has a completion flow, then they are sent to it', async () => {
    const { host } = await createBrand(stack.db);
    const user = await createUser(stack.db, { password: 'self-password' });
    const session = await login(stack, user.username, 'self-password');
    const response = await lock(host, session, { reason: 'I clicked a phishing link' });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      status: 'completed',
      selfService: true,
      stage: null,
      completion: { redirect: '/flows/default-account-lockdown-complete' },
    });
    expect((await stack.http.get('/api/v1/me').set(bearer(session))).status).toBe(401);
  });

  it('when a user locks themself and the stage has no completion flow, then they see the stage message', async () => {
    const { host } = await createBrand(stack.db, { completionFlow: null, selfServiceMessage: 'Call the security desk on 1234.' });
    const user = await createUser(stack.db, { password: 'self-password' });
    const session = await login(stack, user.username, 'self-password');
    const response = await lock(host, session, {});
    expect(response.body.status).toBe('awaiting_input');
    const submitted = await stack.http.post(`/api/v1/lockdowns/${response.body.id}/stage`).set(bearer(session)).send({ reason: 'lost my laptop' });
    expect(submitted.status).toBe(200);
    expect(submitted.body.completion).toEqual({ message: { title: DEFAULT_SELF_SERVICE_TITLE, body: 'Call the security desk on 1234.' } });
    expect(submitted.body.results).toEqual([expect.objectContaining({ userId: user.id, success: true })]);
  });

  it('when a lockdown waiting at its prompt is cancelled, then it ends cancelled and nobody is locked', async () => {
    const { host } = await createBrand(stack.db);
    const victim = await createUser(stack.db);
    const started = await lock(host, admin, { user: victim.id });
    const cancelled = await stack.http.post(`/api/v1/lockdowns/${started.body.id}/cancel`).set(bearer(admin));
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect(cancelled.body.progress).toEqual({ total: 1, locked: 0, failed: 0, cancelled: 1, pending: 0 });
    expect((await stack.db.user.findUniqueOrThrow({ where: { id: victim.id } })).isActive).toBe(true);
    expect(await eventsOf(started.body.id)).toHaveLength(0);
  });
});

describe('rules the workflow enforces even when the API is bypassed', () => {
  async function startDirectly(targetIds: string[], actorId: string, flow: FlowSnapshot, selfService = false) {
    const actor = await stack.db.user.findUniqueOrThrow({ where: { id: actorId } });
    const targets = await stack.db.user.findMany({ where: { id: { in: targetIds } } });
    const lockdown = await stack.db.lockdown.create({
      data: {
        actorId,
        actorUsername: actor.username,
        selfService,
        flowSlug: flow.slug,
        flowSnapshot: flow as object,
        workflowId: `pending-${Math.random()}`,
        targets: { create: targets.map((target, position) => ({ userId: target.id, username: target.username, position })) },
      },
    });
    const workflowId = lockdownWorkflowId(lockdown.id);
    await stack.db.lockdown.update({ where: { id: lockdown.id }, data: { workflowId } });
    const input: LockdownFlowInput = {
      lockdownId: lockdown.id,
      actor: { id: actor.id, username: actor.username },
      targetUserIds: targetIds,
      selfService,
      bulk: targetIds.length > 1,
      flow,
      initialValues: { reason: 'hand-made request' },
      clientIp: null,
      settings: { window: 5, continueAsNewAfter: 100, containmentFirst: true, promptTimeoutMs: 3_600_000 },
    };
    await stack.temporal.workflow.start('lockdownFlow', { taskQueue: stack.config.TEMPORAL_TASK_QUEUE, workflowId, args: [input] });
    return waitForLockdownRecord(stack.db, lockdown.id);
  }

  const flow: FlowSnapshot = {
    slug: 'hand-made',
    title: 'Hand-made',
    stages: [
      {
        kind: 'account_lockdown',
        name: 'lock',
        actions: { deactivateUser: true, setUnusablePassword: true, deleteSessions: true, revokeTokens: true },
        selfServiceMessageTitle: 'Locked',
        selfServiceMessage: 'Locked',
        completionFlowSlug: null,
      },
    ],
  };

  it('when a run has no target, then it fails with a clear message', async () => {
    const adminUser = await stack.db.user.findUniqueOrThrow({ where: { username: 'admin' } });
    const lockdown = await startDirectly([], adminUser.id, flow);
    expect(lockdown.status).toBe('failed');
    expect(lockdown.error).toBe('No user to lock: the lockdown has no target.');
  });

  it('when a hand-made run targets the anonymous user, then the workflow refuses it', async () => {
    const adminUser = await stack.db.user.findUniqueOrThrow({ where: { username: 'admin' } });
    const anonymous = await stack.db.user.findUniqueOrThrow({ where: { username: 'AnonymousUser' } });
    const lockdown = await startDirectly([anonymous.id], adminUser.id, flow);
    const [target] = await stack.db.lockdownTarget.findMany({ where: { lockdownId: lockdown.id } });
    expect(target.status).toBe('failed');
    expect(target.error).toMatch(/Protected accounts/);
    expect((await stack.db.user.findUniqueOrThrow({ where: { id: anonymous.id } })).isActive).toBe(true);
  });

  it('when a hand-made run is started by a user without change_user, then the target is not touched', async () => {
    const mallory = await createUser(stack.db);
    const victim = await createUser(stack.db);
    const lockdown = await startDirectly([victim.id], mallory.id, flow);
    const [target] = await stack.db.lockdownTarget.findMany({ where: { lockdownId: lockdown.id } });
    expect(target).toMatchObject({ status: 'failed', error: 'You do not have permission to lock this user.' });
    expect((await stack.db.user.findUniqueOrThrow({ where: { id: victim.id } })).isActive).toBe(true);
    expect(lockdown.status).toBe('failed');
  });

  it('when a self-service run fails, then the caller gets the failure message', async () => {
    const user = await createUser(stack.db);
    const anonymous = await stack.db.user.findUniqueOrThrow({ where: { username: 'AnonymousUser' } });
    // The caller is in the list, so the run is self-service; the protected target fails.
    await stack.db.permission.create({ data: { userId: user.id, permission: 'change_user' } });
    const lockdown = await startDirectly([user.id, anonymous.id], user.id, flow, true);
    expect(lockdown.completion).toMatchObject({ message: { title: SELF_SERVICE_FAILURE_TITLE } });
  });
});
