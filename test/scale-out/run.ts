import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateKey, hashKey } from '../../lib/credentials';
import { createDb, type Db } from '../../lib/db';
import { clusterCommand, clusterOptions } from '../../scripts/cluster';
import { startCluster, type Cluster, type ServiceProcess } from '../../scripts/lib/cluster';
import { log } from '../../scripts/lib/log';
import { resolveTemporalCli } from '../../scripts/lib/temporal-cli';
import { isFinished, type LockdownStatus } from '../../domain/lockdown-status';

/**
 * `npm run test:scale-out`: the production topology, tested on this machine. On a real
 * Temporal server with PostgreSQL persistence and visibility, with two worker processes
 * and two API processes: a bulk lockdown is started through one API and followed through
 * the other; both workers take work; one is killed with SIGKILL mid-run and the other
 * finishes; every user is locked exactly once with exactly one audit event; PostgreSQL
 * visibility answers `temporal workflow count/list --query`. Figures go to
 * bench/results/scale-out.json.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const ADMIN_PASSWORD = 'scale-out-admin-password';

const program = clusterCommand('npm run test:scale-out --')
  .description('Scale-out test: bulk lockdown across two workers and two APIs on a Temporal server on PostgreSQL, one worker SIGKILLed mid-run.')
  .option('--users <n>', 'users in the bulk lockdown', (v) => Number(v), 2000)
  .option('--kill-at <fraction>', 'kill worker-1 once this fraction of users is locked', (v) => Number(v), 0.35)
  .option('--window <n>', 'per-user children running at once (LOCKDOWN_BULK_WINDOW)', '50')
  .option('--timeout-minutes <n>', 'give up after this long', (v) => Number(v), 30)
  .option('--results <file>', 'where the figures are written', path.join(ROOT, 'bench', 'results', 'scale-out.json'));
// Defaults of their own, so the test runs next to a running `npm run cluster` and never reuses its data.
program.setOptionValueWithSource('temporalPort', 27233, 'default');
program.setOptionValueWithSource('apiPort', 3101, 'default');
program.setOptionValueWithSource('workerMetricsPort', 9564, 'default');
program.setOptionValueWithSource('pgPort', 54332, 'default');
program.setOptionValueWithSource('temporalDb', 'temporal_scale_out', 'default');
program.setOptionValueWithSource('visibilityDb', 'temporal_visibility_scale_out', 'default');
program.setOptionValueWithSource('appDb', 'lockdown_scale_out', 'default');
program.setOptionValueWithSource('dataDir', path.join(ROOT, '.data', 'scale-out'), 'default');
program.setOptionValueWithSource('namespace', 'lockdown-scale-out', 'default');
program.parse();

interface Options {
  users: number;
  killAt: number;
  window: string;
  timeoutMinutes: number;
  results: string;
}

/** Users with one live session and one API token each, inserted in chunks. */
async function createUsers(db: Db, count: number): Promise<string[]> {
  const prefix = `scale-${randomUUID().slice(0, 6)}`;
  const ids = Array.from({ length: count }, () => randomUUID());
  const expiresAt = new Date(Date.now() + 3_600_000);
  for (let start = 0; start < count; start += 2_000) {
    const chunk = ids.slice(start, start + 2_000);
    await db.user.createMany({ data: chunk.map((id, index) => ({ id, username: `${prefix}-${start + index}` })) });
    await db.session.createMany({ data: chunk.map((userId) => ({ userId, keyHash: hashKey(generateKey()), expiresAt })) });
    await db.token.createMany({ data: chunk.map((userId, index) => ({ userId, intent: 'api' as const, identifier: `${prefix}-t-${start + index}`, keyHash: hashKey(generateKey()) })) });
  }
  return ids;
}

async function api(base: string, method: string, pathname: string, key?: string, body?: unknown) {
  const response = await fetch(`${base}/api/v1${pathname}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...(key ? { Authorization: `Bearer ${key}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** Users this worker finished (locked), from its /metrics; null when it does not answer (killed). */
async function lockedByWorker(worker: ServiceProcess): Promise<number | null> {
  try {
    const text = await (await fetch(worker.url, { signal: AbortSignal.timeout(3000) })).text();
    const line = text.split('\n').find((l) => l.startsWith('lockdown_users_total{result="locked"}'));
    return line ? Number(line.split(' ').pop()) : 0;
  } catch {
    return null;
  }
}

/** A series from the SDK's own Prometheus endpoint: proof the runtime exports worker metrics. */
async function sdkMetric(worker: ServiceProcess, name: string): Promise<number | null> {
  try {
    const text = await (await fetch(worker.sdkMetricsUrl!, { signal: AbortSignal.timeout(3000) })).text();
    const values = text.split('\n').filter((l) => l.startsWith(name)).map((l) => Number(l.split(' ').pop()));
    return values.length ? values.reduce((a, b) => a + b, 0) : null;
  } catch {
    return null;
  }
}

function temporalCli(cli: string, cluster: Cluster, namespace: string, args: string[]): string {
  return execFileSync(cli, [...args, '--address', cluster.temporal.address, '--namespace', namespace], { encoding: 'utf8' });
}

async function main() {
  const opts = program.opts();
  const options = opts as unknown as Options;
  const cli = await resolveTemporalCli();
  const testStarted = Date.now();
  const starting = new AbortController();
  let interrupt = () => starting.abort(new Error('Interrupted while starting the cluster.'));
  process.on('SIGINT', () => interrupt());
  const cluster = await startCluster(
    clusterOptions(opts, {
      signal: starting.signal,
      adminPassword: ADMIN_PASSWORD,
      fresh: true,
      echoLogs: false,
      env: {
        LOCKDOWN_BULK_WINDOW: options.window,
        LOCKDOWN_CONTINUE_AS_NEW_AFTER: '500',
        LOCKDOWN_MAX_TARGETS: String(Math.max(10_000, options.users)),
        // Each worker's database pool is this size: two workers and the Temporal server share one PostgreSQL.
        WORKER_MAX_CONCURRENT_ACTIVITIES: '25',
        LOG_LEVEL: 'info',
      },
    }),
  );
  const stopAll = () => cluster.stop();
  interrupt = () => void stopAll().then(() => process.exit(130));
  const clusterSeconds = (Date.now() - testStarted) / 1000;
  log(`Cluster up in ${clusterSeconds.toFixed(1)} s: Temporal ${cluster.temporal.address}, APIs ${cluster.apis.map((a) => a.url).join(' and ')}, ${cluster.workers.length} workers.`);

  const db = createDb(cluster.databaseUrl, 4);
  try {
    const [apiA, apiB] = cluster.apis;
    const [worker1, worker2] = cluster.workers;
    const ids = await createUsers(db, options.users);
    log(`${ids.length} users created, each with a session and an API token.`);

    const login = await api(apiA.url, 'POST', '/auth/login', undefined, { username: 'admin', password: ADMIN_PASSWORD });
    assert.equal(login.status, 200, `login through ${apiA.name}: ${JSON.stringify(login.body)}`);
    const key = login.body.sessionKey as string;

    const started = Date.now();
    const created = await api(apiA.url, 'POST', '/lockdowns', key, { users: ids, reason: 'scale-out test' });
    assert.equal(created.status, 201, `POST /lockdowns through ${apiA.name}: ${JSON.stringify(created.body)}`);
    const lockdownId = created.body.id as string;
    log(`Lockdown ${lockdownId} started through ${apiA.name}; following it through ${apiB.name}.`);

    const lastSeen = { [worker1.name]: 0, [worker2.name]: 0 };
    let killed: { atLocked: number; worker1Locked: number; afterSeconds: number } | null = null;
    let final: { status: string; progress: Record<string, number> } | null = null;
    let lastLine = 0;
    const deadline = Date.now() + options.timeoutMinutes * 60_000;
    while (!final) {
      assert.ok(Date.now() < deadline, `the lockdown did not finish within ${options.timeoutMinutes} minutes`);
      const seen = await api(apiB.url, 'GET', `/lockdowns/${lockdownId}`, key);
      assert.equal(seen.status, 200, `GET /lockdowns/${lockdownId} through ${apiB.name}: ${JSON.stringify(seen.body)}`);
      for (const worker of cluster.workers) {
        const count = await lockedByWorker(worker);
        if (count !== null) lastSeen[worker.name] = count;
      }
      const { progress, status } = seen.body as { status: string; progress: Record<string, number> };
      if (Date.now() - lastLine > 5_000) {
        lastLine = Date.now();
        log(`${status}: ${progress.locked}/${progress.total} locked, ${progress.failed} failed — ${worker1.name} ${killed ? `killed (${killed.worker1Locked})` : lastSeen[worker1.name]}, ${worker2.name} ${lastSeen[worker2.name]}`);
      }
      if (isFinished(status as LockdownStatus)) final = { status, progress };
      else if (!killed && progress.locked >= options.killAt * options.users) {
        assert.ok(lastSeen[worker1.name] > 0 && lastSeen[worker2.name] > 0, `both workers should have taken work: ${JSON.stringify(lastSeen)}`);
        // Its count right before the kill (its metrics die with it).
        lastSeen[worker1.name] = (await lockedByWorker(worker1)) ?? lastSeen[worker1.name];
        worker1.child.kill('SIGKILL');
        await new Promise((resolve) => worker1.child.once('exit', resolve));
        killed = { atLocked: progress.locked, worker1Locked: lastSeen[worker1.name], afterSeconds: (Date.now() - started) / 1000 };
        log(`SIGKILLed ${worker1.name} (pid ${worker1.child.pid}) at ${progress.locked}/${progress.total} locked; ${worker2.name} carries on alone.`);
      } else await sleep(1000);
    }
    const seconds = (Date.now() - started) / 1000;
    assert.ok(killed, `the run finished before ${worker1.name} could be killed; raise --users or lower --kill-at`);
    assert.equal(final.status, 'completed');
    assert.deepEqual(final.progress, { total: options.users, locked: options.users, failed: 0, cancelled: 0, pending: 0 });

    // Exactly once, from the system of record.
    const targets = await db.lockdownTarget.findMany({ where: { lockdownId }, select: { userId: true, status: true, sessionsRevoked: true, tokensRevoked: true } });
    assert.equal(targets.length, options.users);
    assert.ok(targets.every((t) => t.status === 'locked'), 'every target locked');
    assert.ok(targets.every((t) => t.sessionsRevoked === 1 && t.tokensRevoked === 1), 'every session and token counted once');
    assert.equal(await db.user.count({ where: { id: { in: ids }, isActive: true } }), 0, 'no user still active');
    assert.equal(await db.session.count({ where: { userId: { in: ids } } }), 0, 'no session left');
    assert.equal(await db.token.count({ where: { userId: { in: ids } } }), 0, 'no token left');
    const events = await db.event.findMany({ where: { lockdownId, action: 'account_lockdown_triggered' }, select: { context: true } });
    const affected = new Set(events.map((e) => (e.context as { affected_user_id: string }).affected_user_id));
    const duplicates = events.length - affected.size;
    assert.equal(duplicates, 0, 'duplicate audit events');
    assert.equal(affected.size, options.users, 'one audit event per user');
    assert.ok(ids.every((id) => affected.has(id)));

    // PostgreSQL visibility answers list queries (eventually consistent: give it a few seconds).
    const childQuery = `WorkflowType = "lockdownUser" AND ExecutionStatus = "Completed" AND WorkflowId STARTS_WITH "lockdown-${lockdownId}-user-"`;
    let visible = 0;
    for (let tries = 0; tries < 60; tries++) {
      visible = Number(/(\d+)/.exec(temporalCli(cli, cluster, opts.namespace as string, ['workflow', 'count', '--query', childQuery]))![1]);
      if (visible >= options.users) break;
      await sleep(1000);
    }
    assert.equal(visible, options.users, `temporal workflow count --query '${childQuery}'`);
    const parentQuery = `WorkflowId = "lockdown-${lockdownId}"`;
    // The record says completed just before the workflow completes: visibility may lag a little more.
    let parentRuns = '';
    for (let tries = 0; tries < 60 && !/Completed/.test(parentRuns); tries++) {
      if (tries > 0) await sleep(1000);
      parentRuns = temporalCli(cli, cluster, opts.namespace as string, ['workflow', 'list', '--query', parentQuery]);
    }
    assert.match(parentRuns, /Completed/, `temporal workflow list --query '${parentQuery}'`);
    const sample = temporalCli(cli, cluster, opts.namespace as string, ['workflow', 'list', '--query', childQuery, '--limit', '3']);

    const worker2Locked = (await lockedByWorker(worker2)) ?? lastSeen[worker2.name];
    const sdkPolls = await sdkMetric(worker2, 'temporal_workflow_task_execution_latency_count');

    // Graceful shutdown: SIGTERM makes the APIs drain and the surviving worker stop polling and finish, each exiting 0.
    const stopStarted = Date.now();
    await cluster.stop();
    const shutdownSeconds = (Date.now() - stopStarted) / 1000;
    for (const service of [...cluster.apis, worker2]) {
      assert.equal(service.child.exitCode, 0, `${service.name} should exit 0 after SIGTERM (signal ${service.child.signalCode}); see ${service.logFile}`);
    }
    // The last lines reach the log file just after the process exits.
    let worker2Log = '';
    for (let tries = 0; tries < 25 && !/worker stopped/.test(worker2Log); tries++, await sleep(200)) worker2Log = readFileSync(worker2.logFile, 'utf8');
    assert.match(worker2Log, /worker draining/);
    assert.match(worker2Log, /worker stopped/);
    const figures = {
      date: new Date().toISOString(),
      machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
      topology: { temporal: `server ${cluster.temporal.address} on PostgreSQL (${opts.temporalDb}, ${opts.visibilityDb})`, workers: cluster.workers.length, apis: cluster.apis.length, window: Number(options.window) },
      users: options.users,
      seconds: Number(seconds.toFixed(1)),
      usersPerSecond: Number((options.users / seconds).toFixed(1)),
      clusterStartSeconds: Number(clusterSeconds.toFixed(1)),
      killed: { worker: worker1.name, atLocked: killed.atLocked, afterSeconds: Number(killed.afterSeconds.toFixed(1)) },
      // Users each worker finished, from its lockdown_users_total: worker 1's read just before its SIGKILL.
      perWorker: { [worker1.name]: killed.worker1Locked, [worker2.name]: worker2Locked },
      // Above the user count: users finished by worker 1 but not yet in history when it died, redone (idempotently) by worker 2.
      // Slightly below: worker 1 finished a few in the milliseconds between its last read and the kill.
      perWorkerSum: killed.worker1Locked + worker2Locked,
      duplicates,
      auditEvents: events.length,
      visibilityCompletedChildren: visible,
      sdkWorkflowTaskExecutions: sdkPolls,
      shutdown: { seconds: Number(shutdownSeconds.toFixed(1)), cleanExits: [...cluster.apis.map((a) => a.name), worker2.name] },
    };
    mkdirSync(path.dirname(options.results), { recursive: true });
    writeFileSync(options.results, `${JSON.stringify(figures, null, 2)}\n`);
    process.stderr.write(`\n${parentRuns}\n${sample}\n`);
    log(
      `PASSED: ${options.users} users in ${figures.seconds} s (${figures.usersPerSecond}/s) through ${apiA.name}, followed through ${apiB.name}; ` +
        `${worker1.name} locked ${killed.worker1Locked} before SIGKILL at ${killed.atLocked}, ${worker2.name} ${worker2Locked}; ` +
        `duplicates ${duplicates}; visibility counted ${visible} completed children. Figures: ${path.relative(ROOT, options.results)}`,
    );
  } finally {
    await db.$disconnect();
    await stopAll();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    log(`FAILED: ${err instanceof Error ? err.message : String(err)}`);
    log('Service logs are in the data directory (logs/).');
    process.exit(1);
  },
);
