import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { ACCOUNT_LOCKDOWN_TRIGGERED } from '../domain/events';
import { createPayloadCodec } from '../lib/data-converter';
import { ENCRYPTED_ENCODING } from '../lib/payload-codec';
import { notificationWorkflowId, securityEventsWorkflowId, userLockdownWorkflowId } from '../workflows/ids';
import { createBrand } from './support/flows';
import { closedPort } from './support/receivers';
import {
  adminSession,
  bearer,
  createManyUsers,
  createUser,
  login,
  startStack,
  uniqueName,
  waitForLockdown,
  waitForLockdownRecord,
  waitForWorkflowResult,
  type Stack,
} from './support/stack';
import { startLockdown } from './support/lockdowns';

/**
 * Records the Temporal histories that test/replay.test.ts replays. Run it when a workflow
 * change is *meant* to be incompatible (then version it) or to add scenarios:
 *   RECORD_HISTORIES=1 npm test -- test/record-histories.test.ts
 * Add `-t '<scenario name>'` to record one scenario and leave the other fixtures as they are.
 */
const HISTORIES = path.join(__dirname, 'histories');
/**
 * Histories are kept per workflow version: bump this when recording after a change to the
 * workflows (the older files stay, so their runs must keep replaying), and list the new
 * files in test/replay.test.ts.
 */
const HISTORY_VERSION = 'v9';
const recording = process.env.RECORD_HISTORIES === '1';
const maybe = recording ? describe : describe.skip;

let stack: Stack;
let admin: string;

/**
 * Payloads decrypted before saving: the key of a test run is thrown away with it, and the
 * replay is about the workflow's commands, not about encryption.
 */
async function decrypted(value: unknown): Promise<unknown> {
  if (Array.isArray(value)) return Promise.all(value.map(decrypted));
  if (value === null || typeof value !== 'object') return value;
  const { metadata, data } = value as { metadata?: Record<string, string>; data?: string };
  if (metadata?.encoding && Buffer.from(metadata.encoding, 'base64').toString() === ENCRYPTED_ENCODING) {
    const [clear] = await createPayloadCodec(stack.config).decode([
      { metadata: Object.fromEntries(Object.entries(metadata).map(([key, text]) => [key, Buffer.from(text, 'base64')])), data: Buffer.from(data ?? '', 'base64') },
    ]);
    return {
      metadata: Object.fromEntries(Object.entries(clear.metadata ?? {}).map(([key, bytes]) => [key, Buffer.from(bytes ?? new Uint8Array()).toString('base64')])),
      data: Buffer.from(clear.data ?? new Uint8Array()).toString('base64'),
    };
  }
  return Object.fromEntries(await Promise.all(Object.entries(value).map(async ([key, inner]) => [key, await decrypted(inner)] as const)));
}
let host: string;

/** PostgreSQL refusing writes, scoped by name, so the failure branches of the workflows are recorded too. */
const REFUSALS = [
  `CREATE OR REPLACE FUNCTION recorded_refuse_password() RETURNS trigger AS $$
   BEGIN
     IF NEW.username LIKE 'recorded-refusepw-%' AND NEW.password_hash IS DISTINCT FROM OLD.password_hash THEN RAISE EXCEPTION 'recorded: password change refused'; END IF;
     RETURN NEW;
   END $$ LANGUAGE plpgsql`,
  'CREATE TRIGGER recorded_refuse_password BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION recorded_refuse_password()',
  `CREATE OR REPLACE FUNCTION recorded_refuse_running() RETURNS trigger AS $$
   BEGIN
     IF NEW.reason LIKE 'recorded-refuse-running%' AND NEW.status = 'running' THEN RAISE EXCEPTION 'recorded: lockdown record refused'; END IF;
     RETURN NEW;
   END $$ LANGUAGE plpgsql`,
  'CREATE TRIGGER recorded_refuse_running BEFORE UPDATE ON lockdowns FOR EACH ROW EXECUTE FUNCTION recorded_refuse_running()',
  `CREATE OR REPLACE FUNCTION recorded_refuse_result() RETURNS trigger AS $$
   BEGIN
     IF NEW.username LIKE 'recorded-refuseresult-%' AND NEW.status IN ('locked', 'failed') THEN RAISE EXCEPTION 'recorded: result refused'; END IF;
     RETURN NEW;
   END $$ LANGUAGE plpgsql`,
  'CREATE TRIGGER recorded_refuse_result BEFORE UPDATE ON lockdown_targets FOR EACH ROW EXECUTE FUNCTION recorded_refuse_result()',
];

maybe('recording workflow histories for replay tests', () => {
  beforeAll(async () => {
    stack = await startStack({
      LOCKDOWN_BULK_WINDOW: '3',
      LOCKDOWN_CONTINUE_AS_NEW_AFTER: '5',
      NOTIFICATION_MAX_ATTEMPTS: '2',
      NOTIFICATION_RETRY_INITIAL_MS: '100',
      LOCKDOWN_APPROVAL_THRESHOLD: '2',
      LOCKDOWN_APPROVAL_TIMEOUT_SECONDS: '600',
    });
    admin = await adminSession(stack);
    ({ host } = await createBrand(stack.db));
    mkdirSync(HISTORIES, { recursive: true });
  });
  afterAll(() => stack?.stop());

  const lock = (key: string, body: object, brandHost = host) => startLockdown(stack, key, body, brandHost);

  /** Every run of the parent (continue-as-new included), plus the named children. */
  async function save(name: string, workflowId: string, childIds: string[] = []) {
    const histories: { workflowId: string; history: unknown }[] = [];
    const runs: string[] = [];
    for await (const execution of stack.temporal.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(execution.runId);
    for (const id of [...runs.map((runId) => ({ workflowId, runId })), ...childIds.map((childId) => ({ workflowId: childId, runId: undefined }))]) {
      const history = await stack.temporal.workflow.getHandle(id.workflowId, id.runId).fetchHistory();
      histories.push({ workflowId: id.workflowId, history: await decrypted(JSON.parse(historyToJSON(history))) });
    }
    writeFileSync(path.join(HISTORIES, `${HISTORY_VERSION}-${name}.json`), JSON.stringify(histories, null, 1) + '\n');
  }

  it('single lockdown with the prompt answered through the update', async () => {
    const victim = await createUser(stack.db);
    const started = await lock(admin, { user: victim.id });
    await stack.http.post(`/api/v1/lockdowns/${started.body.id}/stage`).set(bearer(admin)).send({});
    await stack.http.post(`/api/v1/lockdowns/${started.body.id}/stage`).set(bearer(admin)).send({ reason: 'recorded' });
    await waitForLockdown(stack, admin, started.body.id);
    await save('single-prompt', started.body.workflowId, [userLockdownWorkflowId(started.body.id, victim.id)]);
  });

  it('bulk lockdown that continues as new', async () => {
    const ids = await createManyUsers(stack.db, 12);
    const started = await lock(admin, { users: ids, reason: 'recorded bulk' });
    await waitForLockdown(stack, admin, started.body.id);
    await new Promise((resolve) => setTimeout(resolve, 2000)); // visibility catches up
    await save('bulk-continue-as-new', started.body.workflowId, [userLockdownWorkflowId(started.body.id, ids[0])]);
  });

  it('self-service lockdown', async () => {
    const user = await createUser(stack.db, { password: 'recorded-password' });
    const session = await login(stack, user.username, 'recorded-password');
    const started = await lock(session, { reason: 'recorded self-service' });
    await waitForLockdownRecord(stack.db, started.body.id);
    await save('self-service', started.body.workflowId, [userLockdownWorkflowId(started.body.id, user.id)]);
  });

  it('lockdown cancelled at its prompt, and a bulk lockdown cancelled midway', async () => {
    const victim = await createUser(stack.db);
    const waiting = await lock(admin, { user: victim.id });
    await stack.http.post(`/api/v1/lockdowns/${waiting.body.id}/cancel`).set(bearer(admin));
    await save('cancelled-at-prompt', waiting.body.workflowId);

    const ids = await createManyUsers(stack.db, 9);
    const running = await lock(admin, { users: ids.slice(0, 4), reason: 'recorded cancel' });
    await stack.http.post(`/api/v1/lockdowns/${running.body.id}/cancel`).set(bearer(admin));
    await waitForLockdownRecord(stack.db, running.body.id);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await save('cancelled-bulk', running.body.workflowId);
  });

  it('a user whose run fails after deactivation (account_lockdown_failed), a lockdown whose run fails, a result that cannot be recorded (v4)', async () => {
    for (const statement of REFUSALS) await stack.db.$executeRawUnsafe(statement);
    try {
      const victim = await createUser(stack.db, { username: uniqueName('recorded-refusepw') });
      const started = await lock(admin, { user: victim.id, reason: 'recorded failed user' });
      await waitForLockdown(stack, admin, started.body.id);
      await save('failed-user', started.body.workflowId, [userLockdownWorkflowId(started.body.id, victim.id)]);

      const other = await createUser(stack.db);
      const failing = await lock(admin, { user: other.id, reason: 'recorded-refuse-running' });
      await waitForLockdownRecord(stack.db, failing.body.id);
      await save('failed-run', failing.body.workflowId);

      const unrecorded = await createUser(stack.db, { username: uniqueName('recorded-refuseresult') });
      const refused = await lock(admin, { user: unrecorded.id, reason: 'recorded unrecorded result' });
      await waitForLockdownRecord(stack.db, refused.body.id);
      await save('unrecorded-result', refused.body.workflowId, [userLockdownWorkflowId(refused.body.id, unrecorded.id)]);
    } finally {
      await stack.db.$executeRawUnsafe('DROP TRIGGER IF EXISTS recorded_refuse_password ON users');
      await stack.db.$executeRawUnsafe('DROP TRIGGER IF EXISTS recorded_refuse_running ON lockdowns');
      await stack.db.$executeRawUnsafe('DROP TRIGGER IF EXISTS recorded_refuse_result ON lockdown_targets');
    }
  });

  it('a user deactivated through PATCH /users/:id, and one deleted (v6)', async () => {
    for (const [name, request] of [
      ['deactivation', (id: string) => stack.http.patch(`/api/v1/users/${id}`).set(bearer(admin)).send({ isActive: false, reason: 'recorded deactivation' })],
      ['deletion', (id: string) => stack.http.delete(`/api/v1/users/${id}`).set(bearer(admin))],
    ] as const) {
      const victim = await createUser(stack.db);
      expect((await request(victim.id)).status).toBeLessThan(300);
      const lockdown = await stack.db.lockdown.findFirstOrThrow({ where: { cause: { not: null }, reason: name === 'deactivation' ? 'recorded deactivation' : undefined }, orderBy: { createdAt: 'desc' } });
      await save(name, lockdown.workflowId, [userLockdownWorkflowId(lockdown.id, victim.id)]);
    }
  });

  it('bulk lockdowns waiting for approval: approved, rejected, expired (v6)', async () => {
    const { host: approvalHost } = await createBrand(stack.db, { requireApproval: true });
    const password = 'recorded-approver-password';
    const approverUser = await createUser(stack.db, { username: uniqueName('recorded-approver'), password });
    await stack.db.permission.create({ data: { userId: approverUser.id, permission: 'change_user' } });
    const approver = await login(stack, approverUser.username, password);
    for (const decision of ['approve', 'reject'] as const) {
      const ids = await createManyUsers(stack.db, 3);
      const started = await lock(admin, { users: ids, reason: `recorded ${decision}` }, approvalHost);
      expect(started.body.status).toBe('awaiting_approval');
      expect((await stack.http.post(`/api/v1/lockdowns/${started.body.id}/${decision}`).set(bearer(approver)).send({ comment: 'recorded' })).status).toBe(200);
      await waitForLockdown(stack, admin, started.body.id);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      await save(decision === 'approve' ? 'approval-approved' : 'approval-rejected', started.body.workflowId, decision === 'approve' ? [userLockdownWorkflowId(started.body.id, ids[0])] : []);
    }
    const short = await startStack({ LOCKDOWN_APPROVAL_THRESHOLD: '2', LOCKDOWN_APPROVAL_TIMEOUT_SECONDS: '2' });
    try {
      const ids = await createManyUsers(short.db, 3);
      const started = await short.http.post('/api/v1/lockdowns').set('Host', approvalHost).set(bearer(admin)).send({ users: ids, reason: 'recorded expiry' });
      expect(started.body.status).toBe('awaiting_approval');
      await waitForLockdown(short, admin, started.body.id);
      await save('approval-expired', started.body.workflowId);
    } finally {
      await short.stop();
    }
  });

  it('lockdown whose event a notification rule matches', async () => {
    const [victim, member] = [await createUser(stack.db), await createUser(stack.db)];
    const group = await stack.db.group.create({ data: { name: uniqueName('recorded-team'), members: { create: { userId: member.id } } } });
    const policy = await stack.db.eventMatcherPolicy.create({ data: { name: uniqueName('recorded-policy'), action: ACCOUNT_LOCKDOWN_TRIGGERED } });
    const local = await stack.db.notificationTransport.create({ data: { name: uniqueName('recorded-local'), mode: 'local' } });
    // A receiver that is down: the history holds the retries and the delivery given up.
    const webhook = await stack.db.notificationTransport.create({
      data: { name: uniqueName('recorded-webhook'), mode: 'webhook', webhookUrl: `http://127.0.0.1:${await closedPort()}/hook` },
    });
    const rule = await stack.db.notificationRule.create({
      data: {
        name: uniqueName('recorded-rule'),
        severity: 'alert',
        destinationGroupId: group.id,
        transports: { connect: [{ id: local.id }, { id: webhook.id }] },
        policies: { connect: { id: policy.id } },
      },
    });
    try {
      const started = await lock(admin, { user: victim.id, reason: 'recorded notifications' });
      await waitForLockdown(stack, admin, started.body.id);
      const event = await stack.db.event.findFirstOrThrow({ where: { lockdownId: started.body.id } });
      await waitForWorkflowResult(stack, notificationWorkflowId(event.id));
      await save('notifications', started.body.workflowId, [userLockdownWorkflowId(started.body.id, victim.id), notificationWorkflowId(event.id)]);
    } finally {
      // Rules match every later lockdown: leave none behind for other scenarios.
      await stack.db.notificationRule.delete({ where: { id: rule.id } });
    }
  });

  it('lockdown whose SETs go to a Shared Signals receiver, answered 503 once then 202 (v9)', async () => {
    let answered = 0;
    const receiver = createServer((request, response) => {
      request.resume();
      request.on('end', () => response.writeHead(answered++ === 0 ? 503 : 202).end());
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const endpointUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/events`;
    const created = await stack.http.post('/api/v1/ssf_receivers').set(bearer(admin)).send({ name: uniqueName('recorded-receiver'), endpointUrl, audience: 'https://recorded.example' });
    expect(created.status).toBe(201);
    try {
      const victim = await createUser(stack.db);
      const started = await lock(admin, { user: victim.id, reason: 'recorded security events' });
      await waitForLockdown(stack, admin, started.body.id);
      const event = await stack.db.event.findFirstOrThrow({ where: { lockdownId: started.body.id } });
      await waitForWorkflowResult(stack, securityEventsWorkflowId(event.id));
      await save('security-events', started.body.workflowId, [userLockdownWorkflowId(started.body.id, victim.id), securityEventsWorkflowId(event.id)]);
    } finally {
      // Receivers get every later lockdown's SETs: leave none behind.
      await stack.http.delete(`/api/v1/ssf_receivers/${created.body.id}`).set(bearer(admin));
      receiver.close();
    }
  });
});

if (!recording) it.skip('records histories only with RECORD_HISTORIES=1', () => undefined);
