import { addSession, addToken, adminSession, bearer, createUser, login, startStack, uniqueName, type Stack } from './support/stack';
import { lockAndWait, startLockdown, waitForLockdown } from './support/lockdowns';

/**
 * Finding and selecting users to lock, as the console and the CLI do it: the users one
 * manages (per-user change_user included), capabilities, the lockdown preview (filter, ids,
 * pasted text, the CLI's CSV), the last lockdown on a user, and the 409 for a user already
 * locked — bulk runs never refused for it.
 */
const PASSWORD = 'selection-test-password';
let stack: Stack;
let admin: string;

beforeAll(async () => {
  stack = await startStack();
  admin = await adminSession(stack);
});
afterAll(() => stack?.stop());

const grant = (userId: string, targetUserId: string | null) => stack.db.permission.create({ data: { userId, permission: 'change_user', targetUserId } });
const preview = (key: string, body: object) => stack.http.post('/api/v1/lockdowns/preview').set(bearer(key)).send(body);

/** A per-user admin: change_user on `targets` only, signed in. */
async function perUserAdmin(targets: { id: string }[]) {
  const user = await createUser(stack.db, { username: uniqueName('helpdesk'), password: PASSWORD });
  for (const target of targets) await grant(user.id, target.id);
  return { user, key: await login(stack, user.username, PASSWORD) };
}

describe('when an admin holds change_user on three users only', () => {
  it('then GET /users lists those three with the total, capabilities open Users and Lockdowns, and nobody else is found', async () => {
    const prefix = uniqueName('mine');
    const mine = await Promise.all([1, 2, 3].map((n) => createUser(stack.db, { username: `${prefix}-${n}` })));
    const other = await createUser(stack.db, { username: `${prefix}-other` });
    const { key } = await perUserAdmin(mine);

    const list = await stack.http.get('/api/v1/users?limit=2').set(bearer(key));
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(3);
    expect(list.body.items.map((user: { username: string }) => user.username)).toEqual([`${prefix}-1`, `${prefix}-2`]);
    expect(list.body.items[0]).toMatchObject({ isProtected: false, isLockedDown: false });
    const searched = await stack.http.get(`/api/v1/users?search=${prefix}`).set(bearer(key));
    expect(searched.body.items.map((user: { id: string }) => user.id)).not.toContain(other.id);

    const can = (await stack.http.get('/api/v1/me/capabilities').set(bearer(key))).body;
    expect(can).toMatchObject({ changeUser: false, listUsers: true, listLockdowns: true, configure: false });
    const onMine = (await stack.http.get(`/api/v1/me/capabilities?user=${mine[0].id}`).set(bearer(key))).body;
    expect(onMine).toMatchObject({ changeUser: true, user: { lockdown: true, viewSessions: true } });

    const plain = await createUser(stack.db, { password: PASSWORD });
    const plainKey = await login(stack, plain.username, PASSWORD);
    expect((await stack.http.get('/api/v1/me/capabilities').set(bearer(plainKey))).body).toMatchObject({ listUsers: false, listLockdowns: false });
    expect((await preview(plainKey, { pasted: mine[0].username })).status).toBe(403);
  });

  it('then the preview tells an unknown name and someone else’s user apart from nothing: both "cannot be locked", no user named', async () => {
    const prefix = uniqueName('scoped');
    const mine = await Promise.all([1, 2, 3].map((n) => createUser(stack.db, { username: `${prefix}-${n}` })));
    const someoneElse = await createUser(stack.db, { username: `${prefix}-else` });
    const { key } = await perUserAdmin(mine);

    const response = await preview(key, { pasted: `${prefix}-1\n${prefix}-else, ${prefix}-nobody\n${someoneElse.email}` });
    expect(response.status).toBe(200);
    expect(response.body.lockable.map((user: { id: string }) => user.id)).toEqual([mine[0].id]);
    const refusals = response.body.refused.map(({ entry, reason, user, lockdownId }: Record<string, unknown>) => ({ entry, reason, user, lockdownId }));
    expect(refusals).toEqual([
      { entry: `${prefix}-else`, reason: 'not_permitted', user: null, lockdownId: null },
      { entry: `${prefix}-nobody`, reason: 'not_permitted', user: null, lockdownId: null },
      { entry: someoneElse.email, reason: 'not_permitted', user: null, lockdownId: null },
    ]);
    // The same entries by id: still nothing learnt.
    const byId = await preview(key, { users: [someoneElse.id, '00000000-0000-4000-8000-000000000000'] });
    expect(byId.body.refused.map((entry: { reason: string; user: unknown }) => [entry.reason, entry.user])).toEqual([
      ['not_permitted', null],
      ['not_permitted', null],
    ]);
  });
});

describe('the preview, for an admin holding change_user globally', () => {
  it('when "select all matching" a filter, then every match on every page is previewed, the protected and the already locked refused with why', async () => {
    const prefix = uniqueName('incident');
    const users = await Promise.all(Array.from({ length: 60 }, (_, n) => createUser(stack.db, { username: `${prefix}-${String(n).padStart(2, '0')}` })));
    const service = await createUser(stack.db, { username: `${prefix}-svc`, type: 'internal_service_account' });
    const locked = users[5];
    const earlier = await lockAndWait(stack, admin, { user: locked.id, reason: 'earlier incident' });
    expect(earlier.status).toBe('completed');

    const response = await preview(admin, { filter: { search: prefix }, pasted: `${prefix}-ghost` });
    expect(response.status).toBe(200);
    expect(response.body.counts).toEqual({ entries: 62, lockable: 59, refused: 3 });
    expect(response.body.lockable).toHaveLength(59);
    expect(response.body.lockable.map((user: { id: string }) => user.id)).not.toContain(locked.id);
    const byReason = Object.fromEntries(response.body.refused.map((entry: { reason: string }) => [entry.reason, entry]));
    expect(byReason.not_found).toMatchObject({ entry: `${prefix}-ghost`, user: null });
    expect(byReason.protected).toMatchObject({ entry: service.username, user: { id: service.id } });
    expect(byReason.already_locked).toMatchObject({ entry: locked.username, user: { id: locked.id }, lockdownId: earlier.id });
    expect(response.body.maxTargets).toBe(stack.config.LOCKDOWN_MAX_TARGETS);
    expect(response.body.includesYou).toBe(false);

    // Only the inactive ones: the status filter of the list applies as it does there.
    const inactive = await preview(admin, { filter: { search: prefix, isActive: false } });
    expect(inactive.body.counts).toEqual({ entries: 1, lockable: 0, refused: 1 });
  });

  it('when a pasted list mixes usernames in any case, emails (also as Name <address>) and ids, then each names its user once; a shared email is ambiguous', async () => {
    const prefix = uniqueName('paste');
    const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((name) => createUser(stack.db, { username: `${prefix}-${name}` })));
    const twins = await Promise.all([1, 2].map((n) => createUser(stack.db, { username: `${prefix}-twin${n}` })));
    const shared = `${prefix}-shared@example.test`;
    await stack.db.user.updateMany({ where: { id: { in: twins.map((twin) => twin.id) } }, data: { email: shared } });
    const text = [`${prefix}-ALICE`, `"Bob B" <${bob.email.toUpperCase()}>; ${carol.id}`, '# a comment line', `${prefix}-alice ${shared}`].join('\n');

    const response = await preview(admin, { pasted: text });
    expect(response.status).toBe(200);
    expect(response.body.lockable.map((user: { id: string }) => user.id)).toEqual([alice.id, bob.id, carol.id]);
    expect(response.body.refused).toEqual([expect.objectContaining({ entry: shared, reason: 'ambiguous', user: null })]);
  });

  it('when the CSV the CLI reads is uploaded, then the same parser reads it: header, first column, comments; a broken file is a 400 naming body.csv', async () => {
    const prefix = uniqueName('csv');
    const [first, second] = await Promise.all([1, 2].map((n) => createUser(stack.db, { username: `${prefix}-${n}` })));
    const csv = `username,department\n# exported from the SIEM\n${first.username},finance\n\n"${second.username}",sales\n${first.username},again\n`;
    const response = await preview(admin, { csv });
    expect(response.status).toBe(200);
    expect(response.body.lockable.map((user: { username: string }) => user.username)).toEqual([first.username, second.username]);
    expect(response.body.refused).toEqual([]);

    const broken = await preview(admin, { csv: `username\n"${first.username}\n` });
    expect(broken.status).toBe(400);
    expect(broken.body.error.details[0].field).toBe('body.csv');
    const empty = await preview(admin, {});
    expect(empty.status).toBe(400);
  });
});

describe('a lockdown of a user already locked', () => {
  it('when one user is already locked, then 409 already_locked names the lockdown, nothing is recorded, and capabilities offer no lockdown', async () => {
    const target = await createUser(stack.db, { password: PASSWORD });
    const first = await lockAndWait(stack, admin, { user: target.id, reason: 'first' });
    const lockdowns = await stack.db.lockdown.count();

    const again = await startLockdown(stack, admin, { user: target.id, reason: 'again' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_locked');
    expect(again.body.error.message).toContain(first.id);
    expect(again.body.error.details).toEqual([{ id: target.id, reason: 'already_locked', lockdownId: first.id }]);
    expect(await stack.db.lockdown.count()).toBe(lockdowns);

    const can = (await stack.http.get(`/api/v1/me/capabilities?user=${target.id}`).set(bearer(admin))).body.user;
    expect(can.lockdown).toBe(false);
    const detail = (await stack.http.get(`/api/v1/users/${target.id}`).set(bearer(admin))).body;
    expect(detail).toMatchObject({ isLockedDown: true, isActive: false, lastLockdown: { id: first.id, status: 'completed', result: 'locked', reason: 'first', actor: { username: 'admin' } } });
    expect(detail.passwordHash).toBeUndefined();
  });

  it('when a bulk list includes already locked users, then it runs: they find nothing left to change and are recorded locked', async () => {
    const [locked, fresh] = await Promise.all([createUser(stack.db), createUser(stack.db)]);
    await addSession(stack.db, fresh.id);
    await lockAndWait(stack, admin, { user: locked.id, reason: 'earlier' });
    const bulk = await lockAndWait(stack, admin, { users: [locked.id, fresh.id], reason: 'incident list' });
    expect(bulk.status).toBe('completed');
    expect(bulk.progress).toMatchObject({ total: 2, locked: 2, failed: 0 });
    const rows = await stack.db.lockdownTarget.findMany({ where: { lockdownId: bulk.id }, orderBy: { position: 'asc' } });
    expect(rows.map((row) => [row.status, row.sessionsRevoked])).toEqual([
      ['locked', 0],
      ['locked', 1],
    ]);
  });

  it('when a user was only deactivated (password kept) or keeps a token, then locking still does something: allowed, and the password ends unusable', async () => {
    const target = await createUser(stack.db, { password: PASSWORD });
    const deactivated = await stack.http.patch(`/api/v1/users/${target.id}`).set(bearer(admin)).send({ isActive: false });
    expect(deactivated.status).toBe(200);
    const detail = (await stack.http.get(`/api/v1/users/${target.id}`).set(bearer(admin))).body;
    expect(detail).toMatchObject({ isActive: false, isLockedDown: false, lastLockdown: { cause: 'user_deactivated', result: 'locked' } });
    expect((await stack.http.get(`/api/v1/me/capabilities?user=${target.id}`).set(bearer(admin))).body.user.lockdown).toBe(true);
    const listed = await preview(admin, { users: [target.id] });
    expect(listed.body.lockable.map((user: { id: string }) => user.id)).toEqual([target.id]);

    const locked = await lockAndWait(stack, admin, { user: target.id, reason: 'now for real' });
    expect(locked.status).toBe('completed');
    const after = await stack.db.user.findUniqueOrThrow({ where: { id: target.id } });
    expect(after.passwordHash?.startsWith('!')).toBe(true);

    // A token minted on the locked account afterwards: not locked down any more, a lockdown removes it.
    await addToken(stack.db, target.id, 'api');
    expect((await stack.http.get(`/api/v1/users/${target.id}`).set(bearer(admin))).body.isLockedDown).toBe(false);
    expect((await lockAndWait(stack, admin, { user: target.id, reason: 'token again' })).progress).toMatchObject({ locked: 1 });
    expect(await stack.db.token.count({ where: { userId: target.id } })).toBe(0);
  });

  it('when a per-user admin views a user locked by a lockdown that names others, then when and the result show, not who or why', async () => {
    const [target, stranger] = await Promise.all([createUser(stack.db), createUser(stack.db)]);
    const bulk = await lockAndWait(stack, admin, { users: [target.id, stranger.id], reason: 'names a stranger' });
    const { key } = await perUserAdmin([target]);
    const detail = (await stack.http.get(`/api/v1/users/${target.id}`).set(bearer(key))).body;
    expect(detail.isLockedDown).toBe(true);
    expect(detail.lastLockdown).toMatchObject({ id: null, status: null, actor: null, reason: null, result: 'locked' });
    expect(detail.lastLockdown.requestedAt).toBe(new Date((await stack.db.lockdown.findUniqueOrThrow({ where: { id: bulk.id } })).createdAt).toISOString());
    const refused = await preview(key, { users: [target.id] });
    expect(refused.body.refused).toEqual([expect.objectContaining({ reason: 'already_locked', lockdownId: null, user: { id: target.id, username: target.username } })]);
    await waitForLockdown(stack, admin, bulk.id);
  });
});
