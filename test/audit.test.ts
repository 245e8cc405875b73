import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { parse as parseCsv } from 'csv-parse/sync';
import type { Response } from 'supertest';
import { resolveTemporalCli } from '../scripts/lib/temporal-cli';
import { startTemporalWebUi } from '../scripts/lib/temporal-web-ui';
import { userLockdownWorkflowId } from '../workflows/ids';
import { adminSession, bearer, createUser, login, startStack, uniqueName, waitForLockdown, type Stack } from './support/stack';
import { startLockdown } from './support/lockdowns';
import { waitFor } from './support/wait';

/**
 * What auditors and incident responders rely on: encrypted payloads (raw history has no
 * personal data), the codec server, search attributes found with the real `temporal` CLI,
 * the paged decoded history without stack traces, the timeline and the streamed exports.
 */
const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..');

let stack: Stack;
let admin: string;
let temporalCli: string;

beforeAll(async () => {
  stack = await startStack();
  admin = await adminSession(stack);
  temporalCli = await resolveTemporalCli();
});
afterAll(() => stack?.stop());

const lock = (key: string, body: object) => startLockdown(stack, key, body);

/** A Temporal client without our data converter: what anyone with access to the cluster sees. */
async function rawHistoryText(workflowId: string): Promise<string> {
  const raw = new Client({ connection: stack.temporal.connection, namespace: stack.config.TEMPORAL_NAMESPACE });
  return historyToJSON(await raw.workflow.getHandle(workflowId).fetchHistory());
}

async function temporal(...args: string[]): Promise<string> {
  const { stdout } = await run(temporalCli, [...args, '--address', stack.config.TEMPORAL_ADDRESS, '--namespace', stack.config.TEMPORAL_NAMESPACE], { maxBuffer: 10_000_000 });
  return stdout;
}

/** Visibility is eventually consistent: retries the query until it finds `count` workflows. */
async function listWorkflows(query: string, count: number): Promise<{ execution: { workflowId: string } }[]> {
  let found: { execution: { workflowId: string } }[] = [];
  const list = async () => {
    found = JSON.parse((await temporal('workflow', 'list', '--query', query, '--output', 'json')) || '[]') as typeof found;
    return found.length >= count ? found : undefined;
  };
  return waitFor(`${count} workflows to match ${query}`, list, { timeoutMs: 20_000, intervalMs: 500, lastSeen: () => `found ${found.length}` });
}

/** The CLI's JSON output shows payload data base64-encoded: every payload's data, as text. */
function payloadTexts(output: string): string {
  const texts: string[] = [];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      const { metadata, data } = value as { metadata?: unknown; data?: unknown };
      if (metadata && typeof data === 'string') texts.push(Buffer.from(data, 'base64').toString('utf8'));
      Object.values(value).forEach(visit);
    }
  };
  visit(JSON.parse(output));
  return texts.join('\n');
}

async function plainUser() {
  const user = await createUser(stack.db, { password: 'plain-password-1' });
  return login(stack, user.username, 'plain-password-1');
}

async function auditor() {
  const user = await createUser(stack.db, { password: 'auditor-password-1' });
  await stack.db.permission.create({ data: { userId: user.id, permission: 'view_audit' } });
  return login(stack, user.username, 'auditor-password-1');
}

describe('payload encryption and the codec server', () => {
  it('when a lockdown has run, then its raw history holds neither the reason, the usernames, nor the client IP; the codec endpoint decodes it for view_audit only', async () => {
    const victim = await createUser(stack.db);
    const reason = `raw-history-reason-${victim.id.slice(0, 8)}`;
    const started = await lock(admin, { user: victim.id });
    const answered = await stack.http.post(`/api/v1/lockdowns/${started.body.id}/stage`).set(bearer(admin)).send({ reason });
    expect(answered.status).toBe(200);
    await waitForLockdown(stack, admin, started.body.id);
    const record = await stack.db.lockdown.findUniqueOrThrow({ where: { id: started.body.id } });
    expect(record.clientIp).toBeTruthy();

    const parent = await rawHistoryText(started.body.workflowId);
    const child = await rawHistoryText(userLockdownWorkflowId(started.body.id, victim.id));
    for (const raw of [parent, child]) {
      for (const secret of [reason, victim.username, 'admin', record.clientIp!]) expect(raw).not.toContain(secret);
      expect(raw).toContain(Buffer.from('binary/encrypted').toString('base64'));
    }

    // The Temporal Web UI / CLI protocol: the payloads as they are stored go in, clear ones come out.
    const stored = JSON.parse(parent).events[0].workflowExecutionStartedEventAttributes.input.payloads;
    const decode = (key: string | null) => {
      const request = stack.http.post('/api/v1/temporal-codec/decode').set('X-Namespace', 'default');
      return (key ? request.set(bearer(key)) : request).send({ payloads: stored });
    };
    const asAuditor = await decode(await auditor());
    expect(asAuditor.status).toBe(200);
    const clear = JSON.parse(Buffer.from(asAuditor.body.payloads[0].data, 'base64').toString('utf8'));
    expect(Buffer.from(asAuditor.body.payloads[0].metadata.encoding, 'base64').toString()).toBe('json/plain');
    expect(clear).toMatchObject({ lockdownId: started.body.id, clientIp: record.clientIp, actor: { username: 'admin' } });
    expect((await decode(await plainUser())).status).toBe(403);
    expect((await decode(null)).status).toBe(401);

    // Round trip through /encode.
    const encoded = await stack.http.post('/api/v1/temporal-codec/encode').set(bearer(admin)).send({ payloads: asAuditor.body.payloads });
    expect(Buffer.from(encoded.body.payloads[0].metadata.encoding, 'base64').toString()).toBe('binary/encrypted');
    const again = await stack.http.post('/api/v1/temporal-codec/decode').set(bearer(admin)).send({ payloads: encoded.body.payloads });
    expect(again.body.payloads[0].data).toBe(asAuditor.body.payloads[0].data);
  });

  it('when the browser asks from the Temporal Web UI, then CORS allows it with credentials; from another origin, not', async () => {
    const uiOrigin = new URL(stack.config.TEMPORAL_UI_URL).origin;
    const preflight = (origin: string) =>
      stack.http.options('/api/v1/temporal-codec/decode').set('Origin', origin).set('Access-Control-Request-Method', 'POST').set('Access-Control-Request-Headers', 'content-type,x-namespace');
    const fromUi = await preflight(uiOrigin);
    expect(fromUi.headers['access-control-allow-origin']).toBe(uiOrigin);
    expect(fromUi.headers['access-control-allow-credentials']).toBe('true');
    const elsewhere = await preflight('https://evil.example');
    expect(elsewhere.headers['access-control-allow-origin']).not.toBe('https://evil.example');
  });

  it('when `temporal workflow show` runs with the codec endpoint and an auditor’s key, then the reason reads in clear; without it, not', async () => {
    const victim = await createUser(stack.db);
    const reason = `codec-cli-reason-${victim.id.slice(0, 8)}`;
    const started = await lock(admin, { user: victim.id, reason });
    await waitForLockdown(stack, admin, started.body.id);
    const workflowId = userLockdownWorkflowId(started.body.id, victim.id);
    const show = async (...codec: string[]) => payloadTexts(await temporal('workflow', 'show', '--workflow-id', workflowId, ...codec, '--output', 'json'));
    const withCodec = await show('--codec-endpoint', `${stack.baseUrl}/api/v1/temporal-codec`, '--codec-auth', `Bearer ${await auditor()}`);
    expect(withCodec).toContain(reason);
    expect(withCodec).toContain(victim.username);
    const withPlainUsersKey = await show('--codec-endpoint', `${stack.baseUrl}/api/v1/temporal-codec`, '--codec-auth', `Bearer ${await plainUser()}`).catch((err: Error) => err.message);
    expect(withPlainUsersKey).not.toContain(reason);
    const without = await show();
    expect(without).not.toContain(reason);
    expect(without).not.toContain(victim.username);
  });
});

/** Payloads as Temporal stores them (encrypted): the start input of a finished lockdown. */
async function storedPayloads() {
  const victim = await createUser(stack.db);
  const started = await lock(admin, { user: victim.id, reason: 'codec from a browser' });
  await waitForLockdown(stack, admin, started.body.id);
  return { lockdownId: started.body.id as string, payloads: JSON.parse(await rawHistoryText(started.body.workflowId)).events[0].workflowExecutionStartedEventAttributes.input.payloads };
}

/** A logged-in browser's session cookie for a user with `permission`. */
async function cookieOf(permission: 'view_audit' | null) {
  const password = 'browser-password-1';
  const user = await createUser(stack.db, { password });
  if (permission) await stack.db.permission.create({ data: { userId: user.id, permission } });
  return `lockdown_session=${await login(stack, user.username, password)}`;
}

describe('the codec server called by the Temporal Web UI in an auditor’s browser', () => {
  it('when the UI origin preflights and posts with the auditor’s session cookie, then CORS allows it with credentials and the payloads come back decoded', async () => {
    const uiOrigin = new URL(stack.config.TEMPORAL_UI_URL).origin;
    const { lockdownId, payloads } = await storedPayloads();
    // What the browser sends before a cross-origin JSON POST with credentials.
    const preflight = await stack.http
      .options('/api/v1/temporal-codec/decode')
      .set('Origin', uiOrigin)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type,x-namespace');
    expect(preflight.status).toBe(204);
    expect(preflight.headers).toMatchObject({ 'access-control-allow-origin': uiOrigin, 'access-control-allow-credentials': 'true' });
    expect(preflight.headers['access-control-allow-methods']).toContain('POST');
    expect(preflight.headers['access-control-allow-headers']).toBe('content-type,x-namespace');

    const auditor = await cookieOf('view_audit');
    const decoded = await stack.http.post('/api/v1/temporal-codec/decode').set('Origin', uiOrigin).set('Cookie', auditor).set('X-Namespace', 'default').send({ payloads });
    expect(decoded.status).toBe(200);
    expect(decoded.headers).toMatchObject({ 'access-control-allow-origin': uiOrigin, 'access-control-allow-credentials': 'true' });
    expect(JSON.parse(Buffer.from(decoded.body.payloads[0].data, 'base64').toString('utf8'))).toMatchObject({ lockdownId });
    const encoded = await stack.http.post('/api/v1/temporal-codec/encode').set('Origin', uiOrigin).set('Cookie', auditor).send({ payloads: decoded.body.payloads });
    expect(encoded.status).toBe(200);

    // The session decides what is decoded: a plain user's browser gets 403, readable by the UI.
    const plain = await stack.http.post('/api/v1/temporal-codec/decode').set('Origin', uiOrigin).set('Cookie', await cookieOf(null)).send({ payloads });
    expect(plain.status).toBe(403);
    expect(plain.body.error.code).toBe('permission_denied');
    expect(plain.headers['access-control-allow-origin']).toBe(uiOrigin);
  });

  it('when the cookie comes from another site, or with no Origin, then 403 csrf_failed; the UI origin opens no other route', async () => {
    const { payloads } = await storedPayloads();
    const auditor = await cookieOf('view_audit');
    const decode = () => stack.http.post('/api/v1/temporal-codec/decode').set('Cookie', auditor);
    const elsewhere = await decode().set('Origin', 'https://evil.example').send({ payloads });
    expect([elsewhere.status, elsewhere.body.error.code]).toEqual([403, 'csrf_failed']);
    expect(elsewhere.headers['access-control-allow-origin']).toBeUndefined();
    const noOrigin = await decode().send({ payloads });
    expect([noOrigin.status, noOrigin.body.error.code]).toEqual([403, 'csrf_failed']);
    // The console (same origin) keeps using its CSRF token.
    const csrf = await stack.http.get('/api/v1/auth/csrf').set('Cookie', auditor);
    expect((await decode().set(csrf.body.header, csrf.body.csrfToken).send({ payloads })).status).toBe(200);
    // Only the stateless codec trusts the UI origin: a state-changing route still wants the token.
    const victim = await createUser(stack.db);
    const lockdown = await stack.http.post('/api/v1/lockdowns').set('Origin', new URL(stack.config.TEMPORAL_UI_URL).origin).set('Cookie', `lockdown_session=${admin}`).send({ user: victim.id, reason: 'from the UI origin' });
    expect([lockdown.status, lockdown.body.error?.code]).toEqual([403, 'csrf_failed']);
  });

  it('when the Temporal Web UI is started as `npm run dev` starts it, then it points at the codec endpoint with credentials included', async () => {
    const codecEndpoint = `${stack.baseUrl}/api/v1/temporal-codec`;
    const ui = await startTemporalWebUi({ temporalAddress: stack.config.TEMPORAL_ADDRESS, port: 0, codecEndpoint });
    try {
      const settings = (await (await fetch(`${ui.url}/api/v1/settings`)).json()) as { Codec: unknown };
      expect(settings.Codec).toMatchObject({ Endpoint: codecEndpoint, IncludeCredentials: true, PassAccessToken: false });
    } finally {
      await ui.stop();
    }
  }, 600_000);
});

describe('forged cursors', () => {
  const forged = (position: object) => Buffer.from(JSON.stringify(position)).toString('base64url');

  it('when a cursor names a position past PostgreSQL’s integers, or a run or page token Temporal refuses, then 400 names query.cursor', async () => {
    const victim = await createUser(stack.db);
    const started = await lock(admin, { user: victim.id, reason: 'forged cursors' });
    await waitForLockdown(stack, admin, started.body.id);
    const { runId } = await stack.db.lockdown.findUniqueOrThrow({ where: { id: started.body.id } });
    const base = `/api/v1/lockdowns/${started.body.id}`;
    const cases: [string, object][] = [
      [`${base}/results`, { position: 2 ** 31 }],
      [`${base}/timeline`, { position: 2 ** 31 }],
      [`${base}/history`, { phase: 'children', position: 2 ** 31 }],
      [`${base}/history`, { phase: 'parent', runId: 'not-a-run-id' }],
      [`${base}/history`, { phase: 'parent', runId, token: Buffer.from('forged page token').toString('base64') }],
      ['/api/v1/lockdowns', { createdAt: new Date().toISOString(), id: 'not-a-uuid' }],
    ];
    for (const [url, position] of cases) {
      const response = await stack.http.get(url).query({ cursor: forged(position) }).set(bearer(admin));
      expect({ url, position, status: response.status, field: response.body.error?.details?.[0]?.field }).toEqual({ url, position, status: 400, field: 'query.cursor' });
    }
  });
});

describe('CSV exports and spreadsheet formulas', () => {
  it('when usernames start with =, +, -, @, a tab or a carriage return, then both CSV exports neutralise them; JSON Lines keeps them as they are', async () => {
    const suffix = uniqueName('');
    const names = ['=HYPERLINK("https://evil.example","open")', '+1+1', '-2+3', '@SUM(1)', '\tTAB', '\rCR'].map((name) => `${name}${suffix}`);
    const users = [];
    for (const username of names) users.push(await createUser(stack.db, { username }));
    const started = await lock(admin, { users: users.map((user) => user.id), reason: 'formula usernames' });
    await waitForLockdown(stack, admin, started.body.id);
    const neutralised = names.map((name) => `'${name}`);

    const results = await stack.http.get(`/api/v1/lockdowns/${started.body.id}/export/results`).query({ format: 'csv' }).set(bearer(admin));
    expect((parseCsv(results.text, { columns: true }) as { username: string }[]).map((row) => row.username)).toEqual(neutralised);
    const timeline = await stack.http.get(`/api/v1/lockdowns/${started.body.id}/export/timeline`).query({ format: 'csv' }).set(bearer(admin));
    const timelineNames = new Set((parseCsv(timeline.text, { columns: true }) as { username: string }[]).map((row) => row.username).filter(Boolean));
    expect([...timelineNames].sort()).toEqual([...neutralised].sort());
    expect(timeline.text).not.toMatch(/(^|,)[=+\-@\t\r]/m);

    const jsonl = await stack.http.get(`/api/v1/lockdowns/${started.body.id}/export/results`).query({ format: 'jsonl' }).set(bearer(admin)).buffer(true).parse((res, done) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk));
      res.on('end', () => done(null, body));
    });
    expect((jsonl.body as string).trim().split('\n').map((line) => JSON.parse(line).username)).toEqual(names);
  });
});

describe('search attributes', () => {
  it('when a user was locked twice, then `temporal workflow list --query LockdownTargetUserId=…` finds both; LockdownId and LockdownActorId find the rest', async () => {
    const [victim, other] = [await createUser(stack.db), await createUser(stack.db)];
    const first = await lock(admin, { users: [victim.id, other.id], reason: 'search attributes 1' });
    await waitForLockdown(stack, admin, first.body.id);
    await stack.db.user.update({ where: { id: victim.id }, data: { isActive: true } });
    const second = await lock(admin, { user: victim.id, reason: 'search attributes 2' });
    await waitForLockdown(stack, admin, second.body.id);

    const ofUser = await listWorkflows(`LockdownTargetUserId='${victim.id}'`, 2);
    expect(ofUser.map((workflow) => workflow.execution.workflowId).sort()).toEqual(
      [userLockdownWorkflowId(first.body.id, victim.id), userLockdownWorkflowId(second.body.id, victim.id)].sort(),
    );
    const ofLockdown = await listWorkflows(`LockdownId='${first.body.id}'`, 3);
    expect(ofLockdown.map((workflow) => workflow.execution.workflowId).sort()).toEqual(
      [first.body.workflowId, userLockdownWorkflowId(first.body.id, victim.id), userLockdownWorkflowId(first.body.id, other.id)].sort(),
    );
    const adminId = (await stack.db.user.findUniqueOrThrow({ where: { username: 'admin' } })).id;
    const bulkByAdmin = await listWorkflows(`LockdownActorId='${adminId}' AND LockdownTargetCount=2 AND LockdownSelfService=false AND LockdownId='${first.body.id}'`, 1);
    expect(bulkByAdmin.map((workflow) => workflow.execution.workflowId)).toEqual([first.body.workflowId]);
    // Ids only: nothing personal in the visibility store.
    const described = await temporal('workflow', 'describe', '--workflow-id', userLockdownWorkflowId(first.body.id, victim.id), '--output', 'json');
    expect(described).not.toContain(victim.username);
    expect(described).not.toContain('search attributes 1');
  });
});

describe('history, timeline and exports', () => {
  it('when a bulk lockdown had a failing user, then /history pages through decoded events without stack traces or server paths, and children follow', async () => {
    const [healthy, broken] = [await createUser(stack.db), await createUser(stack.db)];
    await stack.db.session.create({ data: { userId: broken.id, keyHash: `broken-${broken.id}`, expiresAt: new Date(Date.now() + 60_000) } });
    const trigger = `fail_${broken.id.replace(/-/g, '')}`;
    await stack.db.$executeRawUnsafe(`CREATE FUNCTION ${trigger}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'session store unavailable for this user'; END $$`);
    await stack.db.$executeRawUnsafe(`CREATE TRIGGER ${trigger} BEFORE DELETE ON sessions FOR EACH ROW WHEN (OLD.user_id = '${broken.id}') EXECUTE FUNCTION ${trigger}()`);
    let lockdownId: string;
    try {
      const started = await lock(admin, { users: [healthy.id, broken.id], reason: 'history with a failure' });
      lockdownId = started.body.id;
      const finished = await waitForLockdown(stack, admin, lockdownId);
      expect(finished.progress).toMatchObject({ locked: 1, failed: 1 });
    } finally {
      await stack.db.$executeRawUnsafe(`DROP TRIGGER ${trigger} ON sessions`);
      await stack.db.$executeRawUnsafe(`DROP FUNCTION ${trigger}()`);
    }

    const pages = [];
    for (let cursor: string | null | undefined = undefined; cursor !== null; ) {
      const page: Response = await stack.http.get(`/api/v1/lockdowns/${lockdownId}/history`).query({ children: 'true', limit: 5, ...(cursor ? { cursor } : {}) }).set(bearer(admin));
      expect(page.status).toBe(200);
      pages.push(page.body);
      cursor = page.body.nextCursor;
    }
    expect(pages.length).toBeGreaterThan(2);
    const parentEvents = pages.flatMap((page) => page.runs.flatMap((run: { events: unknown[] }) => run.events));
    expect(parentEvents[0]).toMatchObject({ eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED' });
    expect(parentEvents.every((event: { eventId: string }, index: number) => Number(event.eventId) === index + 1)).toBe(true);
    // Decoded: the start input is the lockdown's input, in clear, for an admin.
    expect(parentEvents[0].workflowExecutionStartedEventAttributes.input.payloads[0]).toMatchObject({ lockdownId, initialValues: { reason: 'history with a failure' } });
    const children = pages.flatMap((page) => page.children ?? []);
    expect(children.map((child: { userId: string }) => child.userId)).toEqual([healthy.id, broken.id]);
    const text = JSON.stringify(pages);
    expect(text).toContain('session store unavailable for this user');
    expect(text).not.toContain('stackTrace');
    expect(text).not.toContain(ROOT);
    expect(text).not.toMatch(/\.ts:\d+/);

    const timeline = await stack.http.get(`/api/v1/lockdowns/${lockdownId!}/timeline`).set(bearer(admin));
    expect(timeline.status).toBe(200);
    const failedUser = timeline.body.users.find((user: { userId: string }) => user.userId === broken.id);
    expect(failedUser).toMatchObject({ status: 'failed', error: expect.stringContaining('session store unavailable') });
    expect(failedUser.steps).toEqual(expect.arrayContaining([expect.objectContaining({ step: 'deleteSessions', error: expect.stringContaining('session store unavailable') })]));
  });

  it('when a lockdown was cancelled at its prompt, then /history?children=true answers 200 with its unstarted children', async () => {
    const victim = await createUser(stack.db);
    const waiting = await lock(admin, { user: victim.id });
    await stack.http.post(`/api/v1/lockdowns/${waiting.body.id}/cancel`).set(bearer(admin));
    const history = await stack.http.get(`/api/v1/lockdowns/${waiting.body.id}/history`).query({ children: 'true' }).set(bearer(admin));
    expect(history.status).toBe(200);
    expect(history.body.children).toEqual([{ userId: victim.id, workflowId: userLockdownWorkflowId(waiting.body.id, victim.id), started: false, runs: [] }]);
  });

  it('when an auditor reads the timeline, then it tells who asked, from where, the prompt answer, and each user’s steps with times and counts, paged by user', async () => {
    const victims = [await createUser(stack.db), await createUser(stack.db), await createUser(stack.db)];
    for (const victim of victims) {
      await stack.db.session.create({ data: { userId: victim.id, keyHash: `timeline-${victim.id}`, expiresAt: new Date(Date.now() + 60_000) } });
    }
    const started = await lock(admin, { users: victims.map((victim) => victim.id) });
    await stack.http.post(`/api/v1/lockdowns/${started.body.id}/stage`).set(bearer(admin)).send({ reason: 'timeline reason' });
    await waitForLockdown(stack, admin, started.body.id);
    const key = await auditor();

    const first = await stack.http.get(`/api/v1/lockdowns/${started.body.id}/timeline`).query({ limit: 2 }).set(bearer(key));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      source: 'temporal+postgresql',
      lockdown: { id: started.body.id, status: 'completed', requestedBy: { username: 'admin' }, clientIp: expect.any(String), reason: 'timeline reason' },
    });
    const whats = first.body.events.map((entry: { what: string }) => entry.what);
    expect(whats).toEqual(expect.arrayContaining(['requested', 'workflow started', 'prompt answered', 'status: running', 'finished: completed']));
    expect(first.body.events.find((entry: { what: string }) => entry.what === 'prompt answered').detail).toEqual({ values: { reason: 'timeline reason' } });
    expect(first.body.users.map((user: { userId: string }) => user.userId)).toEqual([victims[0].id, victims[1].id]);
    const steps = first.body.users[0].steps;
    expect(steps.map((step: { step: string }) => step.step)).toEqual(
      expect.arrayContaining(['started', 'deactivateUser', 'setUnusablePassword', 'deleteSessions', 'revokeTokens', 'verifyLockdown', 'writeLockdownAuditEvent', 'locked']),
    );
    expect(steps.find((step: { step: string }) => step.step === 'deleteSessions')).toMatchObject({ count: 1, at: expect.any(String) });
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await stack.http.get(`/api/v1/lockdowns/${started.body.id}/timeline`).query({ limit: 2, cursor: first.body.nextCursor }).set(bearer(key));
    expect(second.body.users.map((user: { userId: string }) => user.userId)).toEqual([victims[2].id]);
    expect(second.body.nextCursor).toBeNull();
    expect((await stack.http.get(`/api/v1/lockdowns/${started.body.id}/timeline`).set(bearer(await plainUser()))).status).toBe(404);

    // Exports: CSV and JSON Lines, chosen by ?format= or Accept.
    const csv = await stack.http.get(`/api/v1/lockdowns/${started.body.id}/export/results`).query({ format: 'csv' }).set(bearer(key));
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe('lockdownId,userId,username,status,success,error,sessionsRevoked,tokensRevoked,completedAt');
    expect(lines.slice(1).map((line) => line.split(',')[1])).toEqual(victims.map((victim) => victim.id));
    const jsonl = await stack.http.get(`/api/v1/lockdowns/${started.body.id}/export/timeline`).set('Accept', 'application/x-ndjson').set(bearer(key)).buffer(true).parse((res, done) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk));
      res.on('end', () => done(null, body));
    });
    expect(jsonl.headers['content-type']).toContain('application/x-ndjson');
    const records = (jsonl.body as string).trim().split('\n').map((line) => JSON.parse(line));
    expect(records[0]).toMatchObject({ type: 'lockdown', source: 'temporal+postgresql' });
    expect(records.slice(1).map((record) => [record.type, record.userId])).toEqual(victims.map((victim) => ['user', victim.id]));
    const timelineCsv = await stack.http.get(`/api/v1/lockdowns/${started.body.id}/export/timeline`).query({ format: 'csv' }).set(bearer(key));
    expect(timelineCsv.text).toContain(`,${victims[2].id},${victims[2].username},locked,deleteSessions,`);
  });

  it('when Temporal no longer has the histories, then the timeline is built from PostgreSQL alone and says so', async () => {
    const victim = await createUser(stack.db);
    const started = await lock(admin, { user: victim.id, reason: 'retention expired' });
    await waitForLockdown(stack, admin, started.body.id);
    for (const workflowId of [started.body.workflowId, userLockdownWorkflowId(started.body.id, victim.id)]) {
      await stack.temporal.workflowService.deleteWorkflowExecution({ namespace: stack.config.TEMPORAL_NAMESPACE, workflowExecution: { workflowId } });
    }
    // Deletion is asynchronous on the server: wait until the histories are gone.
    const fromPostgresql = async () => {
      const answer = await stack.http.get(`/api/v1/lockdowns/${started.body.id}/timeline`).set(bearer(admin));
      return answer.body.source === 'postgresql' ? answer : undefined;
    };
    const timeline = await waitFor('the timeline to come from PostgreSQL alone', fromPostgresql, { timeoutMs: 60_000, intervalMs: 250 });
    expect(timeline.status).toBe(200);
    expect(timeline.body).toMatchObject({ source: 'postgresql', note: expect.stringContaining('PostgreSQL record alone'), lockdown: { reason: 'retention expired' } });
    expect(timeline.body.users[0]).toMatchObject({ userId: victim.id, status: 'locked', historyRetained: false, steps: [{ step: 'locked', at: expect.any(String) }] });
    const history = await stack.http.get(`/api/v1/lockdowns/${started.body.id}/history`).set(bearer(admin));
    expect(history.body).toMatchObject({ retained: false, runs: [] });
  });
});
