import { WorkflowNotFoundError } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createHmac, randomUUID } from 'node:crypto';
import { Agent } from 'node:http';
import { createNotificationActivities } from '../activities/notifications';
import { publicUrl } from '../lib/config';
import { createLogger } from '../lib/logger';
import { notificationWorkflowId, userLockdownWorkflowId } from '../workflows/ids';
import type { NotificationSummary } from '../domain/notifications';
import { createBrand } from './support/flows';
import { closedPort, startSmtpReceiver, startWebhookReceiver, type SmtpReceiver, type WebhookReceiver } from './support/receivers';
import { adminSession, bearer, createUser, login, startStack, uniqueName, waitForWorkflowResult, type Stack } from './support/stack';
import { finishedLockdown, startLockdown } from './support/lockdowns';
import { waitFor } from './support/wait';
import { ACCOUNT_LOCKDOWN_FINISHED } from '../domain/events';

let stack: Stack;
let admin: string;
let host: string;
let webhooks: WebhookReceiver;
let smtp: SmtpReceiver;

const MAX_ATTEMPTS = 6;

beforeAll(async () => {
  [webhooks, smtp] = await Promise.all([startWebhookReceiver(), startSmtpReceiver()]);
  stack = await startStack({
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(smtp.port),
    SMTP_FROM: 'Account Lockdown <lockdown@example.test>',
    // Short backoff, so retries play out in a test's time.
    NOTIFICATION_RETRY_INITIAL_MS: '50',
    NOTIFICATION_RETRY_MAX_INTERVAL_MS: '200',
    NOTIFICATION_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
    // The receivers of this file listen on loopback, which the outbound address policy refuses by default.
    OUTBOUND_ALLOWED_DESTINATIONS: '127.0.0.1',
  });
  admin = await adminSession(stack);
  ({ host } = await createBrand(stack.db));
});
afterAll(async () => {
  await stack?.stop();
  await Promise.all([webhooks?.close(), smtp?.close()]);
});

/**
 * Every test locks from a client IP of its own (a loopback address bound on the client
 * side) and matches on it, so its rule sees only its own events — not those of earlier
 * tests, nor of other test files running against the same database.
 */
let lastIp = 0;
const nextClientIp = () => `127.0.44.${++lastIp}`;

const api = {
  post: (path: string, body: object, key = admin) => stack.http.post(path).set(bearer(key)).send(body),
  get: (path: string, key = admin) => stack.http.get(path).set(bearer(key)),
};

function lockFrom(clientIp: string, body: object) {
  return startLockdown(stack, admin, body, host).agent(new Agent({ localAddress: clientIp }));
}

async function created(response: Promise<{ status: number; body: { id: string } }>): Promise<string> {
  const { status, body } = await response;
  if (status !== 201) throw new Error(`expected 201, got ${status} ${JSON.stringify(body)}`);
  return body.id;
}

/**
 * Configures alerting through the API: a group, a policy, transports and a rule binding them.
 * The rule alerts per user unless asked otherwise: most tests here follow each user's event.
 */
async function alerting(options: { clientIp: string; action?: string; members?: string[]; transports: object[]; severity?: string; alertPer?: 'lockdown' | 'user' }) {
  const groupId = await created(api.post('/api/v1/groups', { name: uniqueName('security-team') }));
  for (const userId of options.members ?? []) await created(api.post(`/api/v1/groups/${groupId}/members`, { userId }));
  const policyId = await created(
    api.post('/api/v1/policies/event_matcher', {
      name: uniqueName('policy'),
      action: options.action ?? 'account_lockdown_triggered',
      clientIp: options.clientIp,
    }),
  );
  const transportIds: string[] = [];
  for (const transport of options.transports) {
    transportIds.push(await created(api.post('/api/v1/notification_transports', { name: uniqueName('transport'), ...transport })));
  }
  const ruleName = uniqueName('rule');
  await created(
    api.post('/api/v1/notification_rules', {
      name: ruleName,
      severity: options.severity ?? 'alert',
      alertPer: options.alertPer ?? 'user',
      destinationGroupId: groupId,
      transportIds,
      policyIds: [policyId],
    }),
  );
  return { groupId, transportIds, ruleName };
}

/** Locks `userIds` from `clientIp` and waits for the lockdown to finish. */
async function lockdown(clientIp: string, userIds: string[]) {
  return finishedLockdown(stack, admin, lockFrom(clientIp, { users: userIds, reason: 'suspicious sign-ins' }));
}

/** Waits until the notification workflow of every per-user event of the lockdown has finished. */
async function notificationsSettled(lockdownId: string): Promise<NotificationSummary[]> {
  const events = await stack.db.event.findMany({ where: { lockdownId, action: { not: ACCOUNT_LOCKDOWN_FINISHED } } });
  return Promise.all(events.map((event) => waitForWorkflowResult<NotificationSummary>(stack, notificationWorkflowId(event.id))));
}

/** The lockdown's summary event (written when its run ends), once its notifications have been delivered. */
async function summarySettled(lockdownId: string) {
  const summary = await waitFor('the summary event', () => stack.db.event.findFirst({ where: { lockdownId, action: ACCOUNT_LOCKDOWN_FINISHED } }).then((event) => event ?? undefined));
  return { summary, delivered: await waitForWorkflowResult<NotificationSummary>(stack, notificationWorkflowId(summary.id)) };
}

async function deliveriesOf(lockdownId: string) {
  const response = await api.get(`/api/v1/notification_deliveries?lockdownId=${lockdownId}`);
  expect(response.status).toBe(200);
  return response.body.items as { id: string; mode: string; recipient: string; status: string; attempts: number; lastError: string | null }[];
}

describe('notifications of lockdowns', () => {
  it('when two users are locked, then the webhook is called once per event and each recipient gets one email per event', async () => {
    const clientIp = nextClientIp();
    const [alice, bob] = [await createUser(stack.db), await createUser(stack.db)];
    const [analyst, lead] = [await createUser(stack.db), await createUser(stack.db)];
    const path = `/hooks/${randomUUID()}`;
    const { ruleName } = await alerting({
      clientIp,
      members: [analyst.id, lead.id],
      transports: [{ mode: 'webhook', webhookUrl: webhooks.url(path) }, { mode: 'email' }],
    });

    const finished = await lockdown(clientIp, [alice.id, bob.id]);
    expect(finished.progress).toMatchObject({ locked: 2, failed: 0 });
    expect(await notificationsSettled(finished.id)).toEqual([
      { delivered: 3, failed: 0 },
      { delivered: 3, failed: 0 },
    ]);
    // Nothing arrives late: the notification workflows have ended, so no retry or replay can follow.

    const calls = webhooks.calls(path);
    expect(calls).toHaveLength(2);
    expect(calls.map((call) => call.body.context as { affected_user: string }).map((context) => context.affected_user).sort()).toEqual(
      [alice.username, bob.username].sort(),
    );
    for (const call of calls) {
      expect(Object.keys(call.body).sort()).toEqual(['action', 'actor', 'clientIp', 'context', 'createdAt', 'eventId', 'link', 'lockdownId', 'rule', 'severity']);
      expect(call.body).toMatchObject({ action: 'account_lockdown_triggered', severity: 'alert', rule: ruleName, lockdownId: finished.id, clientIp });
      expect(call.body.actor).toMatchObject({ username: 'admin' });
      expect(call.headers['content-type']).toBe('application/json');
      expect(call.headers['x-lockdown-signature']).toBeUndefined();
    }

    for (const recipient of [analyst, lead]) {
      const emails = smtp.messagesTo(recipient.email);
      expect(emails).toHaveLength(2);
      expect(emails.map((email) => email.header('Subject')).sort()).toEqual(
        [`[alert] Account lockdown triggered: ${alice.username}`, `[alert] Account lockdown triggered: ${bob.username}`].sort(),
      );
      expect(new Set(emails.map((email) => email.header('Message-ID'))).size).toBe(2);
    }

    const deliveries = await deliveriesOf(finished.id);
    expect(deliveries).toHaveLength(6);
    expect(deliveries.map((delivery) => [delivery.status, delivery.attempts])).toEqual(Array(6).fill(['delivered', 1]));
  });

  it('when the receiver fails the first three attempts, then it gets exactly one successful delivery', async () => {
    const clientIp = nextClientIp();
    const victim = await createUser(stack.db);
    const path = `/hooks/${randomUUID()}`;
    webhooks.failNext(path, 3);
    await alerting({ clientIp, transports: [{ mode: 'webhook', webhookUrl: webhooks.url(path) }] });

    const finished = await lockdown(clientIp, [victim.id]);
    // Settled means its workflow ended: no attempt can follow.
    expect(await notificationsSettled(finished.id)).toEqual([{ delivered: 1, failed: 0 }]);

    const calls = webhooks.calls(path);
    expect(calls.map((call) => call.status)).toEqual([500, 500, 500, 200]);
    const [delivery] = await deliveriesOf(finished.id);
    expect(new Set(calls.map((call) => call.headers['x-lockdown-delivery']))).toEqual(new Set([delivery.id]));
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 4, lastError: 'The webhook answered HTTP 500.' });
  });

  it('when the only policy is for another action, then a lockdown notifies no one', async () => {
    const clientIp = nextClientIp();
    const [victim, member] = [await createUser(stack.db), await createUser(stack.db)];
    const path = `/hooks/${randomUUID()}`;
    await alerting({
      clientIp,
      action: 'user_updated',
      members: [member.id],
      transports: [{ mode: 'webhook', webhookUrl: webhooks.url(path) }, { mode: 'email' }, { mode: 'local' }],
    });

    const finished = await lockdown(clientIp, [victim.id]);
    // The per-user workflow has ended without starting a notification workflow.
    await stack.temporal.workflow.getHandle(userLockdownWorkflowId(finished.id, victim.id)).result();
    const [event] = await stack.db.event.findMany({ where: { lockdownId: finished.id, action: 'account_lockdown_triggered' } });
    // No notification workflow exists, and the only workflow that could start one has ended: nothing can be sent.
    await expect(stack.temporal.workflow.getHandle(notificationWorkflowId(event.id)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect(webhooks.calls(path)).toHaveLength(0);
    expect(smtp.messagesTo(member.email)).toHaveLength(0);
    expect(await deliveriesOf(finished.id)).toHaveLength(0);
    expect(await stack.db.notification.count({ where: { userId: member.id } })).toBe(0);
  });

  it('when a rule notifies through the local transport, then group members see it in their inbox and others do not', async () => {
    const clientIp = nextClientIp();
    const victim = await createUser(stack.db);
    const member = await createUser(stack.db, { password: 'member-password' });
    const outsider = await createUser(stack.db, { password: 'outsider-password' });
    await alerting({ clientIp, members: [member.id], transports: [{ mode: 'local' }], severity: 'warning' });

    const finished = await lockdown(clientIp, [victim.id]);
    expect(await notificationsSettled(finished.id)).toEqual([{ delivered: 1, failed: 0 }]);

    const memberSession = await login(stack, member.username, 'member-password');
    const outsiderSession = await login(stack, outsider.username, 'outsider-password');
    const inbox = await api.get('/api/v1/me/notifications', memberSession);
    expect(inbox.status).toBe(200);
    expect(inbox.body.items).toHaveLength(1);
    const [notification] = inbox.body.items;
    expect(notification).toMatchObject({ severity: 'warning', seen: false, title: `[warning] Account lockdown triggered: ${victim.username}` });
    expect(notification.body).toContain('Reason: suspicious sign-ins');
    expect((await api.get('/api/v1/me/notifications', outsiderSession)).body.items).toEqual([]);

    expect((await api.post(`/api/v1/me/notifications/${notification.id}/seen`, {}, outsiderSession)).status).toBe(404);
    expect((await api.post('/api/v1/me/notifications/not-a-uuid/seen', {}, memberSession)).status).toBe(404);
    const seen = await api.post(`/api/v1/me/notifications/${notification.id}/seen`, {}, memberSession);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ id: notification.id, seen: true });
    expect((await api.get('/api/v1/me/notifications?seen=false', memberSession)).body.items).toEqual([]);
  });

  it('when the webhook transport has a secret, then each call is signed with it and the secret is never shown', async () => {
    const clientIp = nextClientIp();
    const victim = await createUser(stack.db);
    const path = `/hooks/${randomUUID()}`;
    const secret = `secret-${randomUUID()}`;
    const { transportIds } = await alerting({ clientIp, transports: [{ mode: 'webhook', webhookUrl: webhooks.url(path), webhookSecret: secret }] });

    const finished = await lockdown(clientIp, [victim.id]);
    await notificationsSettled(finished.id);
    const [call] = webhooks.calls(path);
    const expected = `sha256=${createHmac('sha256', secret).update(call.rawBody).digest('hex')}`;
    expect(call.headers['x-lockdown-signature']).toBe(expected);
    const [delivery] = await deliveriesOf(finished.id);
    expect(call.headers['x-lockdown-delivery']).toBe(delivery.id);

    const listed = await api.get('/api/v1/notification_transports?limit=500');
    const transport = listed.body.items.find((item: { id: string }) => item.id === transportIds[0]);
    expect(transport).toMatchObject({ mode: 'webhook', hasSecret: true, webhookUrl: webhooks.url(path) });
    expect(JSON.stringify(listed.body)).not.toContain(secret);
  });

  it('when the webhook receiver stays down, then the lockdown completes anyway and the failed delivery shows its last error', async () => {
    const clientIp = nextClientIp();
    const victim = await createUser(stack.db);
    await alerting({ clientIp, transports: [{ mode: 'webhook', webhookUrl: `http://127.0.0.1:${await closedPort()}/hook` }] });

    const finished = await lockdown(clientIp, [victim.id]);
    expect(finished).toMatchObject({ status: 'completed', progress: { locked: 1, failed: 0 } });
    expect(await notificationsSettled(finished.id)).toEqual([{ delivered: 0, failed: 1 }]);

    const failed = await api.get(`/api/v1/notification_deliveries?status=failed&lockdownId=${finished.id}`);
    expect(failed.body.items).toHaveLength(1);
    expect(failed.body.items[0]).toMatchObject({ mode: 'webhook', status: 'failed', attempts: MAX_ATTEMPTS, deliveredAt: null });
    // The fixed vocabulary of lib/outbound-http.ts, never the socket's own error text.
    expect(failed.body.items[0].lastError).toBe('The webhook could not be reached (connection refused).');
    // The lockdown was over long before the notification was given up.
    expect(new Date(finished.completedAt).getTime()).toBeLessThan(new Date(failed.body.items[0].updatedAt).getTime());
  });

  it('when email is not configured, then an email delivery fails at once with an error naming SMTP_HOST', async () => {
    const member = await createUser(stack.db);
    const transport = await stack.db.notificationTransport.create({ data: { name: uniqueName('email'), mode: 'email' } });
    const rule = await stack.db.notificationRule.create({ data: { name: uniqueName('rule'), severity: 'notice', transports: { connect: { id: transport.id } } } });
    const event = await stack.db.event.create({ data: { action: 'account_lockdown_triggered', actorSnapshot: { id: null, username: 'admin' }, context: {} } });
    const delivery = await stack.db.notificationDelivery.create({
      data: { eventId: event.id, ruleId: rule.id, transportId: transport.id, recipient: member.email },
    });
    const activities = createNotificationActivities(stack.db, { ...stack.config, SMTP_HOST: undefined }, createLogger('silent'));

    const environment = new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') });
    await expect(environment.run(activities.sendEmail, { deliveryId: delivery.id })).rejects.toMatchObject({
      nonRetryable: true,
      message: expect.stringContaining('SMTP_HOST'),
    });
    expect(await stack.db.notificationDelivery.findUniqueOrThrow({ where: { id: delivery.id } })).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: expect.stringContaining('SMTP_HOST'),
    });
  });
});

describe('one alert per lockdown', () => {
  it('when a rule alerts per lockdown (the default), then a 3-user lockdown is one webhook call, one email per recipient and one inbox notification: who asked, why, the counts, the link', async () => {
    const clientIp = nextClientIp();
    const users = [await createUser(stack.db), await createUser(stack.db), await createUser(stack.db)];
    const member = await createUser(stack.db, { password: 'member-password' });
    const path = `/hooks/${randomUUID()}`;
    const { ruleName } = await alerting({
      clientIp,
      alertPer: 'lockdown',
      members: [member.id],
      transports: [{ mode: 'webhook', webhookUrl: webhooks.url(path) }, { mode: 'email' }, { mode: 'local' }],
    });
    const rule = (await api.get('/api/v1/notification_rules?limit=500')).body.items.find((item: { name: string }) => item.name === ruleName);
    expect(rule.alertPer).toBe('lockdown');

    const finished = await lockdown(clientIp, users.map((user) => user.id));
    const { summary, delivered } = await summarySettled(finished.id);
    expect(delivered).toEqual({ delivered: 3, failed: 0 });
    expect(summary.context).toMatchObject({
      lockdown_id: finished.id,
      status: 'completed',
      reason: 'suspicious sign-ins',
      requested_by: { username: 'admin' },
      target_count: 3,
      locked: 3,
      failed: 0,
      contained: 3,
      per_user_events: { account_lockdown_triggered: 3 },
    });
    // The per-user events are still written, and notify this rule not at all.
    const perUser = await stack.db.event.findMany({ where: { lockdownId: finished.id, action: 'account_lockdown_triggered' } });
    expect(perUser).toHaveLength(3);
    for (const event of perUser) {
      await expect(stack.temporal.workflow.getHandle(notificationWorkflowId(event.id)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    }

    const [call, ...more] = webhooks.calls(path);
    expect(more).toHaveLength(0);
    expect(call.body).toMatchObject({ action: ACCOUNT_LOCKDOWN_FINISHED, lockdownId: finished.id, link: `${publicUrl(stack.config)}/lockdowns/${finished.id}`, rule: ruleName });
    const [email, ...moreEmails] = smtp.messagesTo(member.email);
    expect(moreEmails).toHaveLength(0);
    expect(email.header('Subject')).toBe('[alert] Lockdown completed — 3 users: 3 locked');
    const memberKey = await login(stack, member.username, 'member-password');
    const inbox = (await api.get('/api/v1/me/notifications', memberKey)).body.items;
    expect(inbox).toHaveLength(1);
    expect(inbox[0]).toMatchObject({ lockdownId: finished.id, title: '[alert] Lockdown completed — 3 users: 3 locked' });
    expect(inbox[0].body.split('\n')[0]).toBe('admin locked down 3 users: 3 locked; contained 3/3. Reason: suspicious sign-ins');
  });

  it('when one rule alerts per user and another per lockdown, then each gets its own; the inbox groups a lockdown’s alerts, and "mark all seen" clears them', async () => {
    const clientIp = nextClientIp();
    const users = [await createUser(stack.db), await createUser(stack.db), await createUser(stack.db)];
    const analyst = await createUser(stack.db, { password: 'analyst-password' });
    await alerting({ clientIp, alertPer: 'user', members: [analyst.id], transports: [{ mode: 'local' }] });
    await alerting({ clientIp, alertPer: 'lockdown', members: [analyst.id], transports: [{ mode: 'local' }] });

    const finished = await lockdown(clientIp, users.map((user) => user.id));
    expect(await notificationsSettled(finished.id)).toEqual([
      { delivered: 1, failed: 0 },
      { delivered: 1, failed: 0 },
      { delivered: 1, failed: 0 },
    ]);
    expect((await summarySettled(finished.id)).delivered).toEqual({ delivered: 1, failed: 0 });
    const key = await login(stack, analyst.username, 'analyst-password');
    expect((await api.get('/api/v1/me/notifications', key)).body.items).toHaveLength(4);
    const groups = (await api.get('/api/v1/me/notifications/groups', key)).body.items;
    expect(groups).toEqual([expect.objectContaining({ lockdownId: finished.id, count: 4, unseen: 4 })]);
    expect((await api.get(`/api/v1/me/notifications?lockdownId=${finished.id}&limit=2`, key)).body.nextCursor).not.toBeNull();

    const marked = await api.post('/api/v1/me/notifications/seen', {}, key);
    expect(marked.body).toEqual({ marked: 4 });
    expect((await api.get('/api/v1/me/notifications?seen=false', key)).body.items).toEqual([]);
    expect((await api.get('/api/v1/me/notifications/groups', key)).body.items[0]).toMatchObject({ count: 4, unseen: 0 });
  });
});

describe('notification configuration API', () => {
  it('when bodies are invalid or name unknown ids, then the answer is 400 naming the field', async () => {
    const noUrl = await api.post('/api/v1/notification_transports', { name: uniqueName('t'), mode: 'webhook' });
    expect(noUrl.status).toBe(400);
    expect(noUrl.body.error.details.map((detail: { field: string }) => detail.field)).toContain('body.webhookUrl');
    const ftp = await api.post('/api/v1/notification_transports', { name: uniqueName('t'), mode: 'webhook', webhookUrl: 'ftp://example.test/x' });
    expect(ftp.status).toBe(400);
    const localWithUrl = await api.post('/api/v1/notification_transports', { name: uniqueName('t'), mode: 'local', webhookUrl: 'https://example.test' });
    expect(localWithUrl.status).toBe(400);
    const noCriteria = await api.post('/api/v1/policies/event_matcher', { name: uniqueName('p') });
    expect(noCriteria.status).toBe(400);
    const badIp = await api.post('/api/v1/policies/event_matcher', { name: uniqueName('p'), clientIp: 'not-an-ip' });
    expect(badIp.body.error.details[0].field).toBe('body.clientIp');
    const unknownAction = await api.post('/api/v1/policies/event_matcher', { name: uniqueName('p'), action: 'account_lockdown_triggerd' });
    expect(unknownAction.status).toBe(400);
    expect(unknownAction.body.error.details[0].field).toBe('body.action');

    const local = await created(api.post('/api/v1/notification_transports', { name: uniqueName('t'), mode: 'local' }));
    const unknown = await api.post('/api/v1/notification_rules', {
      name: uniqueName('r'),
      severity: 'notice',
      destinationGroupId: randomUUID(),
      transportIds: [local, 'not-a-uuid'],
      policyIds: [randomUUID()],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details.map((detail: { field: string }) => detail.field)).toEqual([
      'body.destinationGroupId',
      'body.transportIds.1',
      'body.policyIds.0',
    ]);

    expect((await api.post('/api/v1/groups/not-a-uuid/members', { userId: randomUUID() })).status).toBe(404);
    const group = await created(api.post('/api/v1/groups', { name: uniqueName('g') }));
    const unknownUser = await api.post(`/api/v1/groups/${group}/members`, { userId: 'nobody' });
    expect(unknownUser.status).toBe(400);
    expect(unknownUser.body.error.details[0].field).toBe('body.userId');
    const forgedCursor = Buffer.from(JSON.stringify({ createdAt: 'x', id: 'y' })).toString('base64url');
    expect((await api.get(`/api/v1/notification_deliveries?cursor=${forgedCursor}`)).status).toBe(400);
  });

  it('when a name is taken, then creating another is a 409', async () => {
    const name = uniqueName('g');
    expect((await api.post('/api/v1/groups', { name })).status).toBe(201);
    expect((await api.post('/api/v1/groups', { name })).status).toBe(409);
  });

  it('when a user without change_user configures alerting, then it is refused', async () => {
    const user = await createUser(stack.db, { password: 'plain-user-password' });
    const session = await login(stack, user.username, 'plain-user-password');
    expect((await api.post('/api/v1/groups', { name: uniqueName('g') }, session)).status).toBe(403);
    expect((await api.get('/api/v1/notification_rules', session)).status).toBe(403);
    expect((await api.get('/api/v1/notification_deliveries', session)).status).toBe(403);
    expect((await api.get('/api/v1/me/notifications', session)).status).toBe(200);
  });

  it('lists what was configured, page by page', async () => {
    await created(api.post('/api/v1/groups', { name: uniqueName('g') }));
    await created(api.post('/api/v1/groups', { name: uniqueName('g') }));
    const first = await api.get('/api/v1/groups?limit=1');
    expect(first.body.items).toHaveLength(1);
    const second = await api.get(`/api/v1/groups?limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.items[0].id).not.toBe(first.body.items[0].id);
  });
});

describe('event matcher policies accept every declared event action', () => {
  it('when a policy names any action GET /events/actions lists (approval requests included), then it is created', async () => {
    const actions = (await api.get('/api/v1/events/actions')).body.items as { action: string }[];
    for (const { action } of actions) {
      expect((await api.post('/api/v1/policies/event_matcher', { name: uniqueName('p'), action })).status).toBe(201);
    }
    expect(actions.map(({ action }) => action)).toContain('account_lockdown_approval_requested');
  });
});

describe('the outbound address policy (webhooks)', () => {
  it('when a webhook URL names a loopback, private, link-local, metadata or unique-local address, or carries user info, whitespace or a backslash, then it is refused naming body.webhookUrl', async () => {
    const refused = [
      'http://[::1]:8080/hook',
      'http://2130706433/hook', // 127.0.0.1 in decimal: allowed here, so…
      'http://0x7f000002/hook', // …127.0.0.2 in hex, which is not
      'http://10.0.0.8/hook',
      'http://192.168.1.1/hook',
      'http://100.64.0.1/hook',
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00:ec2::254]/latest/meta-data/',
      'http://[::ffff:10.0.0.1]/hook',
      'http://0.0.0.0/hook',
      'http://224.0.0.1/hook',
      ' https://hooks.example.test/x',
      'http://hooks.example.test\\@127.0.0.1/',
      'https://user:pass@hooks.example.test/x',
      'https://@hooks.example.test/x',
      'https://hooks.example.test/a b',
      'file:///etc/passwd',
    ];
    const answers: Record<string, number> = {};
    for (const webhookUrl of refused) {
      const response = await api.post('/api/v1/notification_transports', { name: uniqueName('t'), mode: 'webhook', webhookUrl });
      answers[webhookUrl] = response.status;
      if (response.status === 400) expect(response.body.error.details.map((detail: { field: string }) => detail.field)).toContain('body.webhookUrl');
    }
    // 127.0.0.1 is this file's allowance (OUTBOUND_ALLOWED_DESTINATIONS), whatever its spelling: stored normalised.
    expect(answers).toEqual({ ...Object.fromEntries(refused.map((url) => [url, 400])), 'http://2130706433/hook': 201 });
    const stored = await stack.db.notificationTransport.findMany({ where: { webhookUrl: { contains: '2130706433' } } });
    expect(stored).toEqual([]);

    const clean = await api.post('/api/v1/notification_transports', { name: uniqueName('t'), mode: 'webhook', webhookUrl: 'HTTPS://Hooks.Example.TEST:443/x/../y?q=1#frag' });
    expect(clean.status).toBe(201);
    expect(clean.body.webhookUrl).toBe('https://hooks.example.test/y?q=1');
  });

  it('when a webhook host resolves to a refused address at send time, or a stored URL names one, then nothing is sent and the delivery records only "address not allowed"', async () => {
    // The worker of this test runs without the file's allowance: loopback is refused, as in production.
    const activities = createNotificationActivities(stack.db, { ...stack.config, OUTBOUND_ALLOWED_DESTINATIONS: '' }, createLogger('silent'));
    const environment = new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') });
    const port = new URL(webhooks.url('/')).port;
    const rule = await stack.db.notificationRule.create({ data: { name: uniqueName('rule'), severity: 'notice' } });
    const event = await stack.db.event.create({ data: { action: 'account_lockdown_triggered', actorSnapshot: { id: null, username: 'admin' }, context: {} } });
    // A host name is accepted when written (it is judged when sent); a literal stored before the policy existed is judged when sent too.
    for (const target of [`http://localhost:${port}`, `http://127.0.0.1:${port}`, `http://[::1]:${port}`]) {
      const path = `/hooks/${randomUUID()}`;
      const transport = await stack.db.notificationTransport.create({ data: { name: uniqueName('webhook'), mode: 'webhook', webhookUrl: `${target}${path}` } });
      const delivery = await stack.db.notificationDelivery.create({ data: { eventId: event.id, ruleId: rule.id, transportId: transport.id, recipient: 'webhook' } });
      await expect(environment.run(activities.deliverWebhook, { deliveryId: delivery.id })).rejects.toThrow();
      expect(webhooks.calls(path)).toEqual([]);
      expect(await stack.db.notificationDelivery.findUniqueOrThrow({ where: { id: delivery.id } })).toMatchObject({
        status: 'pending',
        lastError: 'The webhook could not be reached (address not allowed).',
      });
    }
  });
});
