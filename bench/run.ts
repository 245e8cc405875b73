import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { createUserLockdownActivities } from '../activities/user-lockdown';
import { createAuditActivities } from '../activities/audit';
import { createApp } from '../api/app';
import { loadConfig } from '../lib/config';
import { generateKey, hashKey } from '../lib/credentials';
import { createDb, type Db } from '../lib/db';
import { createLogger } from '../lib/logger';
import { createTemporalClient } from '../lib/temporal';
import { startEphemeralServices } from '../scripts/lib/ephemeral-services';
import { log } from '../scripts/lib/log';
import { stopProcess } from '../scripts/lib/temporal-cli';

/**
 * Measures the lockdown service on this machine, next to a baseline in the same run:
 * - latency of single lockdowns through the API (request → completed), percentiles;
 * - throughput of a bulk lockdown through Temporal (per-user child workflows);
 * - baseline: the very same activity code called directly, with the same concurrency and
 *   no Temporal — the cost of the database work alone, so the orchestration overhead shows;
 * - peak memory (RSS) of the worker process.
 */
const ROOT = path.resolve(__dirname, '..');
const ADMIN_PASSWORD = 'bench-admin-password';

const program = new Command('npm run bench --')
  .description('Benchmark lockdown latency and bulk throughput against a baseline; writes bench/results/latest.json.')
  .option('--singles <n>', 'single-user lockdowns, one after another', '40')
  .option('--bulk <n>', 'users in the bulk lockdown', '1000')
  .option('--window <n>', 'per-user children running at once (LOCKDOWN_BULK_WINDOW)', '25')
  .option('--continue-as-new-after <n>', 'children per parent run', '500')
  .addHelpText('after', '\nUses TEMPORAL_ADDRESS / BENCH_DATABASE_URL when set; otherwise starts a dev server and a private PostgreSQL.')
  .parse();

interface Options {
  singles: string;
  bulk: string;
  window: string;
  continueAsNewAfter: string;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Users with two live sessions and one API token each, inserted in chunks of 2,000 users. */
async function createUsers(db: Db, count: number): Promise<string[]> {
  const prefix = `bench-${randomUUID().slice(0, 6)}`;
  const ids = Array.from({ length: count }, () => randomUUID());
  const expiresAt = new Date(Date.now() + 3_600_000);
  for (let start = 0; start < count; start += 2_000) {
    const chunk = ids.slice(start, start + 2_000);
    await db.user.createMany({ data: chunk.map((id, index) => ({ id, username: `${prefix}-${start + index}` })) });
    await db.session.createMany({ data: chunk.flatMap((userId) => [0, 1].map(() => ({ userId, keyHash: hashKey(generateKey()), expiresAt }))) });
    await db.token.createMany({
      data: chunk.map((userId, index) => ({ userId, intent: 'api' as const, identifier: `${prefix}-t-${start + index}`, keyHash: hashKey(generateKey()) })),
    });
  }
  return ids;
}

async function main() {
  const options = program.opts<Options>();
  const [singles, bulk, window] = [Number(options.singles), Number(options.bulk), Number(options.window)];
  const services = await startEphemeralServices({ name: 'bench', databaseUrl: process.env.BENCH_DATABASE_URL, adminPassword: ADMIN_PASSWORD });
  const { temporalAddress, databaseUrl } = services;
  const cleanups: (() => Promise<void> | void)[] = [() => services.stop()];
  try {
    const env = {
      ...process.env,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_TASK_QUEUE: `bench-${process.pid}`,
      LOCKDOWN_PAYLOAD_KEYS: services.payloadKeys,
      LOCKDOWN_BULK_WINDOW: String(window),
      LOCKDOWN_CONTINUE_AS_NEW_AFTER: options.continueAsNewAfter,
      LOG_LEVEL: 'error',
      LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
      API_WORKFLOW_DEADLINE_MS: '60000',
    };
    const config = loadConfig(env);
    const logger = createLogger('error', 'bench');
    const db = createDb(databaseUrl, 20);
    cleanups.push(() => db.$disconnect());

    // The worker runs as its own process, as in production, so its memory can be read.
    const worker = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'worker/main.ts')], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
    cleanups.push(() => stopProcess(worker));
    let peakWorkerRssMb = 0;
    const sampler = setInterval(() => {
      try {
        const status = readFileSync(`/proc/${worker.pid}/status`, 'utf8');
        const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
        peakWorkerRssMb = Math.max(peakWorkerRssMb, kb / 1024);
      } catch {
        // the worker is starting or gone
      }
    }, 250);
    cleanups.push(() => clearInterval(sampler));

    const temporal = await createTemporalClient(config);
    cleanups.push(() => temporal.connection.close());
    const server = createApp({ config, db, temporal, logger }).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const call = async (method: string, url: string, key: string | null, body?: object) => {
      const response = await fetch(base + url, {
        method,
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const admin = (await call('POST', '/api/v1/auth/login', null, { username: 'admin', password: ADMIN_PASSWORD })).body.sessionKey as string;
    // Polls finely for single lockdowns (latency), coarsely for bulk ones (so polling takes no CPU from the run).
    const started = async (body: object) => {
      const response = await call('POST', '/api/v1/lockdowns', admin, body);
      if (response.status !== 201) throw new Error(`POST /lockdowns answered ${response.status}: ${JSON.stringify(response.body)}`);
      return response.body.id as string;
    };
    const waitCompleted = async (id: string, pollMs = 10) => {
      for (;;) {
        const current = await call('GET', `/api/v1/lockdowns/${id}`, admin);
        if (['completed', 'failed', 'cancelled'].includes(current.body.status as string)) return current.body;
        await new Promise((resolve) => setTimeout(resolve, pollMs));
      }
    };

    // Warm-up: the worker bundles workflows and opens connections on first use.
    const [warm] = await createUsers(db, 1);
    await waitCompleted(await started({ user: warm, reason: 'warm-up' }));

    log(`Single lockdowns: ${singles} one after another…`);
    const singleIds = await createUsers(db, singles);
    const latencies: number[] = [];
    for (const userId of singleIds) {
      const begin = performance.now();
      await waitCompleted(await started({ user: userId, reason: 'bench single' }));
      latencies.push(performance.now() - begin);
    }
    latencies.sort((a, b) => a - b);

    log(`Bulk lockdown of ${bulk} users through Temporal (window ${window})…`);
    const bulkIds = await createUsers(db, bulk);
    const bulkStarted = performance.now();
    const bulkResult = await waitCompleted(await started({ users: bulkIds, reason: 'bench bulk' }), 500);
    const bulkSeconds = (performance.now() - bulkStarted) / 1000;
    const bulkProgress = bulkResult.progress as { locked: number; failed: number };

    log(`Baseline: the same activity code for ${bulk} users, called directly with concurrency ${window}…`);
    const baselineIds = await createUsers(db, bulk);
    const adminUser = await db.user.findUniqueOrThrow({ where: { username: 'admin' } });
    const lockdown = await db.lockdown.create({
      data: {
        actorId: adminUser.id,
        actorUsername: adminUser.username,
        selfService: false,
        flowSlug: 'baseline',
        flowSnapshot: {},
        workflowId: `baseline-${randomUUID()}`,
        targets: { create: baselineIds.map((userId, position) => ({ userId, username: userId, position })) },
      },
    });
    const steps = { ...createUserLockdownActivities(db, logger), ...createAuditActivities(db, logger) };
    const actions = { deactivateUser: true, setUnusablePassword: true, deleteSessions: true, revokeTokens: true };
    const lockOne = async (userId: string) => {
      const step = { lockdownId: lockdown.id, userId };
      await steps.checkLockdownTarget({ ...step, actorId: adminUser.id, bulk: true });
      await steps.deactivateUser(step);
      await steps.setUnusablePassword(step);
      await steps.deleteSessions(step);
      await steps.revokeTokens(step);
      await steps.verifyLockdown({ ...step, actions });
      await steps.writeLockdownAuditEvent({
        ...step,
        actor: { id: adminUser.id, username: adminUser.username },
        reason: 'baseline',
        selfService: false,
        actions,
        clientIp: null,
        workflowId: 'baseline',
        runId: 'baseline',
        parentWorkflowId: lockdown.workflowId,
      });
      await steps.recordTargetResult({ ...step, success: true, error: null, actions });
    };
    const baselineStarted = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: window }, async () => {
      while (next < baselineIds.length) await lockOne(baselineIds[next++]);
    }));
    const baselineSeconds = (performance.now() - baselineStarted) / 1000;

    const results = {
      date: new Date().toISOString(),
      machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
      settings: { singles, bulk, window, continueAsNewAfter: Number(options.continueAsNewAfter) },
      singleLockdownMs: {
        p50: Math.round(percentile(latencies, 50)),
        p95: Math.round(percentile(latencies, 95)),
        p99: Math.round(percentile(latencies, 99)),
        max: Math.round(latencies[latencies.length - 1]),
      },
      bulk: { users: bulk, seconds: Number(bulkSeconds.toFixed(1)), usersPerSecond: Number((bulk / bulkSeconds).toFixed(1)), locked: bulkProgress.locked, failed: bulkProgress.failed },
      baselineDirect: { users: bulk, seconds: Number(baselineSeconds.toFixed(1)), usersPerSecond: Number((bulk / baselineSeconds).toFixed(1)) },
      workerPeakRssMb: Math.round(peakWorkerRssMb),
    };
    mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(path.join(ROOT, 'bench', 'results', 'latest.json'), JSON.stringify(results, null, 2) + '\n');
    process.stdout.write(`
| measure | value |
| --- | --- |
| single lockdown, request → completed | p50 ${results.singleLockdownMs.p50} ms, p95 ${results.singleLockdownMs.p95} ms, p99 ${results.singleLockdownMs.p99} ms (n=${singles}) |
| bulk of ${bulk} through Temporal (window ${window}) | ${results.bulk.seconds} s, ${results.bulk.usersPerSecond} users/s (${results.bulk.locked} locked, ${results.bulk.failed} failed) |
| baseline: same activities called directly (concurrency ${window}) | ${results.baselineDirect.seconds} s, ${results.baselineDirect.usersPerSecond} users/s |
| worker peak RSS | ${results.workerPeakRssMb} MB |
`);
  } finally {
    for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    log(err instanceof Error ? err.stack ?? err.message : String(err));
    process.exit(1);
  },
);
