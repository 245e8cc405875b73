import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { isFinished, type LockdownStatus } from '../domain/lockdown-status';
import { loadConfig } from '../lib/config';
import { generateKey, hashKey } from '../lib/credentials';
import { createDb, type Db } from '../lib/db';
import { createTemporalClient } from '../lib/temporal';
import { log } from '../scripts/lib/log';
import { cpuMeter, residentMb } from './processes';
import { ADMIN_PASSWORD, type Parts, type Target } from './targets';

/** Single lockdowns whose Temporal histories are read for the timeline (the last ones of a phase). */
export const TRACED_SINGLES = 30;

export function percentile(values: number[], p: number): number {
  const sorted = [...values].filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN);
}
export const spread = (values: number[]) => ({ p50: percentile(values, 50), p95: percentile(values, 95), p99: percentile(values, 99), max: percentile(values, 100), n: values.length });
export type Spread = ReturnType<typeof spread>;
const loadAverage = () => Number(loadavg()[0].toFixed(1));

/** A history event's time (protobuf Timestamp) in ms since the epoch. */
function eventMs(at: unknown): number | null {
  const time = at as { seconds?: { toNumber(): number } | number | null; nanos?: number | null } | null | undefined;
  if (!time?.seconds) return null;
  const seconds = typeof time.seconds === 'number' ? time.seconds : time.seconds.toNumber();
  return seconds * 1000 + Math.floor((time.nanos ?? 0) / 1e6);
}

/** Users with two live sessions and one API token each; returns the ids and the first session key of each. */
export async function createUsers(db: Db, count: number): Promise<{ ids: string[]; keys: string[] }> {
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

/** Peak resident memory per role (the largest process of the role), sampled every 100 ms from /proc. */
function rssSampler(parts: () => Parts) {
  const peak = { worker: 0, api: 0 };
  let known = parts();
  const refresh = setInterval(() => (known = parts()), 2_000);
  const timer = setInterval(() => {
    for (const role of ['worker', 'api'] as const) for (const pid of known[role]) peak[role] = Math.max(peak[role], residentMb(pid));
  }, 100);
  return {
    peak: () => ({ worker: Math.round(peak.worker), api: Math.round(peak.api) }),
    reset: () => Object.assign(peak, { worker: 0, api: 0 }),
    stop: () => {
      clearInterval(timer);
      clearInterval(refresh);
    },
  };
}

/**
 * A process's memory by kind at its peak, from its /metrics (prom-client's process metrics):
 * the main thread's V8 heap, memory outside it that V8 tracks (buffers, WebAssembly), and the
 * rest of the resident set (the workflow thread's isolate, Temporal's Rust core, allocator slack).
 */
function memoryBreakdownSampler(metricsUrl: string | undefined) {
  let atPeak: Record<string, number> | null = null;
  const read = async () => {
    if (!metricsUrl) return;
    try {
      const text = await (await fetch(metricsUrl, { signal: AbortSignal.timeout(2_000) })).text();
      const value = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([\\d.e+]+)$`, 'm').exec(text)?.[1] ?? NaN) / 1024 / 1024;
      const sample = { rssMb: value('process_resident_memory_bytes'), heapUsedMb: value('nodejs_heap_size_used_bytes'), heapTotalMb: value('nodejs_heap_size_total_bytes'), externalMb: value('nodejs_external_memory_bytes') };
      if (!atPeak || sample.rssMb > atPeak.rssMb) atPeak = sample;
    } catch {
      // the worker is busy or gone: the next sample counts
    }
  };
  const timer = setInterval(() => void read(), 1_000);
  return {
    atPeak: () => (atPeak ? Object.fromEntries(Object.entries(atPeak).map(([key, mb]) => [key, Math.round(mb)])) : null),
    reset: () => (atPeak = null),
    stop: () => clearInterval(timer),
  };
}

export interface MeasureOptions {
  singles: number;
  bulkSizes: number[];
  sampleSize: number;
  /** Called 5 s into the first bulk run (the bench target's heap snapshot). */
  duringFirstBulk?: () => void;
  /** The worker's /metrics, when it serves one (memory by kind; the API's is read at its own /metrics). */
  workerMetricsUrl?: string;
}

/** Everything the table shows of one phase: singles (revocation, answer, completion, timeline) and each bulk run. */
export async function measure(target: Target, options: MeasureOptions) {
  const db = createDb(target.databaseUrl, 20);
  const rss = rssSampler(() => target.processes());
  // Where the CPU goes: each part of the target, the bench itself (the victims' polling), and the whole machine (others' load included).
  const cpu = cpuMeter(() => ({ ...target.processes(), bench: [process.pid] }));
  const memory = memoryBreakdownSampler(options.workerMetricsUrl);
  const apiMemory = memoryBreakdownSampler(`${target.apiUrl}/metrics`);
  const loadAtStart = loadAverage();
  try {
    const call = async (method: string, url: string, key: string | null, body?: object) => {
      const response = await fetch(target.apiUrl + url, {
        method,
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: response.status, body: (await response.json().catch(() => ({}))) as Record<string, unknown> };
    };
    const admin = (await call('POST', '/api/v1/auth/login', null, { username: 'admin', password: ADMIN_PASSWORD })).body.sessionKey as string;
    if (!admin) throw new Error('The bench could not log in as admin.');
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
        if (status !== 200) throw new Error(`GET /me answered ${status}: ${JSON.stringify(body)}`);
        if (performance.now() > deadline) return NaN;
        if (pollMs > 0) await sleep(pollMs);
      }
    };

    // Warm-up: connections, caches and the workflow code's first load.
    const warm = await createUsers(db, 3);
    await waitCompleted(await start({ user: warm.ids[0], reason: 'warm-up' }), 10);
    await waitCompleted(await start({ users: warm.ids.slice(1), reason: 'warm-up' }), 10);

    log(`Single lockdowns: ${options.singles}, one after another, each victim polled tightly…`);
    const victims = await createUsers(db, options.singles);
    const revocation: number[] = [];
    const request: number[] = [];
    const completion: number[] = [];
    const traced: { workflowId: string; postedAt: number }[] = [];
    rss.reset();
    cpu.start();
    for (let index = 0; index < options.singles; index++) {
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
    const singlesRss = rss.peak();
    const singlesCpu = cpu.stop();
    // CPU ms per single lockdown, by part (victim polling included in the bench's).
    const cpuMsPerSingle = Object.fromEntries(Object.entries(singlesCpu).map(([part, used]) => [part, Math.round((used * 1000) / Math.max(1, options.singles))]));
    const timeline = await singleTimeline(target, traced.slice(-TRACED_SINGLES));
    const loadAfterSingles = loadAverage();

    const bulk = [];
    for (const [runIndex, size] of options.bulkSizes.entries()) {
      log(`Bulk lockdown of ${size} users; ${options.sampleSize} victims polled…`);
      const users = await createUsers(db, size);
      const sample = Array.from({ length: Math.min(options.sampleSize, size) }, (_, index) => Math.floor((index * size) / Math.min(options.sampleSize, size)));
      // The last target too: it is the one a user-by-user run reaches last.
      if (!sample.includes(size - 1)) sample[sample.length - 1] = size - 1;
      rss.reset();
      memory.reset();
      apiMemory.reset();
      const load = loadAverage();
      cpu.start();
      const begin = performance.now();
      const deadline = begin + 3_600_000;
      const polled = Promise.all(sample.map((index) => revoked(users.keys[index], begin, 20, deadline)));
      const id = await start({ users: users.ids, reason: 'bench bulk' });
      const requestMs = performance.now() - begin;
      if (runIndex === 0 && options.duringFirstBulk) setTimeout(options.duringFirstBulk, 5_000).unref();
      const [containment, result] = await Promise.all([polled, waitCompleted(id, 250)]);
      const seconds = (performance.now() - begin) / 1000;
      const cpuSeconds = cpu.stop();
      const progress = result.progress as { locked: number; failed: number };
      const peak = rss.peak();
      bulk.push({
        users: size,
        requestMs: Math.round(requestMs),
        containmentMs: spread(containment),
        completionSeconds: Number(seconds.toFixed(1)),
        usersPerSecond: Number((size / seconds).toFixed(1)),
        locked: progress.locked,
        failed: progress.failed,
        workerPeakRssMb: peak.worker,
        apiPeakRssMb: peak.api,
        workerMemoryAtPeak: memory.atPeak(),
        apiMemoryAtPeak: apiMemory.atPeak(),
        // CPU seconds per 1,000 users, by part (and the whole machine's busy time over the run).
        cpuSecondsPer1000Users: Object.fromEntries(Object.entries(cpuSeconds).map(([part, used]) => [part, Number(((used * 1000) / size).toFixed(1))])),
        loadAverage: [load, loadAverage()],
      });
    }
    return {
      single: { revocationMs: spread(revocation), requestMs: spread(request), completedMs: spread(completion), timeline, peakRssMb: singlesRss, cpuMsPerSingle, loadAverage: [loadAtStart, loadAfterSingles] },
      bulk,
    };
  } finally {
    rss.stop();
    memory.stop();
    apiMemory.stop();
    await db.$disconnect();
  }
}

/**
 * Where a single lockdown's time goes: the p50 offset (ms after the POST) of each milestone in
 * the parent's and the per-user child's Temporal histories (event times; same machine).
 */
async function singleTimeline(target: Target, lockdowns: { workflowId: string; postedAt: number }[]): Promise<Record<string, number>> {
  const temporal = await createTemporalClient(loadConfig({ DATABASE_URL: target.databaseUrl, ...target.temporalEnv }));
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

export type PhaseMeasures = Awaited<ReturnType<typeof measure>>;
