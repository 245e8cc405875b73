import { adminSession, bearer, createUser, startStack, type Stack } from './support/stack';

/**
 * What the web console needs from the server: its pages (the completion redirect opens one
 * without a session), CSRF protection of the cookie session, and the caller's capabilities.
 * The screens themselves are tested in a real browser (test/browser).
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.stop());

async function cookieSession(username: string, password: string) {
  const response = await stack.http.post('/api/v1/auth/login').send({ username, password });
  return response.headers['set-cookie'][0].split(';')[0] as string;
}

it('serves the console page at the completion redirect, without a session, as HTML', async () => {
  for (const path of ['/flows/default-account-lockdown-complete', '/', '/users/some-id', '/recovery']) {
    const response = await stack.http.get(path);
    expect({ path, status: response.status, type: response.type }).toEqual({ path, status: 200, type: 'text/html' });
    expect(response.text).toContain('<div id="root">');
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
  }
  // The page's data comes from the API, which answers the completion flow without a session too.
  const executor = await stack.http.get('/api/v1/flows/default-account-lockdown-complete/executor');
  expect(executor.status).toBe(200);
  expect(executor.body.stage.fields[0].initialValue).toContain('Your account has been locked.');
  // Other paths keep the API's JSON 404.
  const unknown = await stack.http.get('/no-such-page');
  expect(unknown.status).toBe(404);
  expect(unknown.body.error.code).toBe('not_found');
});

it('serves the built assets the page names', async () => {
  const page = await stack.http.get('/');
  const script = /src="(\/assets\/[^"]+\.js)"/.exec(page.text)?.[1];
  expect(script).toBeDefined();
  const asset = await stack.http.get(script!);
  expect(asset.status).toBe(200);
  expect(asset.type).toBe('text/javascript');
});

it('refuses a state-changing cookie request without the session’s CSRF token; Bearer clients need none', async () => {
  const user = await createUser(stack.db, { password: 'csrf-password' });
  const cookie = await cookieSession(user.username, 'csrf-password');
  // Reading needs no token.
  expect((await stack.http.get('/api/v1/me').set('Cookie', cookie)).status).toBe(200);
  const refused = await stack.http.post('/api/v1/lockdowns').set('Cookie', cookie).send({ reason: 'csrf' });
  expect(refused.status).toBe(403);
  expect(refused.body.error.code).toBe('csrf_failed');
  const wrong = await stack.http.post('/api/v1/auth/logout').set('Cookie', cookie).set('X-CSRF-Token', 'guessed');
  expect(wrong.status).toBe(403);
  // Nothing happened: the session still works and the user is active.
  expect((await stack.http.get('/api/v1/me').set('Cookie', cookie)).body.isActive).toBe(true);
  expect(await stack.db.lockdown.count({ where: { actorId: user.id } })).toBe(0);

  const { csrfToken } = (await stack.http.get('/api/v1/auth/csrf').set('Cookie', cookie)).body;
  const other = await cookieSession(user.username, 'csrf-password');
  const { csrfToken: otherToken } = (await stack.http.get('/api/v1/auth/csrf').set('Cookie', other)).body;
  expect(otherToken).not.toBe(csrfToken);
  // One session's token does not work for another.
  expect((await stack.http.post('/api/v1/auth/logout').set('Cookie', other).set('X-CSRF-Token', csrfToken)).status).toBe(403);
  expect((await stack.http.post('/api/v1/auth/logout').set('Cookie', cookie).set('X-CSRF-Token', csrfToken)).status).toBe(204);

  const key = (await stack.http.post('/api/v1/auth/login').send({ username: user.username, password: 'csrf-password' })).body.sessionKey;
  expect((await stack.http.post('/api/v1/auth/logout').set(bearer(key))).status).toBe(204);
  // A Bearer caller has no CSRF token to ask for.
  const bearerKey = await adminSession(stack);
  expect((await stack.http.get('/api/v1/auth/csrf').set(bearer(bearerKey))).status).toBe(400);
});

it('tells the caller what they may do, globally and on one user', async () => {
  const admin = await adminSession(stack);
  expect((await stack.http.get('/api/v1/me/capabilities').set(bearer(admin))).body).toEqual({
    changeUser: true,
    viewAudit: true,
    configure: true,
    changeSecuritySettings: true,
    grantPermissions: true,
    listUsers: true,
    listLockdowns: true,
    user: null,
  });
  const helpdesk = await createUser(stack.db, { password: 'helpdesk-password' });
  const target = await createUser(stack.db);
  const key = (await stack.http.post('/api/v1/auth/login').send({ username: helpdesk.username, password: 'helpdesk-password' })).body.sessionKey;
  await stack.http.post('/api/v1/permissions').set(bearer(admin)).send({ userId: helpdesk.id, permission: 'change_user', targetUserId: target.id }).expect(201);
  expect((await stack.http.get('/api/v1/me/capabilities').set(bearer(key))).body).toEqual({
    changeUser: false,
    viewAudit: false,
    configure: false,
    changeSecuritySettings: false,
    grantPermissions: false,
    // change_user on one user: the users list (theirs) and the lockdowns (the console's menu).
    listUsers: true,
    listLockdowns: true,
    user: null,
  });
  expect((await stack.http.get(`/api/v1/me/capabilities?user=${target.id}`).set(bearer(key))).body.changeUser).toBe(true);
});

it('tells the caller, per user, which account actions the API will allow them', async () => {
  const admin = await adminSession(stack);
  const helpdesk = await createUser(stack.db, { password: 'helpdesk-password' });
  const key = (await stack.http.post('/api/v1/auth/login').send({ username: helpdesk.username, password: 'helpdesk-password' })).body.sessionKey;
  const plain = await createUser(stack.db);
  const auditor = await createUser(stack.db);
  const robot = await createUser(stack.db, { type: 'service_account' });
  await stack.db.permission.create({ data: { userId: auditor.id, permission: 'view_audit' } });
  for (const target of [plain, auditor, robot]) await stack.db.permission.create({ data: { userId: helpdesk.id, permission: 'change_user', targetUserId: target.id } });
  const on = async (caller: string, userId: string) => (await stack.http.get(`/api/v1/me/capabilities?user=${userId}`).set(bearer(caller))).body.user;

  const everything = { edit: true, deactivate: true, activate: true, delete: true, setPassword: true, recoveryLink: true, createToken: true, lockdown: true, viewSessions: true, endSessions: true };
  const nothing = Object.fromEntries(Object.keys(everything).map((action) => [action, false]));
  expect(await on(key, plain.id)).toEqual(everything);
  // An account holding a permission: locked, seen and its credentials ended, but not changed or acted as.
  expect(await on(key, auditor.id)).toEqual({ ...nothing, lockdown: true, viewSessions: true, endSessions: true });
  // A service account has no password.
  expect(await on(key, robot.id)).toEqual({ ...everything, setPassword: false, recoveryLink: false });
  // Nobody else's, and no probing: an unknown id answers like a user out of reach.
  expect(await on(key, (await createUser(stack.db)).id)).toEqual(nothing);
  expect(await on(key, '00000000-0000-4000-8000-000000000000')).toEqual(nothing);
  // Yourself: never deleted.
  const me = (await stack.http.get('/api/v1/me').set(bearer(admin))).body;
  expect(await on(admin, me.id)).toMatchObject({ edit: true, delete: false, viewSessions: true });
  // The anonymous user: nothing, for a superuser too.
  const anonymous = await stack.db.user.findUniqueOrThrow({ where: { username: 'AnonymousUser' } });
  expect(await on(admin, anonymous.id)).toEqual({ ...nothing, viewSessions: true });
  // Without ?user=, no per-user answer.
  expect((await stack.http.get('/api/v1/me/capabilities').set(bearer(key))).body.user).toBeNull();
});
