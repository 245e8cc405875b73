import { hashPassword } from '../lib/credentials';
import { addSession, addToken, adminSession, bearer, createUser, login, startStack, uniqueName, type Stack } from './support/stack';

/**
 * No privilege escalation: whoever changes another account's credentials can then act as
 * it, so the change must not give them powers they do not already hold
 * (domain/permissions.ts: canChangeAccount, canCreateUser, canGrantPermissions): outside superusers, only
 * accounts holding no permission are changed or acted as.
 */
let stack: Stack;
let admin: string;

beforeAll(async () => {
  stack = await startStack();
  admin = await adminSession(stack);
});
afterAll(() => stack?.stop());

type Grant = { permission: 'change_user' | 'view_audit'; targetUserId?: string };

/** A user with the given grants and a session key. */
async function userWith(grants: Grant[] = [], options: { isSuperuser?: boolean } = {}) {
  const password = 'a-password-for-tests';
  const user = await createUser(stack.db, { password, isSuperuser: options.isSuperuser });
  for (const grant of grants) await stack.db.permission.create({ data: { userId: user.id, permission: grant.permission, targetUserId: grant.targetUserId ?? null } });
  return { ...user, key: await login(stack, user.username, password) };
}

/** Every way to take over `targetId`, with the statuses the caller got. */
async function takeoverAttempts(key: string, targetId: string) {
  const auth = bearer(key);
  return {
    setPassword: (await stack.http.post(`/api/v1/users/${targetId}/set_password`).set(auth).send({ password: 'taken-over-password' })).status,
    recoveryLink: (await stack.http.post(`/api/v1/users/${targetId}/recovery_link`).set(auth)).status,
    apiToken: (await stack.http.post('/api/v1/tokens').set(auth).send({ identifier: uniqueName('takeover'), intent: 'api', userId: targetId })).status,
    recoveryToken: (await stack.http.post('/api/v1/tokens').set(auth).send({ identifier: uniqueName('takeover'), intent: 'recovery', userId: targetId })).status,
    activate: (await stack.http.post(`/api/v1/users/${targetId}/activate`).set(auth)).status,
  };
}

const denied = { setPassword: 403, recoveryLink: 403, apiToken: 403, recoveryToken: 403, activate: 403 };
const allowed = { setPassword: 204, recoveryLink: 201, apiToken: 201, recoveryToken: 201, activate: 200 };

describe('a superuser’s credentials change only by a superuser', () => {
  it('when a global change_user holder goes for a superuser, then 403 on every credential action, and the superuser is unchanged', async () => {
    const superuser = await userWith([], { isSuperuser: true });
    const holder = await userWith([{ permission: 'change_user' }]);
    const before = await stack.db.user.findUniqueOrThrow({ where: { id: superuser.id } });
    expect(await takeoverAttempts(holder.key, superuser.id)).toEqual(denied);
    const after = await stack.db.user.findUniqueOrThrow({ where: { id: superuser.id } });
    expect(after.passwordHash).toBe(before.passwordHash);
    expect(await stack.db.token.count({ where: { userId: superuser.id } })).toBe(0);
  });

  it('when change_user is held on the superuser as an object, then 403 too', async () => {
    const superuser = await userWith([], { isSuperuser: true });
    const holder = await userWith([{ permission: 'change_user', targetUserId: superuser.id }]);
    expect(await takeoverAttempts(holder.key, superuser.id)).toEqual(denied);
  });

  it('when a superuser does it, then it is allowed', async () => {
    const superuser = await userWith([], { isSuperuser: true });
    expect(await takeoverAttempts(admin, superuser.id)).toEqual(allowed);
  });
});

describe('no account gains powers through another account', () => {
  it('when change_user on one user targets a holder of global change_user, then 403', async () => {
    const powerful = await userWith([{ permission: 'change_user' }]);
    const holder = await userWith([{ permission: 'change_user', targetUserId: powerful.id }]);
    expect(await takeoverAttempts(holder.key, powerful.id)).toEqual(denied);
  });

  it('when a change_user holder targets a view_audit holder, then 403, even holding view_audit too; a superuser may', async () => {
    const auditor = await userWith([{ permission: 'view_audit' }]);
    const holder = await userWith([{ permission: 'change_user' }]);
    expect(await takeoverAttempts(holder.key, auditor.id)).toEqual(denied);
    const both = await userWith([{ permission: 'change_user' }, { permission: 'view_audit' }]);
    expect(await takeoverAttempts(both.key, auditor.id)).toEqual(denied);
    expect(await takeoverAttempts(admin, auditor.id)).toEqual(allowed);
  });

  it('when the target holds change_user on a user the actor also manages, then 403 all the same: any permission makes it a superuser’s matter', async () => {
    const managed = await createUser(stack.db);
    const target = await userWith([{ permission: 'change_user', targetUserId: managed.id }]);
    const holder = await userWith([{ permission: 'change_user', targetUserId: target.id }, { permission: 'change_user', targetUserId: managed.id }]);
    expect(await takeoverAttempts(holder.key, target.id)).toEqual(denied);
    const narrower = await userWith([{ permission: 'change_user', targetUserId: target.id }]);
    expect(await takeoverAttempts(narrower.key, target.id)).toEqual(denied);
  });

  it('when a plain account is the target of a global change_user holder, then allowed (restoring access is their job)', async () => {
    const plain = await userWith();
    const holder = await userWith([{ permission: 'change_user' }]);
    expect(await takeoverAttempts(holder.key, plain.id)).toEqual(allowed);
  });

  it('when a user makes their own api and app_password tokens, then allowed without any permission', async () => {
    const plain = await userWith();
    for (const intent of ['api', 'app_password']) {
      const response = await stack.http.post('/api/v1/tokens').set(bearer(plain.key)).send({ identifier: uniqueName('own'), intent });
      expect(response.status).toBe(201);
    }
    const recovery = await stack.http.post('/api/v1/tokens').set(bearer(plain.key)).send({ identifier: uniqueName('own'), intent: 'recovery' });
    expect(recovery.status).toBe(403);
  });
});

describe('permissions and superusers are made by superusers only', () => {
  it('when a global change_user holder creates a superuser or grants a permission, then 403 and nothing is written', async () => {
    const holder = await userWith([{ permission: 'change_user' }]);
    const username = uniqueName('would-be-root');
    const created = await stack.http.post('/api/v1/users').set(bearer(holder.key)).send({ username, password: 'long-enough-password', isSuperuser: true });
    expect(created.status).toBe(403);
    expect(await stack.db.user.count({ where: { username } })).toBe(0);
    const plain = await stack.http.post('/api/v1/users').set(bearer(holder.key)).send({ username, password: 'long-enough-password' });
    expect(plain.status).toBe(201);
    const grant = await stack.http.post('/api/v1/permissions').set(bearer(holder.key)).send({ userId: plain.body.id, permission: 'change_user' });
    expect(grant.status).toBe(403);
    expect(await stack.db.permission.count({ where: { userId: plain.body.id } })).toBe(0);
  });
});

/** Events of `action` about `userId` (its `affected_user_id`), oldest first. */
const eventsAbout = (action: string, userId: string) =>
  stack.db.event.findMany({ where: { action, context: { path: ['affected_user_id'], equals: userId } }, orderBy: { createdAt: 'asc' } });

describe('nobody acts with another person’s credentials (issue 23: the approval bypass, first half)', () => {
  it('when R (global change_user) goes for colleague C who holds change_user, then minting a token, setting the password and a recovery link are refused, and nothing is written', async () => {
    const colleague = await userWith([{ permission: 'change_user' }]);
    const requester = await userWith([{ permission: 'change_user' }]);
    const before = await stack.db.user.findUniqueOrThrow({ where: { id: colleague.id } });
    const token = await stack.http.post('/api/v1/tokens').set(bearer(requester.key)).send({ identifier: uniqueName('as-c'), intent: 'api', userId: colleague.id });
    expect(token.status).toBe(403);
    const password = await stack.http.post(`/api/v1/users/${colleague.id}/set_password`).set(bearer(requester.key)).send({ password: 'now-i-am-c-too' });
    expect(password.status).toBe(403);
    expect((await stack.http.post(`/api/v1/users/${colleague.id}/recovery_link`).set(bearer(requester.key))).status).toBe(403);
    expect(await stack.db.token.count({ where: { userId: colleague.id } })).toBe(0);
    expect((await stack.db.user.findUniqueOrThrow({ where: { id: colleague.id } })).passwordHash).toBe(before.passwordHash);
    // Nor on one who holds change_user on a single user only.
    const helpdesk = await userWith([{ permission: 'change_user', targetUserId: (await createUser(stack.db)).id }]);
    expect(await takeoverAttempts(requester.key, helpdesk.id)).toEqual(denied);
  });

  it('when a superuser does it, then it is allowed and audited: who, for whom, never the key', async () => {
    const colleague = await userWith([{ permission: 'change_user' }]);
    const minted = await stack.http.post('/api/v1/tokens').set(bearer(admin)).send({ identifier: uniqueName('for-c'), intent: 'api', userId: colleague.id });
    expect(minted.status).toBe(201);
    expect((await stack.http.post(`/api/v1/users/${colleague.id}/set_password`).set(bearer(admin)).send({ password: 'reset-by-root' })).status).toBe(204);
    const [created] = await eventsAbout('token_created', colleague.id);
    expect(created.context).toMatchObject({ affected_user: colleague.username, token_id: minted.body.id, intent: 'api', own: false });
    expect((created.actorSnapshot as { username: string }).username).toBe('admin');
    expect(JSON.stringify(created)).not.toContain(minted.body.key);
    expect(await eventsAbout('password_set', colleague.id)).toHaveLength(1);
  });
});

describe('accounts that can never be locked (issue 23)', () => {
  it('when a change_user holder plants an internal service account, then 403; service accounts get no password; a superuser may, audited', async () => {
    const holder = await userWith([{ permission: 'change_user' }]);
    const username = uniqueName('backdoor');
    const planted = await stack.http.post('/api/v1/users').set(bearer(holder.key)).send({ username, password: 'backdoor-password', type: 'internal_service_account' });
    expect(planted.status).toBe(403);
    expect(await stack.db.user.count({ where: { username } })).toBe(0);

    const withPassword = await stack.http.post('/api/v1/users').set(bearer(holder.key)).send({ username, password: 'robot-password', type: 'service_account' });
    expect(withPassword.status).toBe(400);
    expect(withPassword.body.error.details).toEqual([expect.objectContaining({ field: 'body.password' })]);
    const robot = await stack.http.post('/api/v1/users').set(bearer(holder.key)).send({ username, type: 'service_account' });
    expect(robot.status).toBe(201);
    // A service account authenticates with tokens only: no password, no recovery link.
    expect((await stack.http.post(`/api/v1/users/${robot.body.id}/set_password`).set(bearer(admin)).send({ password: 'robot-password' })).status).toBe(400);
    expect((await stack.http.post(`/api/v1/users/${robot.body.id}/recovery_link`).set(bearer(admin))).status).toBe(400);

    const internal = await stack.http.post('/api/v1/users').set(bearer(admin)).send({ username: uniqueName('outpost'), type: 'internal_service_account' });
    expect(internal.status).toBe(201);
    const [event] = await eventsAbout('user_created', internal.body.id);
    expect(event.context).toMatchObject({ diff: { type: { from: null, to: 'internal_service_account' } } });
  });

  it('when a backdoor internal service account exists (as the probe planted it), then its password does not log in, lockdown still refuses it, and a superuser closes it: deactivated with every credential dead, then deleted', async () => {
    const holder = await userWith([{ permission: 'change_user' }]);
    const backdoor = await stack.db.user.create({
      data: { username: uniqueName('backdoor'), passwordHash: await hashPassword('backdoor-password'), type: 'internal_service_account', isSuperuser: true },
    });
    const session = await addSession(stack.db, backdoor.id);
    const token = await addToken(stack.db, backdoor.id, 'api');
    // Tokens are how service accounts authenticate; a session (from a password login) is not.
    expect((await stack.http.get('/api/v1/me').set(bearer(token))).status).toBe(200);
    expect((await stack.http.get('/api/v1/me').set(bearer(session))).status).toBe(401);

    const login = await stack.http.post('/api/v1/auth/login').send({ username: backdoor.username, password: 'backdoor-password' });
    expect(login.status).toBe(401);
    expect(login.body.error.code).toBe('invalid_credentials');
    // The seed's protection holds: a lockdown never touches it.
    const lockdown = await stack.http.post('/api/v1/lockdowns').set(bearer(admin)).send({ user: backdoor.id, reason: 'backdoor' });
    expect(lockdown.status).toBe(400);
    expect(lockdown.body.error.code).toBe('invalid_users');
    // Only a superuser changes it.
    expect((await stack.http.patch(`/api/v1/users/${backdoor.id}`).set(bearer(holder.key)).send({ isActive: false })).status).toBe(403);
    expect((await stack.http.delete(`/api/v1/users/${backdoor.id}`).set(bearer(holder.key))).status).toBe(403);

    const deactivated = await stack.http.patch(`/api/v1/users/${backdoor.id}`).set(bearer(admin)).send({ isActive: false, reason: 'planted backdoor' });
    expect(deactivated.status).toBe(200);
    expect(deactivated.body.isActive).toBe(false);
    for (const key of [session, token]) expect((await stack.http.get('/api/v1/me').set(bearer(key))).status).toBe(401);
    expect({ sessions: await stack.db.session.count({ where: { userId: backdoor.id } }), tokens: await stack.db.token.count({ where: { userId: backdoor.id } }) }).toEqual({ sessions: 0, tokens: 0 });
    const [updated] = await eventsAbout('user_updated', backdoor.id);
    expect(updated.context).toMatchObject({ diff: { isActive: { from: true, to: false } }, sessions_revoked: 1, tokens_revoked: 1, reason: 'planted backdoor' });

    expect((await stack.http.delete(`/api/v1/users/${backdoor.id}`).set(bearer(admin))).status).toBe(204);
    expect(await stack.db.user.findUnique({ where: { id: backdoor.id } })).toBeNull();
    expect(await eventsAbout('user_deleted', backdoor.id)).toHaveLength(1);
  });

  it('when anyone, a superuser included, changes the anonymous user, then 400 protected_account and nothing changes', async () => {
    const anonymous = await stack.db.user.findUniqueOrThrow({ where: { username: 'AnonymousUser' } });
    const holder = await userWith([{ permission: 'change_user' }]);
    for (const key of [admin, holder.key]) {
      const attempts = [
        await stack.http.patch(`/api/v1/users/${anonymous.id}`).set(bearer(key)).send({ name: 'Renamed' }),
        await stack.http.patch(`/api/v1/users/${anonymous.id}`).set(bearer(key)).send({ isActive: false }),
        await stack.http.delete(`/api/v1/users/${anonymous.id}`).set(bearer(key)),
        await stack.http.post(`/api/v1/users/${anonymous.id}/set_password`).set(bearer(key)).send({ password: 'anonymous-password' }),
        await stack.http.post(`/api/v1/users/${anonymous.id}/recovery_link`).set(bearer(key)),
        await stack.http.post('/api/v1/tokens').set(bearer(key)).send({ identifier: uniqueName('anon'), intent: 'api', userId: anonymous.id }),
      ];
      expect(attempts.map((answer) => [answer.status, answer.body.error?.code])).toEqual(Array(6).fill([400, 'protected_account']));
    }
    expect(await stack.db.user.findUniqueOrThrow({ where: { id: anonymous.id } })).toEqual(anonymous);
    expect(await stack.db.token.count({ where: { userId: anonymous.id } })).toBe(0);
  });
});

describe('each rule once, on every path (issue 23: two paths, two rules)', () => {
  it('when change_user is held on T only and T holds view_audit, then POST activate and PATCH isActive true are both refused; on a plain T, both allowed', async () => {
    const powerful = await userWith([{ permission: 'view_audit' }]);
    const plain = await userWith();
    const holder = await userWith([{ permission: 'change_user', targetUserId: powerful.id }, { permission: 'change_user', targetUserId: plain.id }]);
    await stack.db.user.updateMany({ where: { id: { in: [powerful.id, plain.id] } }, data: { isActive: false } });
    expect((await stack.http.post(`/api/v1/users/${powerful.id}/activate`).set(bearer(holder.key))).status).toBe(403);
    expect((await stack.http.patch(`/api/v1/users/${powerful.id}`).set(bearer(holder.key)).send({ isActive: true })).status).toBe(403);
    expect((await stack.db.user.findUniqueOrThrow({ where: { id: powerful.id } })).isActive).toBe(false);
    expect((await stack.http.post(`/api/v1/users/${plain.id}/activate`).set(bearer(holder.key))).status).toBe(200);
    await stack.db.user.update({ where: { id: plain.id }, data: { isActive: false } });
    expect((await stack.http.patch(`/api/v1/users/${plain.id}`).set(bearer(holder.key)).send({ isActive: true })).status).toBe(200);
  });

  it('when a per-user holder goes for a global holder it has a grant on, then changing the email and deleting are refused like credentials', async () => {
    const global = await userWith([{ permission: 'change_user' }]);
    const holder = await userWith([{ permission: 'change_user', targetUserId: global.id }]);
    const email = await stack.http.patch(`/api/v1/users/${global.id}`).set(bearer(holder.key)).send({ email: 'attacker@example.test' });
    expect(email.status).toBe(403);
    expect((await stack.http.delete(`/api/v1/users/${global.id}`).set(bearer(holder.key))).status).toBe(403);
    expect(await stack.db.user.findUniqueOrThrow({ where: { id: global.id } })).toMatchObject({ email: global.email, isActive: true });
  });
});
