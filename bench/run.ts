import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { bundleWorkflowCode } from '@temporalio/worker';
import { createAuditActivities } from '../activities/audit';
import { createUserLockdownActivities } from '../activities/user-lockdown';
import { loadConfig } from '../lib/config';
import { createDb } from '../lib/db';
import { createLogger } from '../lib/logger';
import { createTemporalClient } from '../lib/temporal';
import { startEphemeralServices } from '../scripts/lib/ephemeral-services';
import { log, quietBundlerLogger } from '../scripts/lib/log';
import { freePort } from '../scripts/lib/ports';
import { stopProcess } from '../scripts/lib/temporal-cli';
import type { ceilingParent } from './ceiling/workflows';
import { createUsers, measure, TRACED_SINGLES, type PhaseMeasures, type Spread } from './measure';
import { ADMIN_PASSWORD, benchProcesses, clusterTarget, devTarget, type Target } from './targets';

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
 * On three targets (bench/targets.ts): the bench's own processes, `npm run dev` as the quick
 * start runs it, and `npm run cluster` (Temporal on PostgreSQL) with 1, 2, … workers.
 */
const ROOT = path.resolve(__dirname, '..');
/** The code the "before" phase runs: main as it was before issue 20 (no eager start, no containment on record). */
const BEFORE_REF = '51d62bd';
/**
 * Local activities per lockdownUser child: check, 4 actions, verify, audit, record, plan the
 * security events, plan downstream (workflows/lockdown-user.ts; 9 before the connectors).
 */
const STEPS_PER_USER = 10;

const program = new Command('npm run bench --')
  .description('Benchmark time-to-revocation, bulk containment and throughput against the no-op ceiling and a direct loop; writes bench/results/<label>.json and prints a markdown table.')
  .option('--on <target>', 'what to measure: "bench" (a worker and an API process on the bench\'s own dev server), "dev" (`npm run dev` as the quick start runs it) or "cluster" (`npm run cluster`: Temporal on PostgreSQL)', 'bench')
  .option('--workers <counts>', 'cluster: worker processes, one phase per count (comma-separated)', '1,2')
  .option('--singles <n>', 'single-user lockdowns, one after another (time-to-revocation)', '200')
  .option('--bulk <sizes>', 'comma-separated bulk sizes, one bulk lockdown each (0: none)', '2000,10000')
  .option('--window <n>', 'bench: per-user children running at once (LOCKDOWN_BULK_WINDOW); dev and cluster run their defaults', '25')
  .option('--continue-as-new-after <n>', 'bench: children per parent run (LOCKDOWN_CONTINUE_AS_NEW_AFTER)', '500')
  .option('--sample <n>', 'victims polled during each bulk run', '20')
  .option('--ceiling-users <n>', 'bench: children in the no-op ceiling run (0 skips it)', '2000')
  .option('--baseline-users <n>', 'bench: users in the direct-loop baseline (0 skips it)', '2000')
  .option('--before <env>', 'env of the "before" phase, run first on the same machine (KEY=VALUE,…; "none" skips the phase)', '')
  .option('--before-ref <commit>', 'code of the "before" phase: a git archive of this commit, run with this checkout\'s node_modules ("none": this checkout)', BEFORE_REF)
  .option('--after <env>', 'env of the "after" phase (KEY=VALUE,…), this checkout', '')
  .option('--profile <dir>', 'bench: write a worker --cpu-prof profile and a heap snapshot (5 s into the first bulk run) into <dir>; summarize them with `npx tsx bench/profile-summary.ts <dir>`')
  .option('--memory', 'bench: first, what an idle worker process holds, piece by piece (bench/worker-memory.ts)')
  .option('--label <name>', 'name of the results file (bench/results/<label>.json)', 'latest')
  .addHelpText('after', `
Issue 20's documented run (README § Performance), as run on 2026-12-05:
  npm run bench -- --on dev --singles 200 --bulk 0 --label issue-20-dev                            # ~3 min
  npm run bench -- --on cluster --workers 1,2 --singles 200 --bulk 2000 --label issue-20-cluster   # ~20 min
  npm run bench -- --singles 200 --bulk 2000,10000 --memory --label issue-20                       # ~19 min
A small run on a busy machine: npm run bench -- --singles 50 --bulk 500 --ceiling-users 500 --baseline-users 500
The bench target uses TEMPORAL_ADDRESS / BENCH_DATABASE_URL when set; otherwise it starts a dev server and a private PostgreSQL.`)
  .parse();

interface Options {
  on: string;
  workers: string;
  singles: string;
  bulk: string;
  window: string;
  continueAsNewAfter: string;
  sample: string;
  ceilingUsers: string;
  baselineUsers: string;
  before: string;
  beforeRef: string;
  after: string;
  profile?: string;
  memory?: boolean;
  label: string;
}

const parseEnv = (value: string): Record<string, string> =>
  Object.fromEntries(
    value
      .split(',')
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
const shownEnv = (env: NodeJS.ProcessEnv) => Object.fromEntries(Object.entries(env).filter(([key]) => /^(LOCKDOWN_|WORKER_|API_)/.test(key) && !/KEY|SECRET|PASSWORD|_TEST_/.test(key)));

/**
 * The project as it was at `ref`, in a temporary directory: the files of the commit, this
 * checkout's node_modules (the dependencies are the same) and its own generated Prisma client.
 */
function checkoutOf(ref: string): string {
  const dir = mkdtempSync(path.join(ROOT, '.data', 'bench-before-'));
  const archive = execFileSync('git', ['-C', ROOT, 'archive', '--format=tar', ref], { maxBuffer: 1 << 30 });
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  execFileSync(process.execPath, ['--import', 'tsx', path.join(dir, 'scripts', 'prisma.ts'), 'generate'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  return dir;
}

interface PhasePlan {
  name: string;
  ref: string | null;
  env: Record<string, string>;
  workers?: number;
}

async function main() {
  const options = program.opts<Options>();
  const target = options.on;
  if (!['bench', 'dev', 'cluster'].includes(target)) throw new Error(`--on: "${target}" is not bench, dev or cluster`);
  const singles = Number(options.singles);
  const bulkSizes = options.bulk.split(',').map(Number).filter((size) => size > 0);
  const window = Number(options.window);
  const continueAsNewAfter = Number(options.continueAsNewAfter);
  const sampleSize = Number(options.sample);
  const loadBefore = loadavg();
  const workDir = path.join(ROOT, '.data', `bench-${process.pid}`);
  mkdirSync(workDir, { recursive: true });
  log(`Logs of the measured processes: ${workDir}`);
  let succeeded = false;
  // The measured processes' logs stay when the run fails.
  const cleanups: (() => Promise<void> | void)[] = [
    () => {
      if (succeeded) rmSync(workDir, { recursive: true, force: true });
    },
  ];

  const versions: PhasePlan[] = [
    ...(options.before === 'none' ? [] : [{ name: 'before', ref: options.beforeRef === 'none' ? null : options.beforeRef, env: parseEnv(options.before) }]),
    { name: 'after', ref: null, env: parseEnv(options.after) },
  ];
  const phases: PhasePlan[] =
    target === 'cluster'
      ? options.workers
          .split(',')
          .map(Number)
          .flatMap((workers) => versions.map((version) => ({ ...version, name: `${version.name}, ${workers} worker${workers === 1 ? '' : 's'}`, workers })))
      : versions;

  try {
    // The bench target's own Temporal dev server and database, shared by its phases and the baselines.
    const services = target === 'bench' ? await startEphemeralServices({ name: 'bench', databaseUrl: process.env.BENCH_DATABASE_URL, adminPassword: ADMIN_PASSWORD }) : null;
    if (services) cleanups.push(() => services.stop());
    const benchEnv: NodeJS.ProcessEnv | null = services
      ? {
          ...process.env,
          DATABASE_URL: services.databaseUrl,
          TEMPORAL_ADDRESS: services.temporalAddress,
          LOCKDOWN_PAYLOAD_KEYS: services.payloadKeys,
          LOCKDOWN_BULK_WINDOW: String(window),
          LOCKDOWN_CONTINUE_AS_NEW_AFTER: String(continueAsNewAfter),
          LOG_LEVEL: 'error',
          LOGIN_RATE_LIMIT_PER_MINUTE: '1000000',
          API_WORKFLOW_DEADLINE_MS: '60000',
          HOST: '127.0.0.1',
        }
      : null;

    const idleWorkerMemory = benchEnv && options.memory ? await workerMemory(benchEnv, workDir) : null;

    const roots = new Map<string | null, string>([[null, ROOT]]);
    const rootOf = (ref: string | null) => {
      if (!roots.has(ref)) {
        const dir = checkoutOf(ref!);
        cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
        roots.set(ref, dir);
      }
      return roots.get(ref)!;
    };

    const measured: Record<string, PhaseMeasures & { ref: string; env: Record<string, string> }> = {};
    for (const [index, phase] of phases.entries()) {
      log(`Phase "${phase.name}": code ${phase.ref ?? 'of this checkout'}, env ${JSON.stringify(phase.env)}`);
      const root = rootOf(phase.ref);
      const logDir = path.join(workDir, `phase-${index}`);
      mkdirSync(logDir, { recursive: true });
      let started: Target;
      let duringFirstBulk: (() => void) | undefined;
      let workerMetricsUrl: string | undefined;
      let phaseEnv: NodeJS.ProcessEnv = phase.env;
      if (target === 'bench') {
        const metricsPort = await freePort();
        phaseEnv = { ...benchEnv!, PORT: String(await freePort()), TEMPORAL_TASK_QUEUE: `bench-${process.pid}-${index}`, WORKER_METRICS_PORT: String(metricsPort), ...phase.env };
        const profile = phase.name === 'after' ? options.profile : undefined;
        if (profile) mkdirSync(profile, { recursive: true });
        // Not SIGUSR2 for the heap snapshot: the Temporal runtime takes it as a shutdown signal.
        const workerArgs = profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profile)}`, '--heapsnapshot-signal=SIGWINCH', `--diagnostic-dir=${path.resolve(profile)}`] : [];
        const processes = benchProcesses(root, phaseEnv, { logDir, workerArgs });
        started = processes;
        await waitForApi(started);
        if (profile) duringFirstBulk = () => processes.worker.kill('SIGWINCH');
        workerMetricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
      } else if (target === 'dev') {
        if (Object.keys(phase.env).length > 0) throw new Error('--on dev runs `npm run dev` as shipped: no --before/--after env.');
        started = await devTarget(root, { logDir, dataDir: path.join(logDir, 'data') });
      } else {
        if (Object.keys(phase.env).length > 0) throw new Error('--on cluster runs `npm run cluster` as shipped: no --before/--after env.');
        started = await clusterTarget(root, { logDir, dataDir: path.join(logDir, 'data'), workers: phase.workers!, slot: index });
      }
      try {
        const result = await measure(started, { singles, bulkSizes, sampleSize, duringFirstBulk, workerMetricsUrl });
        measured[phase.name] = { ...result, ref: phase.ref ?? execFileSync('git', ['-C', ROOT, 'describe', '--always', '--dirty']).toString().trim(), env: shownEnv(phaseEnv) as Record<string, string> };
      } finally {
        await started.stop();
      }
    }

    const ceiling = services && Number(options.ceilingUsers) > 0 ? await noopCeiling(benchEnv!, { users: Number(options.ceilingUsers), window, continueAsNewAfter, logDir: workDir }) : null;
    const baseline = services && Number(options.baselineUsers) > 0 ? await directLoop(benchEnv!, Number(options.baselineUsers), window) : null;

    const results: Results = {
      date: new Date().toISOString(),
      target,
      machine: { cpus: cpus().length, node: process.version, loadAverageBefore: loadBefore.map((value) => Number(value.toFixed(1))), loadAverageAfter: loadavg().map((value) => Number(value.toFixed(1))) },
      settings: { singles, bulk: bulkSizes, window, continueAsNewAfter, sample: sampleSize, stepsPerUser: STEPS_PER_USER },
      phases: measured,
      ceiling,
      baselineDirect: baseline,
      idleWorkerMemory,
    };
    mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
    const file = path.join(ROOT, 'bench', 'results', `${options.label}.json`);
    writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
    process.stdout.write(table(results) + `\n(${path.relative(ROOT, file)})\n`);
    succeeded = true;
  } finally {
    for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
  }
}

async function waitForApi(target: Target): Promise<void> {
  for (let tries = 0; ; tries++) {
    try {
      if ((await fetch(`${target.apiUrl}/healthz`)).ok) return;
    } catch {
      if (tries > 1200) throw new Error('the API did not start within 2 minutes');
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The no-op ceiling (bench/ceiling/): the same shape — sliding window of ABANDON children, a
 * signal back, continue-as-new at the same threshold, the same number of local activities per
 * child, the worker's settings and payload encryption — with activities that do nothing. Its
 * worker loads a prebuilt bundle, like the lockdown worker.
 */
async function noopCeiling(env: NodeJS.ProcessEnv, options: { users: number; window: number; continueAsNewAfter: number; logDir: string }) {
  log(`No-op ceiling: ${options.users} children, window ${options.window}, continue-as-new every ${options.continueAsNewAfter}, ${STEPS_PER_USER} no-op local activities each…`);
  const bundle = path.join(options.logDir, 'ceiling-bundle.js');
  writeFileSync(bundle, (await bundleWorkflowCode({ workflowsPath: require.resolve('./ceiling/workflows'), logger: quietBundlerLogger })).code);
  const queue = `ceiling-${process.pid}`;
  const worker = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', 'ceiling', 'worker.ts')], {
    cwd: ROOT,
    env: { ...env, TEMPORAL_TASK_QUEUE: queue, CEILING_BUNDLE_PATH: bundle },
    stdio: ['ignore', openSync(path.join(options.logDir, 'ceiling-worker.log'), 'a'), 'inherit'],
  });
  let peakMb = 0;
  const timer = setInterval(() => {
    try {
      const status = readFileSync(`/proc/${worker.pid}/status`, 'utf8');
      peakMb = Math.max(peakMb, Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
    } catch {
      // starting or gone
    }
  }, 100);
  const config = loadConfig(env);
  const temporal = await createTemporalClient(config);
  try {
    const input = { total: options.users, window: options.window, continueAsNewAfter: options.continueAsNewAfter, steps: STEPS_PER_USER };
    await temporal.workflow.execute<typeof ceilingParent>('ceilingParent', { taskQueue: queue, workflowId: `ceiling-warm-${randomUUID()}`, args: [{ ...input, total: 2 }] });
    const begin = performance.now();
    await temporal.workflow.execute<typeof ceilingParent>('ceilingParent', { taskQueue: queue, workflowId: `ceiling-${randomUUID()}`, args: [input] });
    const seconds = (performance.now() - begin) / 1000;
    return { children: options.users, seconds: Number(seconds.toFixed(1)), childrenPerSecond: Number((options.users / seconds).toFixed(1)), workerPeakRssMb: Math.round(peakMb), loadAverage: Number(loadavg()[0].toFixed(1)) };
  } finally {
    clearInterval(timer);
    await stopProcess(worker);
    await temporal.connection.close();
  }
}

/** What an idle worker process holds, piece by piece (bench/worker-memory.ts, with --expose-gc so each reading follows a full collection). */
async function workerMemory(env: NodeJS.ProcessEnv, workDir: string): Promise<Record<string, { rssMb: number; heapUsedMb: number; externalMb: number }>> {
  log('Memory of an idle worker, piece by piece…');
  const bundle = path.join(workDir, 'workflow-bundle.js');
  execFileSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'bundle-workflows.ts'), bundle], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const output = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(ROOT, 'bench', 'worker-memory.ts')], {
    cwd: ROOT,
    env: { ...env, TEMPORAL_TASK_QUEUE: `memory-${process.pid}`, WORKFLOW_BUNDLE_PATH: bundle },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(output.toString().trim().split('\n').pop()!);
}

/** The same activity code for the same number of users, called without Temporal at the same concurrency. */
async function directLoop(env: NodeJS.ProcessEnv, users: number, window: number) {
  log(`Direct loop: the same activity code for ${users} users, no Temporal, concurrency ${window}…`);
  const db = createDb(env.DATABASE_URL!, 20);
  try {
    const logger = createLogger('error', 'bench');
    const { ids } = await createUsers(db, users);
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
    await Promise.all(
      Array.from({ length: window }, async () => {
        while (next < ids.length) await lockOne(ids[next++]);
      }),
    );
    const seconds = (performance.now() - begin) / 1000;
    return { users, seconds: Number(seconds.toFixed(1)), usersPerSecond: Number((users / seconds).toFixed(1)), loadAverage: Number(loadavg()[0].toFixed(1)) };
  } finally {
    await db.$disconnect();
  }
}

type Phase = PhaseMeasures & { ref: string; env: Record<string, string> };
interface Results {
  date: string;
  target: string;
  machine: { cpus: number; node: string; loadAverageBefore: number[]; loadAverageAfter: number[] };
  settings: { singles: number; bulk: number[]; window: number; continueAsNewAfter: number; sample: number; stepsPerUser: number };
  phases: Record<string, Phase>;
  ceiling: { children: number; seconds: number; childrenPerSecond: number; workerPeakRssMb: number; loadAverage: number } | null;
  baselineDirect: { users: number; seconds: number; usersPerSecond: number; loadAverage: number } | null;
  idleWorkerMemory: Record<string, { rssMb: number; heapUsedMb: number; externalMb: number }> | null;
}

/** One row per measure, one column per phase, then the goal (issue 20). */
function table(results: Results): string {
  const { ceiling, baselineDirect } = results;
  const names = Object.keys(results.phases);
  const ms = (s: Spread) => `${s.p50} / ${s.p95} / ${s.p99} ms`;
  const ofCeiling = (value: number) => (ceiling ? ` = **${(value / ceiling.childrenPerSecond).toFixed(2)}×** ceiling` : '');
  const row = (measure: string, cell: (phase: Phase) => string, goal: string) => `| ${measure} | ${names.map((name) => cell(results.phases[name])).join(' | ')} | ${goal} |`;
  const memory = (breakdown: Record<string, number> | null) =>
    breakdown ? ` (heap ${breakdown.heapUsedMb}/${breakdown.heapTotalMb}, external ${breakdown.externalMb}, rest ${breakdown.rssMb - breakdown.heapTotalMb - breakdown.externalMb})` : '';
  const parts = (used: Record<string, number>) =>
    Object.entries(used)
      .map(([part, value]) => `${part} ${value}`)
      .join(', ');
  const rows = [
    row(`time-to-revocation, single (POST → victim 401), p50 / p95 / p99, n=${results.settings.singles}`, (phase) => ms(phase.single.revocationMs), 'p50 < 50 ms, p99 < 150 ms'),
    row('`POST /lockdowns` answer, single, p50 / p95 / p99', (phase) => ms(phase.single.requestMs), 'p50 < 50 ms'),
    row('single lockdown → `completed`, p50 / p95 / p99', (phase) => ms(phase.single.completedMs), ''),
    row('singles: peak RSS, worker / API', (phase) => `${phase.single.peakRssMb.worker} / ${phase.single.peakRssMb.api} MB`, ''),
    row('singles: CPU ms per lockdown by part', (phase) => parts(phase.single.cpuMsPerSingle), ''),
    row('singles: load average (1 min) at start / end', (phase) => phase.single.loadAverage.join(' / '), ''),
    ...results.settings.bulk.flatMap((users, index) => [
      row(`bulk ${users}: containment, last of ${results.settings.sample} sampled victims refused`, (phase) => `${(phase.bulk[index].containmentMs.max / 1000).toFixed(1)} s (p50 ${(phase.bulk[index].containmentMs.p50 / 1000).toFixed(1)} s)`, '< 5 s'),
      row(
        `bulk ${users}: completion`,
        (phase) => `${phase.bulk[index].usersPerSecond} users/s${ofCeiling(phase.bulk[index].usersPerSecond)} (${phase.bulk[index].locked} locked, ${phase.bulk[index].failed} failed)`,
        '≥ 0.85× ceiling',
      ),
      row(
        `bulk ${users}: peak RSS, worker / API (MB; main-thread V8 heap used/total, external, rest, at the peak)`,
        (phase) => `${phase.bulk[index].workerPeakRssMb}${memory(phase.bulk[index].workerMemoryAtPeak)} / ${phase.bulk[index].apiPeakRssMb}${memory(phase.bulk[index].apiMemoryAtPeak)}`,
        'worker < 400 MB',
      ),
      row(`bulk ${users}: CPU s per 1,000 users by part`, (phase) => parts(phase.bulk[index].cpuSecondsPer1000Users), ''),
      row(`bulk ${users}: load average at start / end`, (phase) => phase.bulk[index].loadAverage.join(' / '), ''),
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
    `Target: ${results.target}.`,
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
    ...(ceiling
      ? [`No-op ceiling (same shape: window ${results.settings.window}, continue-as-new every ${results.settings.continueAsNewAfter}, ${results.settings.stepsPerUser} no-op local activities per child): ${ceiling.childrenPerSecond} children/s over ${ceiling.children}, worker peak ${ceiling.workerPeakRssMb} MB (load ${ceiling.loadAverage} at its end).`]
      : []),
    ...(baselineDirect ? [`Direct loop (same activity code, no Temporal, concurrency ${results.settings.window}): ${baselineDirect.usersPerSecond} users/s over ${baselineDirect.users} (load ${baselineDirect.loadAverage} at its end).`] : []),
    ...(results.idleWorkerMemory
      ? [
          `An idle worker process, piece by piece (after a full GC): ${Object.entries(results.idleWorkerMemory)
            .map(([piece, memory]) => `${piece} ${memory.rssMb} MB RSS (heap ${memory.heapUsedMb}, external ${memory.externalMb})`)
            .join('; ')}.`,
        ]
      : []),
    ...names.map((name) => `Phase "${name}": code ${results.phases[name].ref}, env ${JSON.stringify(results.phases[name].env)}`),
    `Machine: ${results.machine.cpus} cores, load average ${results.machine.loadAverageBefore.join(' ')} at start, ${results.machine.loadAverageAfter.join(' ')} at end.`,
    '',
  ];
  return lines.join('\n');
}

main().then(
  () => process.exit(0),
  (err) => {
    log(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
