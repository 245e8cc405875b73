import { Client, WorkflowNotFoundError } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import supertest from 'supertest';
import { createApp } from '../../api/app';
import { answerClientErrorsInEnvelope } from '../../api/http/errors';
import { loadConfig, type Config } from '../../lib/config';
import { generateKey, hashKey, hashPassword } from '../../lib/credentials';
import { createDb, type Db } from '../../lib/db';
import { createLogger } from '../../lib/logger';
import { createDataConverter } from '../../lib/data-converter';
import { createRecordNotices } from '../../lib/record-notices';
import { createTemporalClient } from '../../lib/temporal';
import { createLockdownWorker } from '../../worker/create-worker';
import { waitFor } from './wait';

/**
 * The real stack for one test file: the API on a random port, a worker on its own task
 * queue, both against the Temporal dev server and PostgreSQL that scripts/test.ts started.
 */
export const ADMIN_PASSWORD = 'admin-password-for-tests';

export interface Stack {
  config: Config;
  db: Db;
  temporal: Client;
  worker: Worker | null;
  http: ReturnType<typeof supertest>;
  baseUrl: string;
  stop(): Promise<void>;
}

export async function startStack(env: Record<string, string> = {}, options: { worker?: boolean } = {}): Promise<Stack> {
  const config = loadConfig({
    ...process.env,
    TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`,
    LOGIN_RATE_LIMIT_PER_MINUTE: '10000',
    LOGIN_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE: '10000',
    API_WORKFLOW_DEADLINE_MS: '15000',
    // Tests pick a brand of their own by its Host header (test/support/flows.ts createBrand).
    LOCKDOWN_BRAND_FROM_HOST: 'true',
    ...env,
  });
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn', 'test');
  const db = createDb(config.DATABASE_URL);
  // Without an in-process worker the test runs its own (e.g. as a process it can kill).
  const recordNotices = createRecordNotices();
  const inProcess = options.worker === false ? null : await createLockdownWorker({ config, db, logger, workflowBundlePath: process.env.WORKFLOW_BUNDLE_PATH, recordNotices });
  const running = inProcess?.worker.run();
  // With one, the client shares its connection as in the API process: lockdowns start eagerly on it.
  const temporal = inProcess
    ? new Client({ connection: inProcess.connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: createDataConverter(config) })
    : await createTemporalClient(config);
  const server: Server = createApp({ config, db, temporal, logger, eagerWorkflowStart: inProcess !== null, recordNotices: inProcess ? recordNotices : undefined }).listen(0, '127.0.0.1');
  answerClientErrorsInEnvelope(server);
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    config,
    db,
    temporal,
    worker: inProcess?.worker ?? null,
    baseUrl,
    http: supertest(baseUrl),
    async stop() {
      await new Promise((resolve) => server.close(resolve));
      if (inProcess) {
        inProcess.worker.shutdown();
        await running;
        await inProcess.connection.close();
      } else {
        await temporal.connection.close();
      }
      await db.$disconnect();
    },
  };
}

export const uniqueName = (prefix = 'user') => `${prefix}-${randomUUID().slice(0, 8)}`;

export async function createUser(
  db: Db,
  options: { username?: string; password?: string; isSuperuser?: boolean; type?: 'internal' | 'internal_service_account' | 'service_account' } = {},
) {
  return db.user.create({
    data: {
      username: options.username ?? uniqueName(),
      email: `${randomUUID().slice(0, 8)}@example.test`,
      passwordHash: options.password ? await hashPassword(options.password) : null,
      isSuperuser: options.isSuperuser ?? false,
      type: options.type ?? 'internal',
    },
  });
}

/** A session key of `userId`, written directly (for users that never log in through the API). */
export async function addSession(db: Db, userId: string, options: { expired?: boolean } = {}): Promise<string> {
  const key = generateKey();
  const expiresAt = new Date(Date.now() + (options.expired ? -3_600_000 : 3_600_000));
  await db.session.create({ data: { userId, keyHash: hashKey(key), expiresAt } });
  return key;
}

export async function addToken(
  db: Db,
  userId: string,
  intent: 'api' | 'app_password' | 'recovery' | 'verification',
  options: { expired?: boolean } = {},
): Promise<string> {
  const key = generateKey();
  await db.token.create({
    data: {
      userId,
      intent,
      identifier: uniqueName(intent),
      keyHash: hashKey(key),
      expiresAt: options.expired ? new Date(Date.now() - 3_600_000) : null,
    },
  });
  return key;
}

export async function login(stack: Stack, username: string, password: string): Promise<string> {
  const response = await stack.http.post('/api/v1/auth/login').send({ username, password });
  if (response.status !== 200) throw new Error(`login of ${username} failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.sessionKey;
}

export const adminSession = (stack: Stack) => login(stack, 'admin', ADMIN_PASSWORD);
export const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

/** `count` users created in one statement, each with one live session and one API token. */
export async function createManyUsers(db: Db, count: number, prefix = uniqueName('bulk')): Promise<string[]> {
  const ids = Array.from({ length: count }, () => randomUUID());
  await db.user.createMany({ data: ids.map((id, index) => ({ id, username: `${prefix}-${index}`, passwordHash: null })) });
  const expiresAt = new Date(Date.now() + 3_600_000);
  await db.session.createMany({ data: ids.map((userId) => ({ userId, keyHash: hashKey(generateKey()), expiresAt })) });
  await db.token.createMany({
    data: ids.map((userId, index) => ({ userId, intent: 'api' as const, identifier: `${prefix}-token-${index}`, keyHash: hashKey(generateKey()) })),
  });
  return ids;
}

// Kept here too, for the test files that import them with the stack.
export { waitForLockdown, waitForLockdownRecord } from './lockdowns';

/** The result of a workflow that may not have been started yet (e.g. one a child starts as it ends), once it has closed. */
export async function waitForWorkflowResult<T>(stack: Stack, workflowId: string, timeoutMs = 60_000): Promise<T> {
  const handle = stack.temporal.workflow.getHandle(workflowId);
  let state = 'not started';
  await waitFor(
    `workflow ${workflowId} to close`,
    async () => {
      try {
        state = (await handle.describe()).status.name;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return undefined;
        throw err;
      }
      return state === 'RUNNING' ? undefined : true;
    },
    { timeoutMs, intervalMs: 250, lastSeen: () => state },
  );
  return handle.result();
}
