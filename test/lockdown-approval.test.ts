import { WorkflowUpdateFailedError } from '@temporalio/client';
import { APPROVAL_REQUESTED } from '../domain/approval';
import { decideApprovalUpdate } from '../workflows/messages';
import { createBrand } from './support/flows';
import { adminSession, bearer, createManyUsers, createUser, login, startStack, uniqueName, waitForLockdown, type Stack } from './support/stack';
import { startLockdown } from './support/lockdowns';
import { waitUntil } from './support/wait';

/**
 * Two-person approval: a bulk lockdown of more than LOCKDOWN_APPROVAL_THRESHOLD (2 here)
 * users on a stage that requires approval waits in `awaiting_approval`, touching nobody,
 * until another person with change_user on every target decides, or the timer expires.
 */
let stack: Stack;
let admin: string;
let host: string;
const THRESHOLD = '2';

beforeAll(async () => {
  stack = await startStack({ LOCKDOWN_APPROVAL_THRESHOLD: THRESHOLD, LOCKDOWN_APPROVAL_TIMEOUT_SECONDS: '600' });
  admin = await adminSession(stack);
  ({ host } = await createBrand(stack.db, { requireApproval: true }));
});
afterAll(() => stack?.stop());

/** A user holding change_user globally (a second admin), with a session. */
async function approver(name = 'approver') {
  const password = `pw-${uniqueName()}`;
  const user = await createUser(stack.db, { username: uniqueName(name), password });
  await stack.db.permission.create({ data: { userId: user.id, permission: 'change_user' } });
  return { user, key: await login(stack, user.username, password) };
}

async function requestBulk(on: Stack, key: string, users: string[], brandHost = host) {
  const response = await startLockdown(on, key, { users, reason: 'phishing wave' }, brandHost);
  expect(response.status).toBe(201);
  return response.body;
}

async function untouched(on: Stack, users: string[]) {
  const rows = await on.db.user.findMany({ where: { id: { in: users } }, include: { sessions: true, tokens: true } });
  expect(rows.map((row) => ({ active: row.isActive, sessions: row.sessions.length, tokens: row.tokens.length }))).toEqual(
    users.map(() => ({ active: true, sessions: 1, tokens: 1 })),
  );
}

const decide = (on: Stack, key: string, id: string, decision: 'approve' | 'reject', comment?: string) =>
  on.http.post(`/api/v1/lockdowns/${id}/${decision}`).set(bearer(key)).send(comment === undefined ? {} : { comment });

describe('two-person approval for large bulk lockdowns', () => {
  it('when a bulk lockdown is over the threshold, then it waits with nobody touched; the requester and a user without permission cannot decide', async () => {
    const users = await createManyUsers(stack.db, 3);
    const lockdown = await requestBulk(stack, admin, users);
    expect(lockdown.status).toBe('awaiting_approval');
    expect(lockdown.approval).toMatchObject({ outcome: null, approver: null });
    await untouched(stack, users);

    const mine = await decide(stack, admin, lockdown.id, 'approve', 'looks right to me');
    expect(mine.status).toBe(403);
    expect(mine.body.error.message).toMatch(/requested/);
    const plainPassword = `pw-${uniqueName()}`;
    const plain = await createUser(stack.db, { password: plainPassword });
    const plainKey = await login(stack, plain.username, plainPassword);
    // Not theirs to see: the same 404 as an id that does not exist, so ids cannot be probed.
    const unknown = await decide(stack, plainKey, '00000000-0000-4000-8000-000000000000', 'approve');
    const existing = await decide(stack, plainKey, lockdown.id, 'approve');
    expect([unknown.status, existing.status]).toEqual([404, 404]);
    expect(existing.body).toEqual(unknown.body);
    // change_user on two of the three targets is not enough: neither to see it nor to decide.
    await stack.db.permission.createMany({ data: users.slice(0, 2).map((targetUserId) => ({ userId: plain.id, permission: 'change_user' as const, targetUserId })) });
    expect((await stack.http.get(`/api/v1/lockdowns/${lockdown.id}`).set(bearer(plainKey))).status).toBe(404);
    expect((await decide(stack, plainKey, lockdown.id, 'reject')).status).toBe(404);
    // view_audit sees it, and may not decide.
    const auditorPassword = `pw-${uniqueName()}`;
    const auditor = await createUser(stack.db, { password: auditorPassword });
    await stack.db.permission.create({ data: { userId: auditor.id, permission: 'view_audit' } });
    const auditorKey = await login(stack, auditor.username, auditorPassword);
    expect((await stack.http.get(`/api/v1/lockdowns/${lockdown.id}`).set(bearer(auditorKey))).body.approval.viewerMayDecide).toBe(false);
    expect((await decide(stack, auditorKey, lockdown.id, 'reject')).status).toBe(403);

    // The workflow's validator refuses the requester too, whoever calls it.
    const handle = stack.temporal.workflow.getHandle(lockdown.workflowId);
    const me = await stack.http.get('/api/v1/me').set(bearer(admin));
    await expect(
      handle.executeUpdate(decideApprovalUpdate, { args: [{ approve: true, approver: { id: me.body.id, username: 'admin' }, comment: '', permitted: true }] }),
    ).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    const { user: other } = await approver();
    await expect(
      handle.executeUpdate(decideApprovalUpdate, { args: [{ approve: true, approver: { id: other.id, username: other.username }, comment: '', permitted: false }] }),
    ).rejects.toBeInstanceOf(WorkflowUpdateFailedError);

    const asRequester = (await stack.http.get(`/api/v1/lockdowns/${lockdown.id}`).set(bearer(admin))).body;
    expect(asRequester.status).toBe('awaiting_approval');
    expect(asRequester.approval.viewerMayDecide).toBe(false);
    await untouched(stack, users);
    expect((await stack.http.post(`/api/v1/lockdowns/${lockdown.id}/cancel`).set(bearer(admin))).body.status).toBe('cancelled');
    await untouched(stack, users);
  });

  it('when another admin approves, then it runs, and the approval, approver and comment are in the record, the events and the history', async () => {
    const users = await createManyUsers(stack.db, 3);
    const lockdown = await requestBulk(stack, admin, users);
    const second = await approver();
    const asApprover = async () => (await stack.http.get(`/api/v1/lockdowns/${lockdown.id}`).set(bearer(second.key))).body.approval.viewerMayDecide;
    expect(await asApprover()).toBe(true);
    const approved = await decide(stack, second.key, lockdown.id, 'approve', 'confirmed with the SOC lead');
    expect(approved.status).toBe(200);
    expect(await asApprover()).toBe(false);
    const done = await waitForLockdown(stack, admin, lockdown.id);
    expect(done.status).toBe('completed');
    expect(done.progress).toMatchObject({ total: 3, locked: 3 });
    expect(done.approval).toMatchObject({ outcome: 'approved', approver: { id: second.user.id, username: second.user.username }, comment: 'confirmed with the SOC lead' });

    const events = await stack.db.event.findMany({ where: { lockdownId: lockdown.id }, orderBy: { createdAt: 'asc' } });
    expect(events.map((event) => event.action).slice(0, 2)).toEqual([APPROVAL_REQUESTED, 'account_lockdown_approved']);
    expect(events[1].actorId).toBe(second.user.id);
    expect(events[1].context).toMatchObject({ approver: { id: second.user.id }, comment: 'confirmed with the SOC lead', target_count: 3 });
    expect(events.filter((event) => event.action === 'account_lockdown_triggered')).toHaveLength(3);

    const history = await stack.temporal.workflow.getHandle(lockdown.workflowId).fetchHistory();
    const updates = history.events?.flatMap((event) => event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name ?? []);
    // The decision is an update in the history; `lockdownStarted` is there too only when the start was not eager (services/lockdown-start.ts).
    expect(updates?.filter((name) => name !== 'lockdownStarted')).toEqual(['decideApproval']);

    expect((await decide(stack, second.key, lockdown.id, 'reject')).status).toBe(409);
  });

  it('when someone holds change_user on each target (per user), then they see the lockdown, are told they may decide, and their rejection counts', async () => {
    const users = await createManyUsers(stack.db, 3);
    const lockdown = await requestBulk(stack, admin, users);
    const password = `pw-${uniqueName()}`;
    const perUser = await createUser(stack.db, { password });
    await stack.db.permission.createMany({ data: users.map((targetUserId) => ({ userId: perUser.id, permission: 'change_user' as const, targetUserId })) });
    const key = await login(stack, perUser.username, password);
    const seen = await stack.http.get(`/api/v1/lockdowns/${lockdown.id}`).set(bearer(key));
    expect(seen.status).toBe(200);
    expect(seen.body.approval.viewerMayDecide).toBe(true);
    expect((await stack.http.get('/api/v1/lockdowns').query({ status: 'awaiting_approval' }).set(bearer(key))).body.items.map((item: { id: string }) => item.id)).toContain(lockdown.id);
    const rejected = await decide(stack, key, lockdown.id, 'reject', 'not these three');
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ status: 'rejected', approval: { approver: { id: perUser.id } } });
    await untouched(stack, users);
  });

  it('when rejected, then it ends rejected and nobody is locked', async () => {
    const users = await createManyUsers(stack.db, 3);
    const lockdown = await requestBulk(stack, admin, users);
    const second = await approver();
    const rejected = await decide(stack, second.key, lockdown.id, 'reject', 'wrong list');
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ status: 'rejected', approval: { outcome: 'rejected', comment: 'wrong list' } });
    expect(rejected.body.progress).toMatchObject({ total: 3, locked: 0, cancelled: 3 });
    await untouched(stack, users);
    const actions = (await stack.db.event.findMany({ where: { lockdownId: lockdown.id } })).map((event) => event.action).sort();
    expect(actions).toEqual([APPROVAL_REQUESTED, 'account_lockdown_rejected']);
  });

  it('when the lockdown is self-service, single-user, at the threshold, or the stage does not require approval, then it never waits', async () => {
    // Each by a requester of its own: the threshold counts what one requester asked for over the window.
    const [single] = await createManyUsers(stack.db, 1);
    expect((await stack.http.post('/api/v1/lockdowns').set('Host', host).set(bearer((await approver('single')).key)).send({ user: single, reason: 'one' })).body.status).not.toBe('awaiting_approval');
    const atThreshold = await createManyUsers(stack.db, Number(THRESHOLD));
    expect((await requestBulk(stack, (await approver('at-threshold')).key, atThreshold)).status).not.toBe('awaiting_approval');
    const { host: noApproval } = await createBrand(stack.db, { requireApproval: false });
    expect((await requestBulk(stack, admin, await createManyUsers(stack.db, 3), noApproval)).status).not.toBe('awaiting_approval');
    const password = `pw-${uniqueName()}`;
    const self = await createUser(stack.db, { password });
    const selfKey = await login(stack, self.username, password);
    const response = await stack.http.post('/api/v1/lockdowns').set('Host', host).set(bearer(selfKey)).send({ reason: 'stolen laptop' });
    expect(response.body.status).toBe('completed');
  });

  it('when a requester splits a bulk into requests at or under the threshold, then the one that takes them over it within the window waits', async () => {
    const requester = await approver('splitter');
    const [first, second, third] = [await createManyUsers(stack.db, 2), await createManyUsers(stack.db, 1), await createManyUsers(stack.db, 2)];
    expect((await requestBulk(stack, requester.key, first)).status).not.toBe('awaiting_approval');
    // 2 + 1 users within the window: over the threshold of 2, even as a single-user request.
    const single = await stack.http.post('/api/v1/lockdowns').set('Host', host).set(bearer(requester.key)).send({ user: second[0], reason: 'one more' });
    expect(single.status).toBe(201);
    expect(single.body.status).toBe('awaiting_approval');
    await untouched(stack, second);
    // Requests sent at once are counted one after the other: one of two concurrent halves waits.
    const other = await approver('concurrent-splitter');
    const halves = await Promise.all([third, await createManyUsers(stack.db, 2)].map((users) => requestBulk(stack, other.key, users)));
    expect(halves.map((half) => half.status === 'awaiting_approval').sort()).toEqual([false, true]);
    for (const waiting of [single.body, ...halves.filter((half) => half.status === 'awaiting_approval')]) {
      await stack.http.post(`/api/v1/lockdowns/${waiting.id}/cancel`).set(bearer(admin));
    }
  });

  it('when the window has passed, then the requester’s earlier lockdowns no longer count', async () => {
    const short = await startStack({ LOCKDOWN_APPROVAL_THRESHOLD: THRESHOLD, LOCKDOWN_APPROVAL_WINDOW_SECONDS: '1' });
    try {
      const { host: shortHost } = await createBrand(short.db, { requireApproval: true });
      const password = `pw-${uniqueName()}`;
      const user = await createUser(short.db, { password });
      await short.db.permission.create({ data: { userId: user.id, permission: 'change_user' } });
      const key = await login(short, user.username, password);
      expect((await requestBulk(short, key, await createManyUsers(short.db, 2), shortHost)).status).not.toBe('awaiting_approval');
      await new Promise((resolve) => setTimeout(resolve, 1_500)); // past the one-second window
      expect((await requestBulk(short, key, await createManyUsers(short.db, 2), shortHost)).status).not.toBe('awaiting_approval');
    } finally {
      await short.stop();
    }
  });

  it('when approvers have a notification rule for account_lockdown_approval_requested, then they are notified', async () => {
    const second = await approver('notified');
    const group = await stack.http.post('/api/v1/groups').set(bearer(admin)).send({ name: uniqueName('approvers') });
    await stack.http.post(`/api/v1/groups/${group.body.id}/members`).set(bearer(admin)).send({ userId: second.user.id });
    const policy = await stack.http.post('/api/v1/policies/event_matcher').set(bearer(admin)).send({ name: uniqueName('approvals'), action: APPROVAL_REQUESTED });
    const inbox = await stack.http.post('/api/v1/notification_transports').set(bearer(admin)).send({ name: uniqueName('inbox'), mode: 'local' });
    const rule = await stack.http
      .post('/api/v1/notification_rules')
      .set(bearer(admin))
      .send({ name: uniqueName('approve'), severity: 'alert', destinationGroupId: group.body.id, transportIds: [inbox.body.id], policyIds: [policy.body.id] });
    expect(rule.status).toBe(201);
    const lockdown = await requestBulk(stack, admin, await createManyUsers(stack.db, 3));
    let items: { title: string; body: string }[] = [];
    await waitUntil('the approver’s inbox notification', async () => {
      items = (await stack.http.get('/api/v1/me/notifications').set(bearer(second.key))).body.items;
      return items.length > 0;
    });
    expect(items[0].title).toContain('Account lockdown approval requested');
    expect(items[0].body).toContain(`/api/v1/lockdowns/${lockdown.id}/approve`);
    await stack.http.post(`/api/v1/lockdowns/${lockdown.id}/cancel`).set(bearer(admin));
  });
});

describe('approval expiry and restarts', () => {
  it('when nobody decides in time, then it ends expired with nobody locked', async () => {
    const short = await startStack({ LOCKDOWN_APPROVAL_THRESHOLD: THRESHOLD, LOCKDOWN_APPROVAL_TIMEOUT_SECONDS: '2' });
    try {
      const key = await adminSession(short);
      const { host: shortHost } = await createBrand(short.db, { requireApproval: true });
      const users = await createManyUsers(short.db, 3);
      const lockdown = await requestBulk(short, key, users, shortHost);
      expect(lockdown.status).toBe('awaiting_approval');
      const ended = await waitForLockdown(short, key, lockdown.id);
      expect(ended).toMatchObject({ status: 'expired', approval: { outcome: 'expired', approver: null } });
      await untouched(short, users);
      const actions = (await short.db.event.findMany({ where: { lockdownId: lockdown.id } })).map((event) => event.action).sort();
      expect(actions).toEqual(['account_lockdown_approval_expired', APPROVAL_REQUESTED]);
    } finally {
      await short.stop();
    }
  });

  it('when the worker restarts while the lockdown waits, then nothing changes and the approval still runs it', async () => {
    const first = await startStack({ LOCKDOWN_APPROVAL_THRESHOLD: THRESHOLD, LOCKDOWN_APPROVAL_TIMEOUT_SECONDS: '600' });
    const users = await createManyUsers(first.db, 3);
    const { host: restartHost } = await createBrand(first.db, { requireApproval: true });
    const lockdown = await requestBulk(first, await adminSession(first), users, restartHost);
    expect(lockdown.status).toBe('awaiting_approval');
    await first.stop(); // the worker (and API) gone while it waits
    const second = await startStack({ LOCKDOWN_APPROVAL_THRESHOLD: THRESHOLD, TEMPORAL_TASK_QUEUE: first.config.TEMPORAL_TASK_QUEUE });
    try {
      const key = await adminSession(second);
      expect((await second.http.get(`/api/v1/lockdowns/${lockdown.id}`).set(bearer(key))).body.status).toBe('awaiting_approval');
      await untouched(second, users);
      const password = `pw-${uniqueName()}`;
      const other = await createUser(second.db, { password });
      await second.db.permission.create({ data: { userId: other.id, permission: 'change_user' } });
      const approved = await decide(second, await login(second, other.username, password), lockdown.id, 'approve', 'after the restart');
      expect(approved.status).toBe(200);
      const done = await waitForLockdown(second, key, lockdown.id);
      expect(done).toMatchObject({ status: 'completed', progress: { locked: 3 }, approval: { outcome: 'approved', comment: 'after the restart' } });
    } finally {
      await second.stop();
    }
  });
});
