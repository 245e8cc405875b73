import { MockActivityEnvironment } from '@temporalio/testing';
import { createAuditActivities } from '../activities/audit';
import { isUsablePasswordHash } from '../lib/credentials';
import { createLogger } from '../lib/logger';
import { lockdownStateQuery } from '../workflows/messages';
import { adminSession, bearer, createUser, login, startStack, uniqueName, waitForLockdown, type Stack } from './support/stack';

let stack: Stack;
let admin: string;

beforeAll(async () => {
  stack = await startStack();
  admin = await adminSession(stack);
});
afterAll(() => stack?.stop());

describe('a single-user lockdown, end to end', () => {
  it('when an admin locks a user with sessions and every kind of token, then nothing of the user still works', async () => {
    const password = 'correct horse battery staple';
    const created = await stack.http.post('/api/v1/users').set(bearer(admin)).send({ username: uniqueName('victim'), password });
    expect(created.status).toBe(201);
    const victim = created.body;
    const sessionA = await login(stack, victim.username, password);
    const sessionB = await login(stack, victim.username, password);
    const tokens: Record<string, string> = {};
    for (const intent of ['api', 'app_password'] as const) {
      const response = await stack.http.post('/api/v1/tokens').set(bearer(sessionA)).send({ identifier: uniqueName(intent), intent });
      expect(response.status).toBe(201);
      tokens[intent] = response.body.key;
    }
    for (const intent of ['recovery', 'verification'] as const) {
      const response = await stack.http.post('/api/v1/tokens').set(bearer(admin)).send({ identifier: uniqueName(intent), intent, userId: victim.id });
      expect(response.status).toBe(201);
    }
    const basic = { Authorization: `Basic ${Buffer.from(`${victim.username}:${tokens.app_password}`).toString('base64')}` };
    for (const credentials of [bearer(sessionB), bearer(tokens.api), basic]) {
      expect((await stack.http.get('/api/v1/me').set(credentials)).status).toBe(200);
    }
    expect(await stack.db.session.count({ where: { userId: victim.id } })).toBe(2);
    expect(await stack.db.token.count({ where: { userId: victim.id } })).toBe(4);

    const started = await stack.http.post('/api/v1/lockdowns').set(bearer(admin)).send({ user: victim.id, reason: 'Suspicious login from a new country' });
    expect(started.status).toBe(201);
    expect(['running', 'completed']).toContain(started.body.status);
    const finished = await waitForLockdown(stack, admin, started.body.id);

    expect(finished.status).toBe('completed');
    expect(finished.progress).toEqual({ total: 1, locked: 1, failed: 0, cancelled: 0, pending: 0 });
    expect(finished.results).toEqual([
      expect.objectContaining({ userId: victim.id, username: victim.username, success: true, error: null, sessionsRevoked: 2, tokensRevoked: 4 }),
    ]);
    expect(finished.stage.fields[0].initialValue).toContain(`Successfully locked down ${victim.username}`);
    // Operators can ask the workflow itself (e.g. `temporal workflow query`), not only the API.
    const live = await stack.temporal.workflow.getHandle(started.body.workflowId).query(lockdownStateQuery);
    expect(live).toMatchObject({ status: 'completed', progress: { total: 1, locked: 1, pending: 0 }, error: null });

    const user = await stack.db.user.findUniqueOrThrow({ where: { id: victim.id } });
    expect(user.isActive).toBe(false);
    expect(isUsablePasswordHash(user.passwordHash)).toBe(false);
    expect(await stack.db.session.count({ where: { userId: victim.id } })).toBe(0);
    expect(await stack.db.token.count({ where: { userId: victim.id } })).toBe(0);

    const events = await stack.db.event.findMany({ where: { action: 'account_lockdown_triggered', lockdownId: started.body.id } });
    expect(events).toHaveLength(1);
    expect(events[0].context).toMatchObject({
      reason: 'Suspicious login from a new country',
      affected_user: victim.username,
      lockdown_id: started.body.id,
      workflow_id: `${started.body.workflowId}-user-${victim.id}`,
      parent_workflow_id: started.body.workflowId,
      self_service: false,
      sessions_revoked: 2,
      tokens_revoked: 4,
    });
    expect(events[0].actorSnapshot).toMatchObject({ username: 'admin' });

    for (const credentials of [bearer(sessionA), bearer(sessionB), bearer(tokens.api), basic]) {
      const response = await stack.http.get('/api/v1/me').set(credentials);
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('not_authenticated');
    }
    const relogin = await stack.http.post('/api/v1/auth/login').send({ username: victim.username, password });
    expect(relogin.status).toBe(401);
    expect(relogin.body.error.code).toBe('invalid_credentials');

    const listed = await stack.http.get('/api/v1/events').query({ action: 'account_lockdown_triggered', affectedUser: victim.username }).set(bearer(admin));
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(1);
  });

  it('when the audit activity runs twice for the same lockdown and user, then there is still one event', async () => {
    const victim = await createUser(stack.db);
    const actor = await stack.db.user.findUniqueOrThrow({ where: { username: 'admin' } });
    const lockdown = await stack.db.lockdown.create({
      data: {
        actorId: actor.id,
        actorUsername: actor.username,
        selfService: false,
        flowSlug: 'default-account-lockdown',
        // A real snapshot's shape: other test files list every lockdown and check it against the API document.
        flowSnapshot: { slug: 'default-account-lockdown', title: 'Account lockdown', stages: [] },
        workflowId: `audit-retry-${victim.id}`,
        targets: { create: { userId: victim.id, username: victim.username, position: 0 } },
      },
    });
    const { writeLockdownAuditEvent } = createAuditActivities(stack.db, createLogger('silent'));
    const input = {
      lockdownId: lockdown.id,
      userId: victim.id,
      actor: { id: actor.id, username: actor.username },
      reason: 'retry check',
      selfService: false,
      actions: { deactivateUser: true, setUnusablePassword: true, deleteSessions: true, revokeTokens: true },
      clientIp: '127.0.0.1',
      workflowId: 'child',
      runId: 'run',
      parentWorkflowId: lockdown.workflowId,
    };
    const env = new MockActivityEnvironment({ attempt: 1 });
    await env.run(writeLockdownAuditEvent, input);
    const retry = new MockActivityEnvironment({ attempt: 2 });
    await retry.run(writeLockdownAuditEvent, input);
    expect(await stack.db.event.count({ where: { lockdownId: lockdown.id } })).toBe(1);
  });

  it('when the request names nobody in an empty list, then it is refused with a clear message', async () => {
    const response = await stack.http.post('/api/v1/lockdowns').set(bearer(admin)).send({ users: [], reason: 'x' });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toBe('At least one user is required.');
  });
});
