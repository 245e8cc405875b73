import { createBrand } from './support/flows';
import { addSession, addToken, adminSession, bearer, createUser, login, startStack, uniqueName, waitForLockdown, type Stack } from './support/stack';

let stack: Stack;
let admin: string;

beforeAll(async () => {
  stack = await startStack();
  admin = await adminSession(stack);
});
afterAll(() => stack?.stop());

describe('authentication', () => {
  it('when login fails for any reason, then the answer is the same 401', async () => {
    const active = await createUser(stack.db, { password: 'right-password' });
    const inactive = await createUser(stack.db, { password: 'right-password' });
    await stack.db.user.update({ where: { id: inactive.id }, data: { isActive: false } });
    const noPassword = await createUser(stack.db);
    const attempts = [
      { username: active.username, password: 'wrong-password' },
      { username: uniqueName('nobody'), password: 'right-password' },
      { username: inactive.username, password: 'right-password' },
      { username: noPassword.username, password: 'right-password' },
    ];
    for (const attempt of attempts) {
      const response = await stack.http.post('/api/v1/auth/login').send(attempt);
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ error: { code: 'invalid_credentials', message: 'Invalid username or password.' } });
    }
  });

  it('when logged in, then the cookie works, logout ends the session, and expired sessions are refused', async () => {
    const user = await createUser(stack.db, { password: 'cookie-password' });
    const response = await stack.http.post('/api/v1/auth/login').send({ username: user.username, password: 'cookie-password' });
    const cookie = response.headers['set-cookie'][0].split(';')[0];
    expect(response.headers['set-cookie'][0]).toMatch(/HttpOnly/);
    expect((await stack.http.get('/api/v1/me').set('Cookie', cookie)).body.username).toBe(user.username);
    const { csrfToken } = (await stack.http.get('/api/v1/auth/csrf').set('Cookie', cookie)).body;
    expect((await stack.http.post('/api/v1/auth/logout').set('Cookie', cookie).set('X-CSRF-Token', csrfToken)).status).toBe(204);
    expect((await stack.http.get('/api/v1/me').set('Cookie', cookie)).status).toBe(401);
    const expired = await addSession(stack.db, user.id, { expired: true });
    expect((await stack.http.get('/api/v1/me').set(bearer(expired))).status).toBe(401);
  });

  it('when logins from one address exceed the limit, then 429', async () => {
    const limited = await startStack({ LOGIN_RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const statuses = [];
      for (let attempt = 0; attempt < 5; attempt++) {
        statuses.push((await limited.http.post('/api/v1/auth/login').send({ username: uniqueName(), password: 'x' })).status);
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
    } finally {
      await limited.stop();
    }
  });

  it('when 12 wrong passwords come from 12 addresses, then the user still logs in from theirs; one address is slowed per account and in all', async () => {
    const limited = await startStack({ TRUST_PROXY: 'loopback', LOGIN_RATE_LIMIT_PER_MINUTE: '6', LOGIN_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE: '3' });
    try {
      const victim = await createUser(limited.db, { password: 'the-right-password' });
      const attempt = (address: string, username: string, password: string) =>
        limited.http.post('/api/v1/auth/login').set('X-Forwarded-For', address).send({ username, password });
      const spread = [];
      for (let index = 1; index <= 12; index++) spread.push((await attempt(`203.0.113.${index}`, victim.username, 'wrong-password')).status);
      expect(spread).toEqual(Array(12).fill(401));
      expect((await attempt('198.51.100.7', victim.username, 'the-right-password')).status).toBe(200);

      // One address: 3 tries per account, then 429 for that account (the right password included)…
      const attacker = '192.0.2.99';
      const onVictim = [];
      for (let index = 0; index < 4; index++) onVictim.push((await attempt(attacker, victim.username, 'guess')).status);
      expect(onVictim).toEqual([401, 401, 401, 429]);
      expect((await attempt(attacker, victim.username, 'the-right-password')).status).toBe(429);
      // …other accounts go on until the address's own limit (6 a minute), then every login from it waits.
      const onOthers = [];
      for (let index = 0; index < 3; index++) onOthers.push((await attempt(attacker, uniqueName('nobody'), 'guess')).status);
      expect(onOthers).toEqual([401, 429, 429]);
      // The victim, from their own address, is not held up by any of it.
      expect((await attempt('198.51.100.7', victim.username, 'the-right-password')).status).toBe(200);
    } finally {
      await limited.stop();
    }
  });
});

describe('users, tokens and permissions', () => {
  it('lists and searches users, pages them, and lists sessions and tokens without keys', async () => {
    const prefix = uniqueName('search');
    const users = [];
    for (let index = 0; index < 3; index++) users.push(await createUser(stack.db, { username: `${prefix}-${index}` }));
    const first = await stack.http.get('/api/v1/users').query({ search: prefix, limit: 2 }).set(bearer(admin));
    expect(first.body.items.map((user: { username: string }) => user.username)).toEqual([`${prefix}-0`, `${prefix}-1`]);
    const second = await stack.http.get('/api/v1/users').query({ search: prefix, limit: 2, cursor: first.body.nextCursor }).set(bearer(admin));
    expect(second.body).toEqual({ items: [expect.objectContaining({ username: `${prefix}-2` })], nextCursor: null, total: 3 });

    await stack.db.user.update({ where: { id: users[2].id }, data: { isActive: false } });
    const locked = await stack.http.get('/api/v1/users').query({ search: prefix, isActive: 'false' }).set(bearer(admin));
    expect(locked.body.items.map((user: { id: string }) => user.id)).toEqual([users[2].id]);

    await addSession(stack.db, users[0].id);
    await addToken(stack.db, users[0].id, 'app_password');
    const sessions = await stack.http.get(`/api/v1/users/${users[0].id}/sessions`).set(bearer(admin));
    const tokens = await stack.http.get(`/api/v1/users/${users[0].id}/tokens`).set(bearer(admin));
    expect(sessions.body.items).toHaveLength(1);
    expect(tokens.body.items).toEqual([expect.objectContaining({ intent: 'app_password', expired: false })]);
    expect(JSON.stringify([sessions.body, tokens.body])).not.toMatch(/key/i);
  });

  it('when a user without change_user manages users, then 403; with a grant on one user, only that user', async () => {
    const manager = await createUser(stack.db, { password: 'manager-password' });
    const session = await login(stack, manager.username, 'manager-password');
    const [managed, other] = [await createUser(stack.db), await createUser(stack.db)];
    expect((await stack.http.get('/api/v1/users').set(bearer(session))).status).toBe(403);
    expect((await stack.http.post('/api/v1/users').set(bearer(session)).send({ username: uniqueName() })).status).toBe(403);

    const grant = await stack.http.post('/api/v1/permissions').set(bearer(admin)).send({ userId: manager.id, permission: 'change_user', targetUserId: managed.id });
    expect(grant.status).toBe(201);
    expect((await stack.http.get(`/api/v1/users/${managed.id}`).set(bearer(session))).status).toBe(200);
    expect((await stack.http.get(`/api/v1/users/${other.id}`).set(bearer(session))).status).toBe(403);
    expect((await stack.http.post('/api/v1/permissions').set(bearer(session)).send({ userId: manager.id, permission: 'view_audit' })).status).toBe(403);
    expect((await stack.http.delete(`/api/v1/permissions/${grant.body.id}`).set(bearer(admin))).status).toBe(204);
    expect((await stack.http.get(`/api/v1/users/${managed.id}`).set(bearer(session))).status).toBe(403);
  });

  it('when users create tokens, then only their own api and app_password tokens unless they hold change_user', async () => {
    const user = await createUser(stack.db, { password: 'token-password' });
    const session = await login(stack, user.username, 'token-password');
    const own = await stack.http.post('/api/v1/tokens').set(bearer(session)).send({ identifier: uniqueName('mine'), intent: 'api' });
    expect(own.status).toBe(201);
    expect(own.body.key).toEqual(expect.any(String));
    expect((await stack.http.post('/api/v1/tokens').set(bearer(session)).send({ identifier: uniqueName('r'), intent: 'recovery' })).status).toBe(403);
    const other = await createUser(stack.db);
    expect((await stack.http.post('/api/v1/tokens').set(bearer(session)).send({ identifier: uniqueName('o'), intent: 'api', userId: other.id })).status).toBe(403);
    expect((await stack.http.post('/api/v1/tokens').set(bearer(session)).send({ identifier: uniqueName('o'), intent: 'api', userId: 'nope' })).status).toBe(400);
    const stored = await stack.db.token.findUniqueOrThrow({ where: { id: own.body.id } });
    expect(stored.keyHash).not.toContain(own.body.key);
  });
});

/** Events of `action` whose `affected_user_id` is `userId`, oldest first. */
const eventsAbout = (action: string, userId: string) =>
  stack.db.event.findMany({ where: { action, context: { path: ['affected_user_id'], equals: userId } }, orderBy: { createdAt: 'asc' } });

describe('users I can manage', () => {
  it('when a help-desk admin holds change_user on some users, then the list shows exactly those, with the count of matches; search, isActive and paging work within them', async () => {
    const prefix = uniqueName('desk');
    const helpdesk = await createUser(stack.db, { password: 'helpdesk-password' });
    const key = await login(stack, helpdesk.username, 'helpdesk-password');
    const mine = [];
    for (let index = 0; index < 3; index++) mine.push(await createUser(stack.db, { username: `${prefix}-${index}` }));
    await createUser(stack.db, { username: `${prefix}-not-mine` });
    for (const user of mine) await stack.db.permission.create({ data: { userId: helpdesk.id, permission: 'change_user', targetUserId: user.id } });
    await stack.db.user.update({ where: { id: mine[2].id }, data: { isActive: false } });

    const first = await stack.http.get('/api/v1/users').query({ search: prefix, limit: 2 }).set(bearer(key));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ total: 3, items: [{ username: `${prefix}-0` }, { username: `${prefix}-1` }] });
    const second = await stack.http.get('/api/v1/users').query({ search: prefix, limit: 2, cursor: first.body.nextCursor }).set(bearer(key));
    expect(second.body).toEqual({ items: [expect.objectContaining({ username: `${prefix}-2` })], nextCursor: null, total: 3 });
    const inactive = await stack.http.get('/api/v1/users').query({ search: prefix, isActive: 'false' }).set(bearer(key));
    expect(inactive.body).toMatchObject({ total: 1, items: [{ id: mine[2].id }] });
    // A global holder sees everyone who matches.
    const all = await stack.http.get('/api/v1/users').query({ search: prefix }).set(bearer(admin));
    expect(all.body.total).toBe(4);
    // Without change_user on anybody: 403, as before.
    const plain = await createUser(stack.db, { password: 'plain-password' });
    expect((await stack.http.get('/api/v1/users').set(bearer(await login(stack, plain.username, 'plain-password')))).status).toBe(403);
  });
});

describe('administration is audited, in the same transaction as the change', () => {
  it('when a user is created and updated, then user_created and user_updated name the fields, never the password', async () => {
    const created = await stack.http.post('/api/v1/users').set(bearer(admin)).send({ username: uniqueName('audited'), name: 'First', password: 'a-secret-password' });
    expect(created.status).toBe(201);
    const [event] = await eventsAbout('user_created', created.body.id);
    expect(event.context).toMatchObject({ affected_user: created.body.username, diff: { name: { from: null, to: 'First' }, password: { from: null, to: '(secret)' } } });
    expect(JSON.stringify(event)).not.toContain('a-secret-password');
    await stack.http.patch(`/api/v1/users/${created.body.id}`).set(bearer(admin)).send({ name: 'Second' }).expect(200);
    const [updated] = await eventsAbout('user_updated', created.body.id);
    expect(updated.context).toMatchObject({ fields: ['name'], diff: { name: { from: 'First', to: 'Second' } } });
  });

  it('when a permission is granted and revoked, then who, to whom, which permission and the scope are recorded', async () => {
    const holder = await createUser(stack.db);
    const target = await createUser(stack.db);
    const granted = await stack.http.post('/api/v1/permissions').set(bearer(admin)).send({ userId: holder.id, permission: 'change_user', targetUserId: target.id });
    expect(granted.status).toBe(201);
    const global = await stack.http.post('/api/v1/permissions').set(bearer(admin)).send({ userId: holder.id, permission: 'view_audit' });
    await stack.http.delete(`/api/v1/permissions/${granted.body.id}`).set(bearer(admin)).expect(204);
    const grants = await eventsAbout('permission_granted', holder.id);
    expect(grants.map((event) => event.context)).toEqual([
      expect.objectContaining({ affected_user: holder.username, permission: 'change_user', scope: 'user', target_user_id: target.id, target_user: target.username, permission_id: granted.body.id }),
      expect.objectContaining({ permission: 'view_audit', scope: 'global', target_user_id: null, permission_id: global.body.id }),
    ]);
    expect((grants[0].actorSnapshot as { username: string }).username).toBe('admin');
    const [revoked] = await eventsAbout('permission_revoked', holder.id);
    expect(revoked.context).toMatchObject({ permission: 'change_user', scope: 'user', target_user_id: target.id, permission_id: granted.body.id });
  });

  it('when the audit event of a change cannot be written, then the change is not made either (one transaction)', async () => {
    const holder = await createUser(stack.db);
    const target = await createUser(stack.db);
    // This test's own trigger refuses the events about `holder` only (other tests run on).
    const name = `refuse_${uniqueName('audit').replace(/-/g, '_')}`;
    await stack.db.$executeRawUnsafe(`CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit log refused'; END $$`);
    await stack.db.$executeRawUnsafe(
      `CREATE TRIGGER ${name} BEFORE INSERT ON events FOR EACH ROW WHEN (NEW.context->>'affected_user_id' = '${holder.id}') EXECUTE FUNCTION ${name}()`,
    );
    try {
      const grant = await stack.http.post('/api/v1/permissions').set(bearer(admin)).send({ userId: holder.id, permission: 'change_user', targetUserId: target.id });
      expect(grant.status).toBeGreaterThanOrEqual(500);
      expect(await stack.db.permission.count({ where: { userId: holder.id } })).toBe(0);
      const rename = await stack.http.patch(`/api/v1/users/${holder.id}`).set(bearer(admin)).send({ name: 'Renamed without a trace' });
      expect(rename.status).toBeGreaterThanOrEqual(500);
      expect((await stack.db.user.findUniqueOrThrow({ where: { id: holder.id } })).name).not.toBe('Renamed without a trace');
    } finally {
      await stack.db.$executeRawUnsafe(`DROP TRIGGER IF EXISTS ${name} ON events`);
      await stack.db.$executeRawUnsafe(`DROP FUNCTION IF EXISTS ${name}()`);
    }
    // With the audit log back, the same grant is made and recorded.
    const granted = await stack.http.post('/api/v1/permissions').set(bearer(admin)).send({ userId: holder.id, permission: 'change_user', targetUserId: target.id });
    expect(granted.status).toBe(201);
    expect(await eventsAbout('permission_granted', holder.id)).toHaveLength(1);
  });

  it('when an admin ends a session and deletes a token (what the restore warning asks), then each is dead at once and audited', async () => {
    const user = await createUser(stack.db, { password: 'restored-password' });
    const session = await login(stack, user.username, 'restored-password');
    const token = await stack.http.post('/api/v1/tokens').set(bearer(admin)).send({ identifier: uniqueName('kept'), intent: 'api', userId: user.id });
    await stack.db.user.update({ where: { id: user.id }, data: { isActive: false } });
    const activated = await stack.http.post(`/api/v1/users/${user.id}/activate`).set(bearer(admin));
    expect(activated.body.warning).toContain(`DELETE /api/v1/users/${user.id}/sessions/`);
    expect((await stack.http.get('/api/v1/me').set(bearer(token.body.key))).status).toBe(200);

    const [listed] = (await stack.http.get(`/api/v1/users/${user.id}/sessions`).set(bearer(admin))).body.items;
    expect((await stack.http.delete(`/api/v1/users/${user.id}/sessions/${listed.id}`).set(bearer(admin))).status).toBe(204);
    expect((await stack.http.get('/api/v1/me').set(bearer(session))).status).toBe(401);
    expect((await stack.http.delete(`/api/v1/users/${user.id}/sessions/${listed.id}`).set(bearer(admin))).status).toBe(404);
    expect((await stack.http.delete(`/api/v1/tokens/${token.body.id}`).set(bearer(admin))).status).toBe(204);
    expect((await stack.http.get('/api/v1/me').set(bearer(token.body.key))).status).toBe(401);
    expect((await stack.http.delete(`/api/v1/tokens/${token.body.id}`).set(bearer(admin))).status).toBe(404);

    expect((await eventsAbout('session_deleted', user.id)).map((event) => event.context)).toEqual([expect.objectContaining({ session_id: listed.id })]);
    expect((await eventsAbout('token_deleted', user.id)).map((event) => event.context)).toEqual([expect.objectContaining({ token_id: token.body.id, intent: 'api' })]);
  });

  it('when someone without change_user on the owner ends a session or deletes a token, then refused without learning whether it exists; owners end their own', async () => {
    const owner = await createUser(stack.db, { password: 'owner-password' });
    const ownerKey = await login(stack, owner.username, 'owner-password');
    const stranger = await createUser(stack.db, { password: 'stranger-password' });
    const strangerKey = await login(stack, stranger.username, 'stranger-password');
    const ownToken = await stack.http.post('/api/v1/tokens').set(bearer(ownerKey)).send({ identifier: uniqueName('own'), intent: 'app_password' });
    const [ownSession] = (await stack.http.get(`/api/v1/users/${owner.id}/sessions`).set(bearer(ownerKey))).body.items;

    expect((await stack.http.delete(`/api/v1/tokens/${ownToken.body.id}`).set(bearer(strangerKey))).status).toBe(404);
    expect((await stack.http.delete('/api/v1/tokens/00000000-0000-4000-8000-000000000000').set(bearer(strangerKey))).status).toBe(404);
    expect((await stack.http.delete(`/api/v1/users/${owner.id}/sessions/${ownSession.id}`).set(bearer(strangerKey))).status).toBe(403);
    expect((await stack.http.get('/api/v1/me').set(bearer(ownerKey))).status).toBe(200);

    expect((await stack.http.delete(`/api/v1/tokens/${ownToken.body.id}`).set(bearer(ownerKey))).status).toBe(204);
    expect((await stack.http.delete(`/api/v1/users/${owner.id}/sessions/${ownSession.id}`).set(bearer(ownerKey))).status).toBe(204);
    expect((await stack.http.get('/api/v1/me').set(bearer(ownerKey))).status).toBe(401);
  });
});

describe('restoring access after a lockdown', () => {
  it('when a locked user gets a recovery link, redeems it and is activated, then they can log in again', async () => {
    const { host } = await createBrand(stack.db);
    const victim = await createUser(stack.db, { password: 'old-password' });
    const started = await stack.http.post('/api/v1/lockdowns').set('Host', host).set(bearer(admin)).send({ user: victim.id, reason: 'restore test' });
    await waitForLockdown(stack, admin, started.body.id);

    const inactive = await stack.http.get('/api/v1/users').query({ isActive: 'false', search: victim.username }).set(bearer(admin));
    expect(inactive.body.items.map((user: { id: string }) => user.id)).toEqual([victim.id]);

    const link = await stack.http.post(`/api/v1/users/${victim.id}/recovery_link`).set(bearer(admin));
    expect(link.status).toBe(201);
    expect(link.body.message).toMatch(/re-enrol their MFA/);
    expect(new Date(link.body.expiresAt).getTime()).toBeGreaterThan(Date.now());
    const token = new URL(link.body.link).hash.replace('#token=', '');
    const page = await stack.http.get(new URL(link.body.link).pathname);
    expect(page.status).toBe(200);
    // The console's page (its form is tested in a real browser, test/browser/console.test.ts).
    expect(page.type).toBe('text/html');
    expect(page.text).toContain('<div id="root">');

    expect((await stack.http.post('/api/v1/auth/recovery').send({ token, password: 'short' })).status).toBe(400);
    expect((await stack.http.post('/api/v1/auth/recovery').send({ token, password: 'brand-new-password' })).status).toBe(204);
    const reused = await stack.http.post('/api/v1/auth/recovery').send({ token, password: 'another-password' });
    expect(reused.status).toBe(400);
    expect(reused.body.error.code).toBe('invalid_token');

    // Still locked until an admin activates the account.
    expect((await stack.http.post('/api/v1/auth/login').send({ username: victim.username, password: 'brand-new-password' })).status).toBe(401);
    const activated = await stack.http.post(`/api/v1/users/${victim.id}/activate`).set(bearer(admin));
    expect(activated.body.isActive).toBe(true);
    expect((await stack.http.post('/api/v1/auth/login').send({ username: victim.username, password: 'brand-new-password' })).status).toBe(200);
    expect((await stack.http.post('/api/v1/auth/login').send({ username: victim.username, password: 'old-password' })).status).toBe(401);

    expect((await stack.http.post(`/api/v1/users/${victim.id}/set_password`).set(bearer(admin)).send({ password: 'set-by-admin-1' })).status).toBe(204);
    expect((await stack.http.post('/api/v1/auth/login').send({ username: victim.username, password: 'set-by-admin-1' })).status).toBe(200);
  });
});

describe('flow configuration and the executor', () => {
  it('creates a flow with stages through the API and shows the completion flow without a session', async () => {
    const completion = await stack.http.get('/api/v1/flows/default-account-lockdown-complete/executor');
    expect(completion.status).toBe(200);
    expect(completion.body.stage.fields[0]).toMatchObject({ type: 'alert_warning', initialValue: expect.stringContaining('Your account has been locked') });
    expect((await stack.http.get('/api/v1/flows/default-account-lockdown/executor')).status).toBe(401);

    const slug = uniqueName('flow');
    expect((await stack.http.post('/api/v1/flows').set(bearer(admin)).send({ slug, name: 'Mine', title: 'Mine', authentication: 'none' })).status).toBe(201);
    const prompt = await stack.http
      .post('/api/v1/stages/prompt')
      .set(bearer(admin))
      .send({ name: uniqueName('prompt'), fields: [{ fieldKey: 'notice', type: 'alert_info', initialValue: 'Hello {{ user.username | default: "guest" }}' }] });
    expect(prompt.status).toBe(201);
    const stage = await stack.http.post('/api/v1/stages/account_lockdown').set(bearer(admin)).send({ name: uniqueName('al'), revokeTokens: false, completionFlow: slug });
    expect(stage.body).toMatchObject({ revokeTokens: false, deactivateUser: true, completionFlow: slug });
    const patched = await stack.http.patch(`/api/v1/stages/account_lockdown/${stage.body.id}`).set(bearer(admin)).send({ completionFlow: null });
    expect(patched.body.completionFlow).toBeNull();
    expect((await stack.http.post(`/api/v1/flows/${slug}/bindings`).set(bearer(admin)).send({ stageId: prompt.body.id, order: 0 })).status).toBe(201);
    expect((await stack.http.post(`/api/v1/flows/${slug}/bindings`).set(bearer(admin)).send({ stageId: prompt.body.id, order: 0 })).status).toBe(409);
    expect((await stack.http.post(`/api/v1/flows/${slug}/bindings`).set(bearer(admin)).send({ stageId: 'nope', order: 5 })).body.error.details[0].field).toBe('body.stageId');
    const executor = await stack.http.get(`/api/v1/flows/${slug}/executor`);
    expect(executor.body.stage.fields[0].initialValue).toBe('Hello guest');
    expect((await stack.http.post('/api/v1/stages/account_lockdown').set(bearer(admin)).send({ name: uniqueName('al'), completionFlow: 'missing' })).body.error.details).toEqual([
      { field: 'body.completionFlow', message: 'unknown flow' },
    ]);
  });
});
