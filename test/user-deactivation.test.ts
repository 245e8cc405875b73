import { ACCOUNT_LOCKDOWN_TRIGGERED, USER_DELETED } from '../domain/events';
import { seed } from '../prisma/seed';
import { createBrand } from './support/flows';
import { addSession, addToken, adminSession, bearer, createUser, login, startStack, uniqueName, waitForLockdown, type Stack } from './support/stack';
import { waitUntil } from './support/wait';

/**
 * No deactivation without revocation: every path that turns a user inactive (PATCH, DELETE,
 * bulk and self-service lockdowns — even with a stage that keeps sessions and tokens — and
 * the seed) leaves no credential of theirs that works, checked with a live session and a
 * token of every intent.
 */
let stack: Stack;
let admin: string;

beforeAll(async () => {
  stack = await startStack();
  admin = await adminSession(stack);
});
afterAll(() => stack?.stop());

const INTENTS = ['api', 'app_password', 'recovery', 'verification'] as const;

/** A user with a password, a live session and a token of each intent. */
async function userWithCredentials() {
  const password = `pw-${uniqueName()}`;
  const user = await createUser(stack.db, { password });
  const session = await login(stack, user.username, password);
  const extraSession = await addSession(stack.db, user.id);
  const tokens = Object.fromEntries(await Promise.all(INTENTS.map(async (intent) => [intent, await addToken(stack.db, user.id, intent)] as const))) as Record<(typeof INTENTS)[number], string>;
  // Live before: the session and the API token authenticate.
  expect((await stack.http.get('/api/v1/me').set(bearer(session))).status).toBe(200);
  expect((await stack.http.get('/api/v1/me').set(bearer(tokens.api))).status).toBe(200);
  return { user, password, session, extraSession, tokens };
}

/** Nothing of the user's is left: no session, no token of any intent, and the keys stay dead even once the user is active again. */
async function expectNoCredentialLeft(userId: string, keys: string[]) {
  expect(await stack.db.session.count({ where: { userId } })).toBe(0);
  for (const intent of INTENTS) expect({ intent, left: await stack.db.token.count({ where: { userId, intent } }) }).toEqual({ intent, left: 0 });
  const user = await stack.db.user.findUnique({ where: { id: userId } });
  if (user) {
    expect(user.isActive).toBe(false);
    await stack.db.user.update({ where: { id: userId }, data: { isActive: true } });
  }
  for (const key of keys) expect((await stack.http.get('/api/v1/me').set(bearer(key))).status).toBe(401);
}

async function lockdownEventOf(userId: string) {
  return stack.db.event.findMany({ where: { action: ACCOUNT_LOCKDOWN_TRIGGERED, context: { path: ['affected_user_id'], equals: userId } } });
}

describe('no deactivation without revocation', () => {
  it('when PATCH sets isActive false, then every session and token is gone, verified, and one event names the cause', async () => {
    const { user, session, extraSession, tokens } = await userWithCredentials();
    const response = await stack.http.patch(`/api/v1/users/${user.id}`).set(bearer(admin)).send({ isActive: false, reason: 'left the company' });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: user.id, isActive: false });

    const events = await lockdownEventOf(user.id);
    expect(events).toHaveLength(1);
    expect(events[0].context).toMatchObject({ cause: 'user_deactivated', reason: 'left the company', sessions_revoked: 2, tokens_revoked: 4 });
    const lockdown = await stack.db.lockdown.findUniqueOrThrow({ where: { id: events[0].lockdownId! } });
    expect(lockdown).toMatchObject({ status: 'completed', cause: 'user_deactivated', flowSlug: 'user-deactivation' });
    // The password still works once re-activated: deactivation is not a lockdown.
    expect((await stack.db.user.findUniqueOrThrow({ where: { id: user.id } })).passwordHash).not.toMatch(/^!/);
    await expectNoCredentialLeft(user.id, [session, extraSession, ...Object.values(tokens)]);
  });

  it('when PATCH changes only the name and email, then nothing is revoked and a user_updated event is written', async () => {
    const { user, session } = await userWithCredentials();
    const response = await stack.http.patch(`/api/v1/users/${user.id}`).set(bearer(admin)).send({ name: 'Renamed', email: 'renamed@example.test' });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ name: 'Renamed', email: 'renamed@example.test', isActive: true });
    expect((await stack.http.get('/api/v1/me').set(bearer(session))).status).toBe(200);
    const updated = await stack.db.event.findMany({ where: { action: 'user_updated', context: { path: ['affected_user_id'], equals: user.id } } });
    expect(updated.map((event) => (event.context as { fields: string[] }).fields)).toEqual([['name', 'email']]);
    expect(await lockdownEventOf(user.id)).toHaveLength(0);
  });

  it('when PATCH re-activates, then the restore is audited; PATCH isActive false again revokes what was minted meanwhile', async () => {
    const { user } = await userWithCredentials();
    expect((await stack.http.patch(`/api/v1/users/${user.id}`).set(bearer(admin)).send({ isActive: false })).status).toBe(200);
    const activated = await stack.http.patch(`/api/v1/users/${user.id}`).set(bearer(admin)).send({ isActive: true });
    expect(activated.body.isActive).toBe(true);
    expect(await stack.db.event.count({ where: { action: 'user_activated', context: { path: ['affected_user_id'], equals: user.id } } })).toBe(1);
    const minted = await addToken(stack.db, user.id, 'api');
    expect((await stack.http.patch(`/api/v1/users/${user.id}`).set(bearer(admin)).send({ isActive: false })).status).toBe(200);
    await expectNoCredentialLeft(user.id, [minted]);
    expect(await lockdownEventOf(user.id)).toHaveLength(2);
  });

  it('when DELETE, then the credentials are revoked and audited before the account goes, with a user_deleted event', async () => {
    const { user, session, extraSession, tokens } = await userWithCredentials();
    const response = await stack.http.delete(`/api/v1/users/${user.id}`).set(bearer(admin));
    expect(response.status).toBe(204);
    expect(await stack.db.user.findUnique({ where: { id: user.id } })).toBeNull();
    const [event] = await lockdownEventOf(user.id);
    expect(event.context).toMatchObject({ cause: 'user_deleted', sessions_revoked: 2, tokens_revoked: 4 });
    const deleted = await stack.db.event.findMany({ where: { action: USER_DELETED, context: { path: ['affected_user_id'], equals: user.id } } });
    expect(deleted).toHaveLength(1);
    expect(deleted[0].context).toMatchObject({ affected_user: user.username, lockdown_id: event.lockdownId });
    await expectNoCredentialLeft(user.id, [session, extraSession, ...Object.values(tokens)]);
  });

  it('when the caller may not change the user, then PATCH and DELETE are refused the same way whatever the id, and nothing changes', async () => {
    const password = `pw-${uniqueName()}`;
    const plain = await createUser(stack.db, { password });
    const plainKey = await login(stack, plain.username, password);
    const { user, session } = await userWithCredentials();
    for (const id of [user.id, '00000000-0000-4000-8000-000000000000']) {
      expect((await stack.http.patch(`/api/v1/users/${id}`).set(bearer(plainKey)).send({ isActive: false })).status).toBe(403);
      expect((await stack.http.delete(`/api/v1/users/${id}`).set(bearer(plainKey))).status).toBe(403);
    }
    // change_user on the user, but the target is a superuser: only superusers change superusers.
    const superuser = await createUser(stack.db, { isSuperuser: true });
    await stack.db.permission.create({ data: { userId: plain.id, permission: 'change_user', targetUserId: superuser.id } });
    expect((await stack.http.patch(`/api/v1/users/${superuser.id}`).set(bearer(plainKey)).send({ isActive: false })).status).toBe(403);
    expect((await stack.http.get('/api/v1/me').set(bearer(session))).status).toBe(200);
    expect((await stack.db.user.findUniqueOrThrow({ where: { id: superuser.id } })).isActive).toBe(true);
  });

  it('when the target is protected, yourself (delete) or unknown, then a clear 4xx', async () => {
    const anonymous = await stack.db.user.findUniqueOrThrow({ where: { username: 'AnonymousUser' } });
    const refused = await stack.http.patch(`/api/v1/users/${anonymous.id}`).set(bearer(admin)).send({ isActive: false });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('protected_account');
    const me = await stack.http.get('/api/v1/me').set(bearer(admin));
    expect((await stack.http.delete(`/api/v1/users/${me.body.id}`).set(bearer(admin))).status).toBe(409);
    expect((await stack.http.patch('/api/v1/users/00000000-0000-4000-8000-000000000000').set(bearer(admin)).send({ isActive: false })).status).toBe(404);
    const bad = await stack.http.patch(`/api/v1/users/${me.body.id}`).set(bearer(admin)).send({ isActive: 'no' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error.details)).toContain('isActive');
  });

  it('when a bulk lockdown runs a stage that deactivates but keeps sessions and tokens, then they are revoked anyway', async () => {
    const { host } = await createBrand(stack.db, { actions: { deleteSessions: false, revokeTokens: false } });
    const first = await userWithCredentials();
    const second = await userWithCredentials();
    const response = await stack.http
      .post('/api/v1/lockdowns')
      .set('Host', host)
      .set(bearer(admin))
      .send({ users: [first.user.id, second.user.id], reason: 'bulk with a keeping stage' });
    expect(response.status).toBe(201);
    const done = await waitForLockdown(stack, admin, response.body.id);
    expect(done.status).toBe('completed');
    for (const target of [first, second]) {
      const [event] = await lockdownEventOf(target.user.id);
      expect(event.context).toMatchObject({ actions: { deactivateUser: true, deleteSessions: true, revokeTokens: true }, sessions_revoked: 2, tokens_revoked: 4 });
      await expectNoCredentialLeft(target.user.id, [target.session, target.extraSession, ...Object.values(target.tokens)]);
    }
  });

  it('when a user locks themself with a stage that keeps sessions and tokens, then they are revoked anyway', async () => {
    const { host } = await createBrand(stack.db, { actions: { deleteSessions: false, revokeTokens: false } });
    const { user, session, extraSession, tokens } = await userWithCredentials();
    const response = await stack.http.post('/api/v1/lockdowns').set('Host', host).set(bearer(session)).send({ reason: 'my laptop was stolen' });
    expect(response.status).toBe(201);
    const lockdown = await stack.db.lockdown.findUniqueOrThrow({ where: { id: response.body.id } });
    expect(lockdown.selfService).toBe(true);
    await waitUntil('the lockdown event of the self-service run', async () => (await lockdownEventOf(user.id)).length > 0, 60_000, 100);
    await expectNoCredentialLeft(user.id, [session, extraSession, ...Object.values(tokens)]);
  });

  it('when the seed runs again, then it deactivates nobody and leaves every credential as it was', async () => {
    const { user, session, tokens } = await userWithCredentials();
    await seed(stack.db);
    expect((await stack.db.user.findUniqueOrThrow({ where: { id: user.id } })).isActive).toBe(true);
    expect((await stack.http.get('/api/v1/me').set(bearer(session))).status).toBe(200);
    expect((await stack.http.get('/api/v1/me').set(bearer(tokens.api))).status).toBe(200);
    // The accounts the seed creates are never inactive with credentials: the anonymous user has none.
    const anonymous = await stack.db.user.findUniqueOrThrow({ where: { username: 'AnonymousUser' }, include: { sessions: true, tokens: true } });
    expect({ sessions: anonymous.sessions.length, tokens: anonymous.tokens.length }).toEqual({ sessions: 0, tokens: 0 });
  });
});
