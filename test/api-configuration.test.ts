import { randomUUID } from 'node:crypto';
import { EVENT_ACTIONS } from '../domain/events';
import { DEFAULT_LOCKDOWN_FLOW } from '../prisma/seed';
import { createBrand } from './support/flows';
import { privateDatabase } from './support/private-database';
import { addToken, adminSession, bearer, createManyUsers, createUser, startStack, uniqueName, type Stack } from './support/stack';

/**
 * The configuration API: security settings (approval, the lockdown actions, a flow's
 * authentication, a brand's lockdown flow and its stages) are superuser-only; every change is
 * in the audit log with its diff, secrets masked; the brand serving a request is never picked
 * by a caller to weaken a lockdown; prompt HTML is sanitised by the server; event actions are
 * one table, served and enforced.
 */
let stack: Stack;
let admin: string;
/** A second admin holding change_user globally, not a superuser. */
let configurer: { id: string; key: string };

const THRESHOLD = '5';

beforeAll(async () => {
  stack = await startStack({ LOCKDOWN_APPROVAL_THRESHOLD: THRESHOLD, LOCKDOWN_APPROVAL_TIMEOUT_SECONDS: '600' });
  admin = await adminSession(stack);
  configurer = await identity(stack, [['change_user', null]]);
});
afterAll(() => stack?.stop());

async function identity(on: Stack, grants: [string, string | null][]) {
  const user = await createUser(on.db);
  for (const [permission, targetUserId] of grants) await on.db.permission.create({ data: { userId: user.id, permission: permission as 'change_user', targetUserId } });
  return { id: user.id, key: await addToken(on.db, user.id, 'api') };
}

const as = (key: string, on = stack) => ({
  get: (path: string) => on.http.get(path).set(bearer(key)),
  post: (path: string, body: object, host?: string) => (host ? on.http.post(path).set('Host', host) : on.http.post(path)).set(bearer(key)).send(body),
  patch: (path: string, body: object) => on.http.patch(path).set(bearer(key)).send(body),
  delete: (path: string) => on.http.delete(path).set(bearer(key)),
});

/** The brand of `host`, its lockdown flow and that flow's bindings. */
async function brandOf(on: Stack, host: string) {
  const brand = await on.db.brand.findUniqueOrThrow({ where: { domain: host }, include: { flowLockdown: { include: { bindings: { include: { stage: true }, orderBy: { order: 'asc' } } } } } });
  const flow = brand.flowLockdown!;
  const lockdownStage = flow.bindings.find((binding) => binding.stage.kind === 'account_lockdown')!.stage;
  const promptBinding = flow.bindings.find((binding) => binding.stage.kind === 'prompt')!;
  return { brand, flow, lockdownStage, promptBinding };
}

/** The configuration events about one object, oldest first. */
async function configurationEvents(modelId: string) {
  const events = await stack.db.event.findMany({ where: { context: { path: ['model_id'], equals: modelId } }, orderBy: { createdAt: 'asc' } });
  return events.map((event) => ({ action: event.action, actor: (event.actorSnapshot as { username: string }).username, context: event.context as Record<string, unknown> }));
}

describe('security settings are changed by superusers only', () => {
  it('when a global change_user holder turns requireApproval off, then 403, the stage is unchanged, and their next bulk lockdown still waits for approval', async () => {
    const { host } = await createBrand(stack.db, { requireApproval: true });
    const { lockdownStage } = await brandOf(stack, host);
    const mine = as(configurer.key);

    const off = await mine.patch(`/api/v1/stages/account_lockdown/${lockdownStage.id}`, { requireApproval: false });
    expect(off.status).toBe(403);
    expect(off.body.error.message).toMatch(/superuser/);
    for (const change of [{ deleteSessions: false }, { revokeTokens: false }, { deactivateUser: false }, { setUnusablePassword: false }]) {
      expect((await mine.patch(`/api/v1/stages/account_lockdown/${lockdownStage.id}`, change)).status).toBe(403);
    }
    expect(await stack.db.accountLockdownStage.findUniqueOrThrow({ where: { stageId: lockdownStage.id } })).toMatchObject({
      requireApproval: true, deactivateUser: true, setUnusablePassword: true, deleteSessions: true, revokeTokens: true,
    });
    // The rest of the stage stays change_user's, and restating a setting is no change of it.
    const title = `Locked ${randomUUID().slice(0, 6)}`;
    expect((await mine.patch(`/api/v1/stages/account_lockdown/${lockdownStage.id}`, { selfServiceMessageTitle: title, requireApproval: true })).status).toBe(200);

    const users = await createManyUsers(stack.db, Number(THRESHOLD) + 1);
    const bulk = await mine.post('/api/v1/lockdowns', { users, reason: 'phishing wave' }, host);
    expect(bulk.status).toBe(201);
    expect(bulk.body.status).toBe('awaiting_approval');
    expect(await stack.db.user.count({ where: { id: { in: users }, isActive: false } })).toBe(0);
    expect((await as(admin).post(`/api/v1/lockdowns/${bulk.body.id}/reject`, { comment: 'test over' })).status).toBe(200);

    const superuserOff = await as(admin).patch(`/api/v1/stages/account_lockdown/${lockdownStage.id}`, { requireApproval: false });
    expect(superuserOff.status).toBe(200);
    const events = await configurationEvents(lockdownStage.id);
    expect(events.map(({ action, actor }) => [action, actor])).toEqual([
      ['model_updated', (await stack.db.user.findUniqueOrThrow({ where: { id: configurer.id } })).username],
      ['model_updated', 'admin'],
    ]);
    expect(events[0].context.diff).toEqual({ selfServiceMessageTitle: { from: 'Your account has been locked', to: title } });
    expect(events[1].context).toMatchObject({ model: 'account_lockdown_stage', diff: { requireApproval: { from: true, to: false } } });
  });

  it('when a global change_user holder lifts a flow’s require_superuser, then 403; its title is theirs to change; a superuser may, audited', async () => {
    const mine = as(configurer.key);
    const slug = uniqueName('guarded');
    expect((await mine.post('/api/v1/flows', { slug, name: 'Guarded', title: 'Guarded', authentication: 'require_superuser' })).status).toBe(201);
    expect((await mine.patch(`/api/v1/flows/${slug}`, { authentication: 'require_authenticated' })).status).toBe(403);
    expect((await mine.patch(`/api/v1/flows/${slug}`, { title: 'Still guarded' })).status).toBe(200);
    expect((await stack.db.flow.findUniqueOrThrow({ where: { slug } })).authentication).toBe('require_superuser');
    expect((await as(admin).patch(`/api/v1/flows/${slug}`, { authentication: 'require_authenticated' })).body.authentication).toBe('require_authenticated');
    const flow = await stack.db.flow.findUniqueOrThrow({ where: { slug } });
    expect((await configurationEvents(flow.id)).map(({ action, context }) => [action, context.diff])).toEqual([
      ['model_created', { slug: { from: null, to: slug }, name: { from: null, to: 'Guarded' }, title: { from: null, to: 'Guarded' }, designation: { from: null, to: 'stage_configuration' }, authentication: { from: null, to: 'require_superuser' } }],
      ['model_updated', { title: { from: 'Guarded', to: 'Still guarded' } }],
      ['model_updated', { authentication: { from: 'require_superuser', to: 'require_authenticated' } }],
    ]);
  });

  it('when a global change_user holder changes which flow a brand locks down with, or the stages of that flow, then 403; the same on a flow no brand uses is allowed', async () => {
    const mine = as(configurer.key);
    const { host } = await createBrand(stack.db);
    const { brand, flow, promptBinding } = await brandOf(stack, host);
    const spare = (await stack.db.stage.create({ data: { name: uniqueName('spare'), kind: 'prompt' } })).id;

    expect((await mine.patch(`/api/v1/brands/${brand.id}`, { flowLockdown: DEFAULT_LOCKDOWN_FLOW })).status).toBe(403);
    expect((await mine.patch(`/api/v1/brands/${brand.id}`, { flowLockdown: null })).status).toBe(403);
    expect((await mine.delete(`/api/v1/flows/${flow.slug}/bindings/${promptBinding.id}`)).status).toBe(403);
    expect((await mine.post(`/api/v1/flows/${flow.slug}/bindings`, { stageId: spare, order: 5 })).status).toBe(403);
    expect((await mine.delete(`/api/v1/stages/prompt/${promptBinding.stageId}`)).status).toBe(403);
    expect((await mine.delete(`/api/v1/flows/${flow.slug}`)).status).toBe(403);
    const after = await brandOf(stack, host);
    expect([after.brand.flowLockdownId, after.flow.bindings.length]).toEqual([flow.id, flow.bindings.length]);

    const unused = uniqueName('unused');
    expect((await mine.post('/api/v1/flows', { slug: unused, name: 'Unused', title: 'Unused' })).status).toBe(201);
    const bound = await mine.post(`/api/v1/flows/${unused}/bindings`, { stageId: spare, order: 0 });
    expect(bound.status).toBe(201);
    expect((await mine.delete(`/api/v1/flows/${unused}/bindings/${bound.body.id}`)).status).toBe(204);
    expect((await mine.delete(`/api/v1/flows/${unused}`)).status).toBe(204);

    expect((await as(admin).patch(`/api/v1/brands/${brand.id}`, { flowLockdown: DEFAULT_LOCKDOWN_FLOW })).body.flowLockdown).toBe(DEFAULT_LOCKDOWN_FLOW);
    expect((await configurationEvents(brand.id)).map(({ action, actor, context }) => [action, actor, context.diff])).toEqual([
      ['model_updated', 'admin', { flowLockdown: { from: flow.slug, to: DEFAULT_LOCKDOWN_FLOW } }],
    ]);
  });
});

describe('every configuration change is in the audit log', () => {
  it('when alerting and receivers are configured, then each change writes its model_* event with the fields, secrets only as set; a refused change writes none', async () => {
    const api = as(admin);
    const secret = `whsec-${randomUUID()}`;
    const header = `Bearer ${randomUUID()}`;
    const member = await createUser(stack.db);
    const group = (await api.post('/api/v1/groups', { name: uniqueName('team') })).body;
    expect((await api.post(`/api/v1/groups/${group.id}/members`, { userId: member.id })).status).toBe(201);
    const policy = (await api.post('/api/v1/policies/event_matcher', { name: uniqueName('p'), action: 'account_lockdown_approval_requested' })).body;
    const transport = (await api.post('/api/v1/notification_transports', { name: uniqueName('t'), mode: 'webhook', webhookUrl: 'https://hooks.example.test/in', webhookSecret: secret })).body;
    const rule = (await api.post('/api/v1/notification_rules', { name: uniqueName('r'), severity: 'alert', destinationGroupId: group.id, transportIds: [transport.id], policyIds: [policy.id] })).body;
    const receiver = (await api.post('/api/v1/ssf_receivers', { name: uniqueName('rx'), endpointUrl: 'https://app.example.test/ssf', audience: 'app', authorizationHeader: header, enabled: false })).body;
    expect((await api.patch(`/api/v1/ssf_receivers/${receiver.id}`, { authorizationHeader: `Bearer ${randomUUID()}`, audience: 'app-2' })).status).toBe(200);
    expect((await api.delete(`/api/v1/ssf_receivers/${receiver.id}`)).status).toBe(204);
    expect((await api.post('/api/v1/groups', { name: group.name })).status).toBe(409);

    const summary = async (id: string) => (await configurationEvents(id)).map(({ action, context }) => [action, context.model, context.diff]);
    expect(await summary(group.id)).toEqual([['model_created', 'group', { name: { from: null, to: group.name } }]]);
    expect(await summary(`${group.id}:${member.id}`)).toEqual([['model_created', 'group_member', { group: { from: null, to: group.name }, user: { from: null, to: member.username } }]]);
    expect(await summary(policy.id)).toEqual([['model_created', 'event_matcher_policy', { name: { from: null, to: policy.name }, action: { from: null, to: 'account_lockdown_approval_requested' } }]]);
    expect(await summary(transport.id)).toEqual([
      ['model_created', 'notification_transport', { name: { from: null, to: transport.name }, mode: { from: null, to: 'webhook' }, webhookUrl: { from: null, to: 'https://hooks.example.test/in' }, webhookSecret: { from: null, to: '(secret)' } }],
    ]);
    expect(await summary(rule.id)).toEqual([
      ['model_created', 'notification_rule', { name: { from: null, to: rule.name }, severity: { from: null, to: 'alert' }, alertPer: { from: null, to: 'lockdown' }, destinationGroupId: { from: null, to: group.id }, transportIds: { from: null, to: [transport.id] }, policyIds: { from: null, to: [policy.id] } }],
    ]);
    const receiverEvents = await summary(receiver.id);
    expect(receiverEvents.map(([action]) => action)).toEqual(['model_created', 'model_updated', 'model_deleted']);
    expect(receiverEvents[1][2]).toEqual({ audience: { from: 'app', to: 'app-2' }, authorizationHeader: { from: '(secret)', to: '(secret)' } });
    // No event anywhere carries a secret's value.
    const all = JSON.stringify(await stack.db.event.findMany({ where: { action: { in: ['model_created', 'model_updated', 'model_deleted'] } } }));
    expect(all).not.toContain(secret);
    expect(all).not.toContain(header.slice(7));
    expect(await stack.db.event.count({ where: { action: 'model_created', context: { path: ['name'], equals: group.name } } })).toBe(1);
  });

  it('when stages and bindings are created, changed and deleted, then each change has its event with the fields that changed', async () => {
    const api = as(admin);
    const slug = uniqueName('audited');
    expect((await api.post('/api/v1/flows', { slug, name: 'Audited', title: 'Audited' })).status).toBe(201);
    const prompt = (await api.post('/api/v1/stages/prompt', { name: uniqueName('prompt'), fields: [{ fieldKey: 'reason', type: 'text_area', required: true }] })).body;
    expect((await api.patch(`/api/v1/stages/prompt/${prompt.id}`, { fields: [{ fieldKey: 'reason', type: 'text_area', required: false }] })).status).toBe(200);
    const stage = (await api.post('/api/v1/stages/account_lockdown', { name: uniqueName('lock'), deleteSessions: false })).body;
    const binding = (await api.post(`/api/v1/flows/${slug}/bindings`, { stageId: stage.id, order: 10 })).body;
    expect((await api.delete(`/api/v1/flows/${slug}/bindings/${binding.id}`)).status).toBe(204);
    expect((await api.delete(`/api/v1/stages/account_lockdown/${stage.id}`)).status).toBe(204);
    expect((await api.delete(`/api/v1/stages/prompt/${prompt.id}`)).status).toBe(204);
    expect((await api.delete(`/api/v1/flows/${slug}`)).status).toBe(204);

    const promptEvents = await configurationEvents(prompt.id);
    expect(promptEvents.map(({ action }) => action)).toEqual(['model_created', 'model_updated', 'model_deleted']);
    expect(Object.keys(promptEvents[1].context.diff as object)).toEqual(['fields']);
    const stageEvents = await configurationEvents(stage.id);
    expect(stageEvents.map(({ action }) => action)).toEqual(['model_created', 'model_deleted']);
    expect(stageEvents[0].context.diff).toMatchObject({ deleteSessions: { from: null, to: false }, requireApproval: { from: null, to: false } });
    expect((await configurationEvents(binding.id)).map(({ action, context }) => [action, context.model, context.diff])).toEqual([
      ['model_created', 'flow_stage_binding', { flow: { from: null, to: slug }, stage: { from: null, to: stage.name }, order: { from: null, to: 10 }, condition: { from: null, to: 'always' } }],
      ['model_deleted', 'flow_stage_binding', { flow: { from: slug, to: null }, stage: { from: stage.name, to: null }, order: { from: 10, to: null }, condition: { from: 'always', to: null } }],
    ]);
  });
});

describe('the brand serving a request', () => {
  it('when LOCKDOWN_BRAND_FROM_HOST is off (the default), then a Host header naming another brand is ignored: the default brand’s flow runs', async () => {
    const plain = await startStack({ LOCKDOWN_BRAND_FROM_HOST: 'false' });
    try {
      const { host: weak } = await createBrand(plain.db, { requireApproval: false });
      const victim = await createUser(plain.db);
      const perUser = await identity(plain, [['change_user', victim.id]]);
      const started = await as(perUser.key, plain).post('/api/v1/lockdowns', { user: victim.id }, weak);
      expect(started.status).toBe(201);
      expect(started.body.flow.slug).toBe(DEFAULT_LOCKDOWN_FLOW);
      expect((await as(perUser.key, plain).post(`/api/v1/lockdowns/${started.body.id}/cancel`, {})).status).toBe(200);
    } finally {
      await plain.stop();
    }
  });

  it('when another brand’s flow is weaker than the default brand’s, then a caller picking it by Host still needs approval and the default’s authentication', async () => {
    // The default brand is changed here, so this test has a database of its own.
    const database = await privateDatabase();
    const own = await startStack({ DATABASE_URL: database.url, LOCKDOWN_APPROVAL_THRESHOLD: THRESHOLD, LOCKDOWN_APPROVAL_TIMEOUT_SECONDS: '600' });
    try {
      const defaultBrand = await own.db.brand.findFirstOrThrow({ where: { isDefault: true } });
      const { lockdownStage, flow: defaultFlow } = await brandOf(own, defaultBrand.domain);
      await own.db.accountLockdownStage.update({ where: { stageId: lockdownStage.id }, data: { requireApproval: true } });
      const { host: weak } = await createBrand(own.db, { requireApproval: false });
      const users = await createManyUsers(own.db, Number(THRESHOLD) + 1);
      const perUser = await identity(own, users.map((id) => ['change_user', id] as [string, string]));
      const caller = as(perUser.key, own);

      const bulk = await caller.post('/api/v1/lockdowns', { users, reason: 'phishing wave' }, weak);
      expect(bulk.status).toBe(201);
      expect(bulk.body.status).toBe('awaiting_approval');
      expect(await own.db.user.count({ where: { id: { in: users }, isActive: false } })).toBe(0);
      expect((await caller.post(`/api/v1/lockdowns/${bulk.body.id}/cancel`, {})).status).toBe(200);

      await own.db.flow.update({ where: { id: defaultFlow.id }, data: { authentication: 'require_superuser' } });
      for (const host of [defaultBrand.domain, weak]) {
        const single = await caller.post('/api/v1/lockdowns', { user: users[0], reason: 'stolen laptop' }, host);
        expect({ host, status: single.status }).toEqual({ host, status: 403 });
      }
      expect(await own.db.lockdown.count({ where: { actorId: perUser.id } })).toBe(1);
    } finally {
      await own.stop();
      await database.drop();
    }
  });
});

describe('prompt HTML', () => {
  it('when a template outputs raw HTML, then the API answers it sanitised; a stage’s self-service message is sanitised when written', async () => {
    const api = as(admin);
    const slug = uniqueName('public');
    expect((await api.post('/api/v1/flows', { slug, name: 'Public', title: 'Public', authentication: 'none' })).status).toBe(201);
    const initialValue = '<p>Hello <strong>there</strong></p>{{ "<img src=x onerror=alert(1)><script>alert(2)</script>" | raw }}<a href="javascript:alert(3)" onclick="x()">help</a><a href="https://help.example.test/">docs</a>';
    const prompt = (await api.post('/api/v1/stages/prompt', { name: uniqueName('html'), fields: [{ fieldKey: 'notice', type: 'alert_warning', order: 0, initialValue }, { fieldKey: 'reason', type: 'text', order: 1, initialValue: 'a < b' }] })).body;
    expect((await api.post(`/api/v1/flows/${slug}/bindings`, { stageId: prompt.id, order: 0 })).status).toBe(201);

    const executor = await stack.http.get(`/api/v1/flows/${slug}/executor`);
    expect(executor.status).toBe(200);
    const [notice, reason] = executor.body.stage.fields;
    expect(notice.initialValue).toBe('<p>Hello <strong>there</strong></p><a rel="noopener noreferrer">help</a><a href="https://help.example.test/" rel="noopener noreferrer">docs</a>');
    // Input values are values, not HTML.
    expect(reason.initialValue).toBe('a < b');

    const stage = await api.post('/api/v1/stages/account_lockdown', { name: uniqueName('lock'), selfServiceMessage: '<p>Call us</p><img src=x onerror=alert(1)>' });
    expect(stage.body.selfServiceMessage).toBe('<p>Call us</p>');
    expect((await api.patch(`/api/v1/stages/account_lockdown/${stage.body.id}`, { selfServiceMessage: '<b onmouseover="x()">Bold</b>' })).body.selfServiceMessage).toBe('<b>Bold</b>');
  });
});

describe('event actions: one table, served and enforced', () => {
  it('when a signed-in client reads GET /api/v1/events/actions, then it gets every action with its label and category', async () => {
    const response = await as(configurer.key).get('/api/v1/events/actions');
    expect(response.status).toBe(200);
    expect(response.body.items).toEqual(Object.entries(EVENT_ACTIONS).map(([action, { label, category }]) => ({ action, label, category })));
    expect((await stack.http.get('/api/v1/events/actions')).status).toBe(401);
  });

  it('when the events filter names an unknown action or category, then 400 names the field; filtering by category keeps only its actions', async () => {
    const api = as(admin);
    const unknown = await api.get('/api/v1/events?action=account_lockdown_triggerd');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details[0].field).toBe('query.action');
    expect((await api.get('/api/v1/events?category=nope')).body.error.details[0].field).toBe('query.category');

    expect((await api.post('/api/v1/groups', { name: uniqueName('for-the-filter') })).status).toBe(201);
    const configuration = await api.get('/api/v1/events?category=configuration&limit=100');
    expect(configuration.status).toBe(200);
    expect(configuration.body.items.length).toBeGreaterThan(0);
    expect(new Set(configuration.body.items.map((event: { action: string }) => event.action))).toEqual(
      new Set(configuration.body.items.map((event: { action: string }) => event.action).filter((action: string) => action.startsWith('model_'))),
    );
    const both = await api.get('/api/v1/events?category=lockdown&action=model_created');
    expect(both.body.items).toEqual([]);
  });
});
