import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { createUserLockdownActivities } from '../activities/user-lockdown';
import { createAuditActivities } from '../activities/audit';
import { loadConfig } from '../lib/config';
import { generateKey, hashKey } from '../lib/credentials';
import { createDb, type Db } from '../lib/db';
import { createLogger } from '../lib/logger';
import { createTemporalClient } from '../lib/temporal';
import { startEphemeralServices } from '../scripts/lib/ephemeral-services';
import { log } from '../scripts/lib/log';
import { freePort } from '../scripts/lib/ports';
import { stopProcess } from '../scripts/lib/temporal-cli';
import type { ceilingParent } from './ceiling/workflows';
import { isFinished, type LockdownStatus } from '../domain/lockdown-status';

/**
 * Measures what users of the lockdown service feel, each figure beside a baseline measured
 * in the same run on the same machine (so a busy machine moves both):
 * - time-to-revocation: a victim with a live session polls `GET /me` tightly; the clock runs
 *   from `POST /lockdowns` (with a reason) to the victim's first 401; plus the request's own
 *   latency and the time until the lockdown reads `completed`;
 * - bulk: containment (a sample of victims polled from the request on: when did the last one
 *   get 401) and completion throughput;
 * - the no-op ceiling: the same workflow shape with activities that do nothing;
 * - the direct loop: the same activity code called without Temporal;
 * - peak RSS of the worker and the API (each its own process, as in production).
 */
const ROOT = path.resolve(__dirname, '..');
const ADMIN_PASSWORD = 'bench-admin-password';
/**
 * The code the "before" phase runs: main as it landed before the second round of issue 12
 * (update-with-start answers, state recorded by local activities, bundling outside the worker).
 * With the before phase's env (containment off, the SDK's default cache) it is the behaviour
 * the issue measured on the hot paths.
 */
const BEFORE_REF = '73621f4';
/** Single lockdowns whose Temporal histories are read for the timeline (the last ones of a phase). */
const TRACED_SINGLES = 30;
/** Local activities per lockdownUser child (check, 4 actions, verify, audit, record). */
const STEPS_PER_USER = 8;

const program = new Command('npm run bench --')
  .description('Benchmark time-to-revocation, bulk containment and throughput against the no-op ceiling and a direct loop; writes bench/results/<date>.json and prints a markdown table.')
  .option('--singles <n>', 'single-user lockdowns, one after another (time-to-revocation)', '200')
  .option('--bulk <sizes>', 'comma-separated bulk sizes, one bulk lockdown each', '2000,10000')
  .option('--window <n>', 'per-user children running at once (LOCKDOWN_BULK_WINDOW)', '25')
  .option('--continue-as-new-after <n>', 'children per parent run (LOCKDOWN_CONTINUE_AS_NEW_AFTER)', '500')
  .option('--sample <n>', 'victims polled during each bulk run', '20')
  .option('--ceiling-users <n>', 'children in the no-op ceiling run (0 skips it)', '2000')
  .option('--baseline-users <n>', 'users in the direct-loop baseline (0 skips it)', '2000')
  .option('--before <env>', 'env of the "before" phase, run first on the same services (KEY=VALUE,…; "none" skips it)', 'LOCKDOWN_CONTAINMENT_FIRST=false,WORKER_MAX_CACHED_WORKFLOWS=2310')
  .option('--before-ref <commit>', 'code of the "before" phase: a git archive of this commit, run with this checkout\'s node_modules ("none": this checkout)', BEFORE_REF)
  .option('--profile <dir>', 'write a worker --cpu-prof profile and a heap snapshot (at the first bulk run\'s midpoint) into <dir>')
  .option('--label <name>', 'name of the results file (bench/results/<label>.json)', 'latest')
  .addHelpText('after', `
Issue 12's documented run:  npm run bench -- --singles 200 --bulk 2000,10000
A small run on a busy machine: npm run bench -- --singles 50 --bulk 500 --ceiling-users 500 --baseline-users 500
Uses TEMPORAL_ADDRESS / BENCH_DATABASE_URL when set; otherwise starts a dev server and a private PostgreSQL.`)
  .parse();

interface Options {
  singles: string;
  bulk: string;
  window: string;
  continueAsNewAfter: string;
  sample: string;
  ceilingUsers: string;
  baselineUsers: string;
  before: string;
  beforeRef: string;
  profile?: string;
  label: string;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN);
}
/** A history event's time (protobuf Timestamp) in ms since the epoch. */
function eventMs(at: unknown): number | null {
  const time = at as { seconds?: { toNumber(): number } | number | null; nanos?: number | null } | null | undefined;
  if (!time?.seconds) return null;
  const seconds = typeof time.seconds === 'number' ? time.seconds : time.seconds.toNumber();
  return seconds * 1000 + Math.floor((time.nanos ?? 0) / 1e6);
}
const spread = (values: number[]) => ({ p50: percentile(values, 50), p95: percentile(values, 95), p99: percentile(values, 99), max: percentile(values, 100), n: values.length });

/** Users with two live sessions and one API token each; returns the ids and the first session key of each. */
async function createUsers(db: Db, count: number): Promise<{ ids: string[]; keys: string[] }> {
  const prefix = `bench-${randomUUID().slice(0, 6)}`;
  const ids = Array.from({ length: count }, () => randomUUID());
  const keys = ids.map(() => generateKey());
  const expiresAt = new Date(Date.now() + 3_600_000);
  for (let start = 0; start < count; start += 2_000) {
    const chunk = ids.slice(start, start + 2_000);
    await db.user.createMany({ data: chunk.map((id, index) => ({ id, username: `${prefix}-${start + index}` })) });
    await db.session.createMany({
      data: chunk.flatMap((userId, index) => [keys[start + index], generateKey()].map((key) => ({ userId, keyHash: hashKey(key), expiresAt }))),
    });
    await db.token.createMany({
      data: chunk.map((userId, index) => ({ userId, intent: 'api' as const, identifier: `${prefix}-t-${start + index}`, keyHash: hashKey(generateKey()) })),
    });
  }
  return { ids, keys };
}

/** Peak resident memory of a child process, sampled every 100 ms. */
function rssSampler(child: ChildProcess) {
  let peakMb = 0;
  const timer = setInterval(() => {
    try {
      const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0);
      peakMb = Math.max(peakMb, kb / 1024);
    } catch {
      // starting or gone
    }
  }, 100);
  return { peak: () => Math.round(peakMb), reset: () => (peakMb = 0), stop: () => clearInterval(timer) };
}

/** Where a bench process's own log (errors only) goes. */
const logFile = (name: string) => path.join(tmpdir(), `lockdown-bench-${process.pid}-${name}.log`);
const node = (script: string, env: NodeJS.ProcessEnv, logName: string, extra: string[] = [], root = ROOT) =>
  spawn(process.execPath, [...extra, '--import', 'tsx', path.join(root, script)], { cwd: root, env, stdio: ['ignore', openSync(logFile(logName), 'a'), 'inherit'] });

/**
 * The project as it was at `ref`, in a temporary directory: the files of the commit, this
 * checkout's node_modules (the dependencies are the same) and its own generated Prisma client.
 */
function checkoutOf(ref: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'lockdown-bench-before-'));
  const archive = execFileSync('git', ['-C', ROOT, 'archive', '--format=tar', ref], { maxBuffer: 1 << 30 });
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  execFileSync(process.execPath, ['--import', 'tsx', path.join(dir, 'scripts', 'prisma.ts'), 'generate'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  return dir;
}

async function main() {
  const options = program.opts<Options>();
  const singles = Number(options.singles);
  const bulkSizes = options.bulk.split(',').map(Number).filter((size) => size > 0);
  const window = Number(options.window);
  const continueAsNewAfter = Number(options.continueAsNewAfter);
  const sampleSize = Number(options.sample);
  const loadBefore = loadavg();
  const services = await startEphemeralServices({ name: 'bench', databaseUrl: process.env.BENCH_DATABASE_URL, adminPassword: ADMIN_PASSWORD });
  const { temporalAddress, databaseUrl } = services;
  const cleanups: (() => Promise<void> | void)[] = [() => services.stop()];
  try {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_TASK_QUEUE: `bench-${process.pid}`,
      LOCKDOWN_PAYLOAD_KEYS: services.payloadKeys,
      LOCKDOWN_BULK_WINDOW: String(window),
      LOCKDOWN_CONTINUE_AS_NEW_AFTER: String(continueAsNewAfter),
      LOG_LEVEL: 'error',
      LOGIN_RATE_LIMIT_PER_MINUTE: '1000000',
      API_WORKFLOW_DEADLINE_MS: '60000',
      PORT: String(port),
      HOST: '127.0.0.1',
    };
    const config = loadConfig(env);
    const logger = createLogger('error', 'bench');
    const db = createDb(databaseUrl, 20);
    cleanups.push(() => db.$disconnect());

    /**
     * Where a single lockdown's time goes: the p50 offset (ms after the POST) of each milestone
     * in the parent's and the per-user child's Temporal histories (event times; same machine).
     */
    async function singleTimeline(lockdowns: { workflowId: string; postedAt: number }[]): Promise<Record<string, number>> {
      const temporal = await createTemporalClient(config);
      const offsets = new Map<string, number[]>();
      const note = (milestone: string, at: unknown, postedAt: number) => {
        const ms = eventMs(at);
        if (ms !== null) offsets.set(milestone, [...(offsets.get(milestone) ?? []), ms - postedAt]);
      };
      try {
        for (const { workflowId, postedAt } of lockdowns) {
          const parent = (await temporal.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
          const first = (name: keyof (typeof parent)[number], nth = 0) => parent.filter((event) => event[name])[nth]?.eventTime;
          note('parent started', first('workflowExecutionStartedEventAttributes'), postedAt);
          note('parent first task started', first('workflowTaskStartedEventAttributes'), postedAt);
          note('parent first task completed', first('workflowTaskCompletedEventAttributes'), postedAt);
          note('child started', first('childWorkflowExecutionStartedEventAttributes'), postedAt);
          const childId = parent.find((event) => event.childWorkflowExecutionStartedEventAttributes)?.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.workflowId;
          if (childId) {
            const child = (await temporal.workflow.getHandle(childId).fetchHistory()).events ?? [];
            note('child first task completed', child.find((event) => event.workflowTaskCompletedEventAttributes)?.eventTime, postedAt);
            note('child completed', child.find((event) => event.workflowExecutionCompletedEventAttributes)?.eventTime, postedAt);
          }
          note('parent completed', first('workflowExecutionCompletedEventAttributes'), postedAt);
        }
      } finally {
        await temporal.connection.close();
      }
      return Object.fromEntries([...offsets].map(([milestone, values]) => [milestone, percentile(values, 50)]));
    }

    /** Starts a worker and an API with this env, measures singles and bulk runs, stops them. */
    async function runPhase(env: NodeJS.ProcessEnv, profile: string | undefined, root: string) {
      const cleanups: (() => Promise<void> | void)[] = [];
      try {
        // Worker and API run as their own processes, as in production, so their memory can be read.
        const profileArgs = profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profile)}`, '--heapsnapshot-signal=SIGWINCH', `--diagnostic-dir=${path.resolve(profile)}`] : [];
        if (profile) mkdirSync(profile, { recursive: true });
        const worker = node('worker/main.ts', env, 'worker', profileArgs, root);
        // SIGINT lets the worker drain and exit so that --cpu-prof writes its profile.
        cleanups.push(() => stopProcess(worker));
        const workerRss = rssSampler(worker);
        cleanups.push(() => workerRss.stop());
        const api = node('api/main.ts', env, 'api', [], root);
        cleanups.push(() => stopProcess(api));
        const apiRss = rssSampler(api);
        cleanups.push(() => apiRss.stop());

        const base = `http://127.0.0.1:${port}`;
        const call = async (method: string, url: string, key: string | null, body?: object) => {
          const response = await fetch(base + url, {
            method,
            headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
            body: body ? JSON.stringify(body) : undefined,
          });
          return { status: response.status, body: (await response.json().catch(() => ({}))) as Record<string, unknown> };
        };
        for (let tries = 0; ; tries++) {
          try {
            if ((await fetch(`${base}/healthz`)).ok) break;
          } catch {
            if (tries > 600) throw new Error('the API did not start within 60 s');
          }
          await sleep(100);
        }
        const admin = (await call('POST', '/api/v1/auth/login', null, { username: 'admin', password: ADMIN_PASSWORD })).body.sessionKey as string;
        const start = async (body: object) => {
          const response = await call('POST', '/api/v1/lockdowns', admin, body);
          if (response.status !== 201) throw new Error(`POST /lockdowns answered ${response.status}: ${JSON.stringify(response.body)}`);
          return response.body.id as string;
        };
        const waitCompleted = async (id: string, pollMs: number) => {
          for (;;) {
            const current = await call('GET', `/api/v1/lockdowns/${id}`, admin);
            if (isFinished(current.body.status as LockdownStatus)) return current.body;
            await sleep(pollMs);
          }
        };
        /** Resolves with the ms from `since` to the victim's first 401 on GET /me. */
        const revoked = async (key: string, since: number, pollMs: number, deadline: number) => {
          for (;;) {
            const { status, body } = await call('GET', '/api/v1/me', key);
            if (status === 401) return performance.now() - since;
            if (status !== 200) throw new Error(`GET /me answered ${status}: ${JSON.stringify(body)} (API log: ${logFile('api')})`);
            if (performance.now() > deadline) return NaN;
            if (pollMs > 0) await sleep(pollMs);
          }
        };

        // Warm-up: the worker bundles workflows and opens connections on first use.
        const warm = await createUsers(db, 2);
        await waitCompleted(await start({ user: warm.ids[0], reason: 'warm-up' }), 10);
        await waitCompleted(await start({ users: warm.ids.slice(1), reason: 'warm-up' }), 10);

        log(`Single lockdowns: ${singles}, one after another, each victim polled tightly…`);
        const victims = await createUsers(db, singles);
        const revocation: number[] = [];
        const request: number[] = [];
        const completion: number[] = [];
        const traced: { workflowId: string; postedAt: number }[] = [];
        for (let index = 0; index < singles; index++) {
          const postedAt = Date.now();
          const begin = performance.now();
          // The victim polls from before the request: the first 401 is the moment the session stopped working.
          const victim = revoked(victims.keys[index], begin, 0, begin + 60_000);
          const id = await start({ user: victims.ids[index], reason: 'bench single' });
          request.push(performance.now() - begin);
          const [revokedAfter, done] = await Promise.all([victim, waitCompleted(id, 5)]);
          completion.push(performance.now() - begin);
          revocation.push(revokedAfter);
          traced.push({ workflowId: done.workflowId as string, postedAt });
        }
        const timeline = await singleTimeline(traced.slice(-TRACED_SINGLES));

        const bulkRuns = [];
        for (const [runIndex, size] of bulkSizes.entries()) {
          log(`Bulk lockdown of ${size} users (window ${window}); ${sampleSize} victims polled…`);
          const users = await createUsers(db, size);
          const sample = Array.from({ length: Math.min(sampleSize, size) }, (_, index) => Math.floor((index * size) / Math.min(sampleSize, size)));
          // The last target too: it is the one a user-by-user run reaches last.
          if (!sample.includes(size - 1)) sample[sample.length - 1] = size - 1;
          workerRss.reset();
          apiRss.reset();
          const begin = performance.now();
          const deadline = begin + 3_600_000;
          const polled = Promise.all(sample.map((index) => revoked(users.keys[index], begin, 20, deadline)));
          const id = await start({ users: users.ids, reason: 'bench bulk' });
          const requestMs = performance.now() - begin;
          if (profile && runIndex === 0) {
            // Not SIGUSR2: the Temporal runtime takes it as a shutdown signal.
            setTimeout(() => worker.kill('SIGWINCH'), 5_000).unref();
          }
          const [containment, result] = await Promise.all([polled, waitCompleted(id, 250)]);
          const seconds = (performance.now() - begin) / 1000;
          const progress = result.progress as { locked: number; failed: number };
          bulkRuns.push({
            users: size,
            requestMs: Math.round(requestMs),
            containmentMs: spread(containment),
            completionSeconds: Number(seconds.toFixed(1)),
            usersPerSecond: Number((size / seconds).toFixed(1)),
            locked: progress.locked,
            failed: progress.failed,
            workerPeakRssMb: workerRss.peak(),
            apiPeakRssMb: apiRss.peak(),
          });
        }

        return { single: { revocationMs: spread(revocation), requestMs: spread(request), completedMs: spread(completion), timeline }, bulk: bulkRuns, env: Object.fromEntries(Object.entries(env).filter(([key]) => /^(LOCKDOWN_|WORKER_)/.test(key) && !/KEY|SECRET|PASSWORD/.test(key))) };
      } finally {
        for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
      }
    }

    const phases: { name: string; env: Record<string, string>; ref: string | null }[] = [];
    if (options.before !== 'none') {
      const beforeEnv = Object.fromEntries(options.before.split(',').map((pair) => pair.split('=') as [string, string]));
      phases.push({ name: 'before', env: beforeEnv, ref: options.beforeRef === 'none' ? null : options.beforeRef });
    }
    phases.push({ name: 'after', env: {}, ref: null });
    const measured: Record<string, Awaited<ReturnType<typeof runPhase>> & { ref: string }> = {};
    for (const phase of phases) {
      log(`Phase "${phase.name}": code ${phase.ref ?? 'of this checkout'}, env ${JSON.stringify(phase.env)}`);
      const root = phase.ref ? checkoutOf(phase.ref) : ROOT;
      if (root !== ROOT) cleanups.push(() => rmSync(root, { recursive: true, force: true }));
      const phaseEnv = { ...env, TEMPORAL_TASK_QUEUE: `bench-${process.pid}-${phase.name}`, ...phase.env };
      const result = await runPhase(phaseEnv, phase.name === 'after' ? options.profile : undefined, root);
      measured[phase.name] = { ...result, ref: phase.ref ?? execFileSync('git', ['-C', ROOT, 'describe', '--always', '--dirty']).toString().trim() };
    }

    let ceiling: { children: number; seconds: number; childrenPerSecond: number; workerPeakRssMb: number } | null = null;
    const ceilingUsers = Number(options.ceilingUsers);
    if (ceilingUsers > 0) {
      log(`No-op ceiling: ${ceilingUsers} children, window ${window}, continue-as-new every ${continueAsNewAfter}, ${STEPS_PER_USER} no-op local activities each…`);
      const queue = `ceiling-${process.pid}`;
      const ceilingWorker = node('bench/ceiling/worker.ts', { ...env, TEMPORAL_TASK_QUEUE: queue }, 'ceiling-worker');
      const ceilingRss = rssSampler(ceilingWorker);
      const temporal = await createTemporalClient(config);
      try {
        const input = { total: ceilingUsers, window, continueAsNewAfter, steps: STEPS_PER_USER };
        // Warm-up run (bundling), then the measured one.
        await temporal.workflow.execute<typeof ceilingParent>('ceilingParent', { taskQueue: queue, workflowId: `ceiling-warm-${randomUUID()}`, args: [{ ...input, total: 2 }] });
        const begin = performance.now();
        await temporal.workflow.execute<typeof ceilingParent>('ceilingParent', { taskQueue: queue, workflowId: `ceiling-${randomUUID()}`, args: [input] });
        const seconds = (performance.now() - begin) / 1000;
        ceiling = { children: ceilingUsers, seconds: Number(seconds.toFixed(1)), childrenPerSecond: Number((ceilingUsers / seconds).toFixed(1)), workerPeakRssMb: ceilingRss.peak() };
      } finally {
        ceilingRss.stop();
        await stopProcess(ceilingWorker);
        await temporal.connection.close();
      }
    }

    let baseline: { users: number; seconds: number; usersPerSecond: number } | null = null;
    const baselineUsers = Number(options.baselineUsers);
    if (baselineUsers > 0) {
      log(`Direct loop: the same activity code for ${baselineUsers} users, no Temporal, concurrency ${window}…`);
      const { ids } = await createUsers(db, baselineUsers);
      const adminUser = await db.user.findUniqueOrThrow({ where: { username: 'admin' } });
      const lockdown = await db.lockdown.create({
        data: {
          actorId: adminUser.id,
          actorUsername: adminUser.username,
          selfService: false,
          flowSlug: 'baseline',
          flowSnapshot: {},
          workflowId: `baseline-${randomUUID()}`,
          targets: { create: ids.map((userId, position) => ({ userId, username: userId, position })) },
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
      const begin = performance.now();
      let next = 0;
      await Promise.all(Array.from({ length: window }, async () => {
        while (next < ids.length) await lockOne(ids[next++]);
      }));
      const seconds = (performance.now() - begin) / 1000;
      baseline = { users: baselineUsers, seconds: Number(seconds.toFixed(1)), usersPerSecond: Number((baselineUsers / seconds).toFixed(1)) };
    }

    const results: Results = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, node: process.version, loadAverageBefore: loadBefore.map((value) => Number(value.toFixed(1))), loadAverageAfter: loadavg().map((value) => Number(value.toFixed(1))) },
      settings: { singles, bulk: bulkSizes, window, continueAsNewAfter, sample: sampleSize, stepsPerUser: STEPS_PER_USER },
      phases: measured,
      ceiling,
      baselineDirect: baseline,
    };
    mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
    const file = path.join(ROOT, 'bench', 'results', `${options.label}.json`);
    writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
    process.stdout.write(table(results) + `\n(${path.relative(ROOT, file)})\n`);
  } finally {
    for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
  }
}

type Spread = ReturnType<typeof spread>;
interface Phase {
  ref: string;
  env: NodeJS.ProcessEnv;
  single: Record<'revocationMs' | 'requestMs' | 'completedMs', Spread> & { timeline: Record<string, number> };
  bulk: { users: number; requestMs: number; containmentMs: Spread; completionSeconds: number; usersPerSecond: number; locked: number; failed: number; workerPeakRssMb: number; apiPeakRssMb: number }[];
}
interface Results {
  date: string;
  machine: { cpus: number; node: string; loadAverageBefore: number[]; loadAverageAfter: number[] };
  settings: { singles: number; bulk: number[]; window: number; continueAsNewAfter: number; sample: number; stepsPerUser: number };
  phases: Record<string, Phase>;
  ceiling: { children: number; seconds: number; childrenPerSecond: number; workerPeakRssMb: number } | null;
  baselineDirect: { users: number; seconds: number; usersPerSecond: number } | null;
}

/** One row per measure, one column per phase (before, after), then the goal. */
function table(results: Results): string {
  const { ceiling, baselineDirect } = results;
  const names = Object.keys(results.phases);
  const ms = (s: Spread) => `${s.p50} / ${s.p95} / ${s.p99} ms`;
  const ofCeiling = (value: number) => (ceiling ? ` = **${(value / ceiling.childrenPerSecond).toFixed(2)}×** ceiling` : '');
  const row = (measure: string, cell: (phase: Phase) => string, goal: string) => `| ${measure} | ${names.map((name) => cell(results.phases[name])).join(' | ')} | ${goal} |`;
  const rows = [
    row(`time-to-revocation, single (POST → victim 401), p50 / p95 / p99, n=${results.settings.singles}`, (phase) => ms(phase.single.revocationMs), 'p50 < 80 ms, p99 < 250 ms'),
    row('`POST /lockdowns` answer, single, p50 / p95 / p99', (phase) => ms(phase.single.requestMs), 'p50 < 50 ms'),
    row('single lockdown → `completed`, p50 / p95 / p99', (phase) => ms(phase.single.completedMs), 'p50 < 200 ms'),
    ...results.settings.bulk.flatMap((users, index) => [
      row(`bulk ${users}: containment, last of ${results.settings.sample} sampled victims refused`, (phase) => `${(phase.bulk[index].containmentMs.max / 1000).toFixed(1)} s (p50 ${(phase.bulk[index].containmentMs.p50 / 1000).toFixed(1)} s)`, '< 5 s'),
      row(`bulk ${users}: completion`, (phase) => `${phase.bulk[index].usersPerSecond} users/s${ofCeiling(phase.bulk[index].usersPerSecond)} (${phase.bulk[index].locked} locked, ${phase.bulk[index].failed} failed)`, '≥ 0.85× ceiling'),
      row(`bulk ${users}: peak RSS, worker / API`, (phase) => `${phase.bulk[index].workerPeakRssMb} / ${phase.bulk[index].apiPeakRssMb} MB`, 'worker < 400 MB'),
    ]),
  ];
  const milestones = [...new Set(names.flatMap((name) => Object.keys(results.phases[name].single.timeline)))];
  const timelineRows = [
    ...milestones.map((milestone) => `| ${milestone} | ${names.map((name) => `${results.phases[name].single.timeline[milestone] ?? '–'} ms`).join(' | ')} |`),
    `| API answered | ${names.map((name) => `${results.phases[name].single.requestMs.p50} ms`).join(' | ')} |`,
    `| victim's session refused | ${names.map((name) => `${results.phases[name].single.revocationMs.p50} ms`).join(' | ')} |`,
  ];
  const lines = [
    '',
    `| measure | ${names.join(' | ')} | goal |`,
    `| --- | ${names.map(() => '---').join(' | ')} | --- |`,
    ...rows,
    '',
    `Where a single lockdown's time goes, p50 ms after the POST (Temporal history event times, last ${TRACED_SINGLES} singles):`,
    '',
    `| milestone | ${names.join(' | ')} |`,
    `| --- | ${names.map(() => '---').join(' | ')} |`,
    ...timelineRows,
    '',
    ...(ceiling ? [`No-op ceiling (same shape: window ${results.settings.window}, continue-as-new every ${results.settings.continueAsNewAfter}, ${results.settings.stepsPerUser} no-op local activities per child): ${ceiling.childrenPerSecond} children/s over ${ceiling.children}, worker peak ${ceiling.workerPeakRssMb} MB.`] : []),
    ...(baselineDirect ? [`Direct loop (same activity code, no Temporal, concurrency ${results.settings.window}): ${baselineDirect.usersPerSecond} users/s over ${baselineDirect.users}.`] : []),
    ...names.map((name) => `Phase "${name}": code ${results.phases[name].ref}, env ${JSON.stringify(Object.fromEntries(Object.entries(results.phases[name].env).filter(([key]) => /^(LOCKDOWN_|WORKER_)/.test(key) && !/KEY|SECRET|PASSWORD/.test(key))))}`),
    `Machine: ${results.machine.cpus} cores, load average ${results.machine.loadAverageBefore.join(' ')} at start, ${results.machine.loadAverageAfter.join(' ')} at end.`,
    '',
  ];
  return lines.join('\n');
}

main().then(
  () => process.exit(0),
  (err) => {
    log(err instanceof Error ? err.stack ?? err.message : String(err));
    process.exit(1);
  },
);
