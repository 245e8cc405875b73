import type { Server } from 'node:http';
import supertest from 'supertest';
import { createApp } from '../api/app';
import { PASSWORD_LOCKOUT_ACCOUNT } from '../domain/password-lockout';
import { createDb } from '../lib/db';
import { createLogger } from '../lib/logger';
import { createServices } from '../services';
import { createBrand } from './support/flows';
import { addSession, adminSession, bearer, createUser, startStack, uniqueName, waitForLockdown, type Stack } from './support/stack';
import { waitFor } from './support/wait';

/**
 * Password lockout against the real stack: a brand's policy locks a password after N
 * consecutive failed logins, a locked password is refused like a wrong one, the count lives in
 * PostgreSQL (shared by API instances, kept across restarts) and resets on success, admins see
 * and unlock it, and the escalation runs the brand's lockdown flow once — also when 50 wrong
 * passwords arrive at once. Each test uses a brand of its own (selected by its Host header),
 * so no other test file's logins are judged by these policies.
 */
const PASSWORD = 'the-right-password';

let stack: Stack;
let admin: string;

beforeAll(async () => {
  stack = await startStack();
  admin = await adminSession(stack);
});
afterAll(() => stack?.stop());

/** A brand of its own with this password lockout policy (set through the API, as a superuser does). */
async function brandWithLockout(policy: { attempts: number; escalate?: boolean }) {
  const { host } = await createBrand(stack.db);
  const brand = await stack.db.brand.findUniqueOrThrow({ where: { domain: host } });
  const response = await stack.http.patch(`/api/v1/password_lockout/${brand.id}`).set(bearer(admin)).send({ enabled: true, ...policy });
  expect(response.status).toBe(200);
  expect(response.body).toMatchObject({ brandId: brand.id, enabled: true, effectiveAttempts: policy.attempts, escalate: policy.escalate ?? false });
  return host;
}

const login = (host: string | null, username: string, password: string, http = stack.http) => {
  const request = http.post('/api/v1/auth/login');
  if (host) request.set('Host', host);
  return request.send({ username, password });
};
const lockoutOf = (userId: string) => stack.db.passwordLockout.findUnique({ where: { userId } });
const lockEvents = (userId: string) => stack.db.event.findMany({ where: { action: 'password_locked', context: { path: ['affected_user_id'], equals: userId } } });

it('when no policy is on (the default), then failed logins are not counted and nothing locks', async () => {
  const user = await createUser(stack.db, { password: PASSWORD });
  for (let attempt = 0; attempt < 12; attempt++) expect((await login(null, user.username, 'wrong-password')).status).toBe(401);
  expect(await lockoutOf(user.id)).toBeNull();
  expect((await login(null, user.username, PASSWORD)).status).toBe(200);
});

it('when N wrong passwords in a row were tried, then the password is locked: the right one gets the same 401, admins see it and unlock it', async () => {
  const host = await brandWithLockout({ attempts: 5 });
  const user = await createUser(stack.db, { password: PASSWORD });
  const wrong: { status: number; body: unknown }[] = [];
  for (let attempt = 0; attempt < 5; attempt++) wrong.push(await login(host, user.username, `wrong-${attempt}`));
  expect(wrong.map((response) => response.status)).toEqual([401, 401, 401, 401, 401]);

  // Locked: the right password is refused with the very answer a wrong one gets (no enumeration).
  const right = await login(host, user.username, PASSWORD);
  expect(right.status).toBe(401);
  expect(right.body).toEqual(wrong[0].body);
  const unknown = await login(host, uniqueName('nobody'), PASSWORD);
  expect(unknown.body).toEqual(right.body);

  const lockout = await lockoutOf(user.id);
  expect(lockout).toMatchObject({ failedAttempts: 6, escalation: null });
  expect(lockout?.lockedAt).toBeInstanceOf(Date);
  const [event, ...more] = await lockEvents(user.id);
  expect(more).toEqual([]);
  expect(event).toMatchObject({ actorId: null, context: { affected_user: user.username, failed_attempts: 5, threshold: 5, escalate: false } });
  expect(event.clientIp).toMatch(/127\.0\.0\.1/);

  // What admins see: the status on the user, the filter, the details.
  expect((await stack.http.get(`/api/v1/users/${user.id}`).set(bearer(admin))).body).toMatchObject({ id: user.id, passwordLocked: true });
  const locked = await stack.http.get(`/api/v1/users?passwordLocked=true&search=${user.username}`).set(bearer(admin));
  expect(locked.body.items.map((item: { id: string }) => item.id)).toEqual([user.id]);
  const notLocked = await stack.http.get(`/api/v1/users?passwordLocked=false&search=${user.username}`).set(bearer(admin));
  expect(notLocked.body.items).toEqual([]);
  const status = await stack.http.get(`/api/v1/users/${user.id}/password_lockout`).set(bearer(admin));
  expect(status.body).toMatchObject({ locked: true, failedAttempts: 6, viewerMayUnlock: true, escalation: null });

  // Unlocked (audited): the right password works again, and the count starts over.
  expect((await stack.http.post(`/api/v1/users/${user.id}/unlock_password`).set(bearer(admin))).status).toBe(204);
  const unlocked = await stack.db.event.findFirstOrThrow({ where: { action: 'password_unlocked', context: { path: ['affected_user_id'], equals: user.id } } });
  expect(unlocked.context).toMatchObject({ affected_user: user.username, failed_attempts: 6 });
  expect((await login(host, user.username, PASSWORD)).status).toBe(200);
  expect((await stack.http.post(`/api/v1/users/${user.id}/unlock_password`).set(bearer(admin))).body.error.code).toBe('not_locked');
  expect((await stack.http.get(`/api/v1/users/${user.id}`).set(bearer(admin))).body.passwordLocked).toBe(false);
});

it('when a login succeeds, then the failures before it no longer count', async () => {
  const host = await brandWithLockout({ attempts: 5 });
  const user = await createUser(stack.db, { password: PASSWORD });
  for (let attempt = 0; attempt < 4; attempt++) await login(host, user.username, 'wrong-password');
  expect((await login(host, user.username, PASSWORD)).status).toBe(200);
  for (let attempt = 0; attempt < 4; attempt++) await login(host, user.username, 'wrong-password');
  expect(await lockoutOf(user.id)).toMatchObject({ failedAttempts: 4, lockedAt: null });
  expect((await login(host, user.username, PASSWORD)).status).toBe(200);
});

it('when the API restarts between failures, then the count goes on: it lives in PostgreSQL', async () => {
  const host = await brandWithLockout({ attempts: 5 });
  const user = await createUser(stack.db, { password: PASSWORD });
  for (let attempt = 0; attempt < 3; attempt++) await login(host, user.username, 'wrong-password');

  // Another API process: its own database client and services, the same PostgreSQL.
  const db = createDb(stack.config.DATABASE_URL);
  const server: Server = createApp({ config: stack.config, db, temporal: stack.temporal, logger: createLogger('silent') }).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const restarted = supertest(server);
    for (let attempt = 0; attempt < 2; attempt++) expect((await login(host, user.username, 'wrong-password', restarted)).status).toBe(401);
    expect((await login(host, user.username, PASSWORD, restarted)).status).toBe(401);
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await db.$disconnect();
  }
  expect(await lockoutOf(user.id)).toMatchObject({ failedAttempts: 6 });
  expect(await lockEvents(user.id)).toHaveLength(1);
});

it('when a new password is set, then the lock ends with it', async () => {
  const host = await brandWithLockout({ attempts: 3 });
  const user = await createUser(stack.db, { password: PASSWORD });
  for (let attempt = 0; attempt < 3; attempt++) await login(host, user.username, 'wrong-password');
  expect((await lockoutOf(user.id))?.lockedAt).toBeInstanceOf(Date);
  expect((await stack.http.post(`/api/v1/users/${user.id}/set_password`).set(bearer(admin)).send({ password: 'a-brand-new-password' })).status).toBe(204);
  expect(await lockoutOf(user.id)).toBeNull();
  expect((await login(host, user.username, 'a-brand-new-password')).status).toBe(200);
});

it('when 50 wrong passwords arrive at once, with escalation on, then they count 50, the password locks once and the lockdown flow runs once', async () => {
  const host = await brandWithLockout({ attempts: 10, escalate: true });
  const user = await createUser(stack.db, { password: PASSWORD });
  const session = await addSession(stack.db, user.id);

  const answers = await Promise.all(Array.from({ length: 50 }, (_, attempt) => login(host, user.username, `wrong-${attempt}`)));
  expect(answers.map((answer) => answer.status)).toEqual(Array(50).fill(401));
  expect(await lockoutOf(user.id)).toMatchObject({ failedAttempts: 50 });
  expect(await lockEvents(user.id)).toHaveLength(1);

  // The escalation: one lockdown requested by the system account, with the trigger, run to the end.
  const escalated = await waitFor('the escalation to start its lockdown', async () => {
    const row = await lockoutOf(user.id);
    return row?.escalation === 'started' ? row : undefined;
  });
  const lockdown = await waitForLockdown(stack, admin, escalated.lockdownId!);
  expect(lockdown).toMatchObject({
    status: 'completed',
    actor: { username: PASSWORD_LOCKOUT_ACCOUNT },
    reason: 'Password lockout: 10 consecutive failed password logins.',
    trigger: { kind: 'password_lockout', failedAttempts: 10 },
    progress: { total: 1, locked: 1 },
  });
  expect(await stack.db.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({ isActive: false });
  expect((await stack.http.get('/api/v1/me').set(bearer(session))).status).toBe(401);

  // More failures, and the resumer going over the lock again (as after a crash): still one lockdown.
  await Promise.all(Array.from({ length: 5 }, () => login(host, user.username, 'wrong-again')));
  await stack.db.passwordLockout.update({ where: { userId: user.id }, data: { escalation: 'pending', lockdownId: null } });
  const services = createServices({ config: stack.config, db: stack.db, temporal: stack.temporal, logger: createLogger('silent') });
  await services.passwordLockout.resumeEscalations(0);
  expect(await lockoutOf(user.id)).toMatchObject({ failedAttempts: 55, escalation: 'started', lockdownId: escalated.lockdownId });
  const targets = await stack.db.lockdownTarget.findMany({ where: { userId: user.id, lockdown: { actorUsername: PASSWORD_LOCKOUT_ACCOUNT } } });
  expect(targets).toHaveLength(1);
  expect(await stack.db.event.count({ where: { action: 'account_lockdown_triggered', context: { path: ['affected_user_id'], equals: user.id } } })).toBe(1);
});
