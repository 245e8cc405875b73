import { adminSession, bearer, createUser, login, startStack, uniqueName, type Stack } from './support/stack';

/**
 * No privilege escalation: whoever changes another account's credentials can then act as
 * it, so the change must not give them powers they do not already hold
 * (domain/permissions.ts: canChangeCredentialsOf, canCreateUser, canGrantPermissions).
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

  it('when a change_user holder targets a view_audit holder, then 403; with view_audit too, allowed', async () => {
    const auditor = await userWith([{ permission: 'view_audit' }]);
    const holder = await userWith([{ permission: 'change_user' }]);
    expect(await takeoverAttempts(holder.key, auditor.id)).toEqual(denied);
    const both = await userWith([{ permission: 'change_user' }, { permission: 'view_audit' }]);
    expect(await takeoverAttempts(both.key, auditor.id)).toEqual(allowed);
  });

  it('when the target holds change_user on a user the actor also manages, then allowed', async () => {
    const managed = await createUser(stack.db);
    const target = await userWith([{ permission: 'change_user', targetUserId: managed.id }]);
    const holder = await userWith([{ permission: 'change_user', targetUserId: target.id }, { permission: 'change_user', targetUserId: managed.id }]);
    expect(await takeoverAttempts(holder.key, target.id)).toEqual(allowed);
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
