import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { prepareDatabase } from '../scripts/lib/database';
import { dropDatabase } from '../scripts/lib/postgres';
import { resolveSchemathesis } from '../scripts/lib/schemathesis';
import { createBrand } from './support/flows';
import { ADMIN_PASSWORD, addToken, createUser, startStack, type Stack } from './support/stack';

/**
 * The fuzzer: schemathesis generates requests for every operation of the served OpenAPI
 * document — valid ones, boundary values and invalid ones — against the real stack (API,
 * worker, Temporal, PostgreSQL), as an anonymous caller, a plain user, a per-user admin
 * (change_user on three users, view_audit: the help desk and auditor paths of the
 * authorization rules) and a superuser.
 * It fails on any 5xx, any status the document does not list for the operation, and any
 * answer whose body or content type does not match the document.
 *
 * A superuser fuzzer deletes and rewrites whatever it finds (it reuses ids and slugs from
 * earlier answers): it gets a database of its own, so the seeded configuration other test
 * files rely on stays intact.
 *
 * Bounded for CI: a fixed seed, schemathesis' coverage phase (boundary and invalid values
 * of every parameter) plus a few random cases per operation — more for the superuser, who
 * reaches the deepest code, than for the anonymous caller, who gets 401 almost everywhere.
 * `npm run fuzz` runs FUZZ_EXAMPLES (default 200) random cases per operation and identity,
 * with a random seed (FUZZ_SEED to replay one).
 */
const LONG_RUN = process.env.FUZZ_EXAMPLES !== undefined;
const CI_EXAMPLES: Record<string, number> = { anonymous: 5, 'a plain user': 10, 'a per-user admin': 5, 'a superuser': 25 };
const examplesFor = (identity: string) => (LONG_RUN ? Number(process.env.FUZZ_EXAMPLES) : CI_EXAMPLES[identity]);
const SEED = process.env.FUZZ_SEED ?? (LONG_RUN ? String(Date.now() % 1_000_000) : '4711');
const CHECKS = 'not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance';

let stack: Stack;
let schemathesis: string;
let host: string;
let work: string;
let databaseUrl: string;

beforeAll(async () => {
  schemathesis = await resolveSchemathesis();
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `${url.pathname}_fuzz`;
  databaseUrl = url.toString();
  await prepareDatabase(databaseUrl, { recreate: true, adminPassword: ADMIN_PASSWORD, quiet: true });
  stack = await startStack({ DATABASE_URL: databaseUrl });
  // The fuzzer's requests select a brand of their own (Host header) whose lockdown stage
  // changes nothing: it may lock anyone, its own identities included, and keep fuzzing.
  ({ host } = await createBrand(stack.db, { actions: { deactivateUser: false, setUnusablePassword: false, deleteSessions: false, revokeTokens: false } }));
  work = mkdtempSync(path.join(tmpdir(), 'lockdown-fuzz-'));
}, 600_000);
afterAll(async () => {
  await stack?.stop();
  if (databaseUrl) await dropDatabase(databaseUrl);
  if (work) rmSync(work, { recursive: true, force: true });
});

interface FuzzRun {
  exitCode: number;
  output: string;
  operations: number;
  requests: number;
  serverErrors: number;
  seconds: number;
}

async function fuzz(identity: string, key: string | null): Promise<FuzzRun> {
  const name = identity.replace(/ /g, '-');
  const examples = examplesFor(identity);
  const report = path.join(work, `${name}.ndjson`);
  const args = [
    'run',
    `${stack.baseUrl}/api/v1/schema`,
    '--url', stack.baseUrl,
    '--checks', CHECKS,
    '--phases', 'examples,coverage,fuzzing',
    '--max-examples', String(examples),
    '--seed', SEED,
    '--workers', '2',
    '--no-shrink',
    '--request-timeout', '60',
    '--suppress-health-check', 'all',
    '--continue-on-failure',
    '--output-truncate', 'true',
    '--report', 'ndjson',
    '--report-ndjson-path', report,
    '-H', `Host: ${host}`,
    ...(key ? ['-H', `Authorization: Bearer ${key}`] : []),
  ];
  const started = Date.now();
  const { exitCode, output } = await new Promise<{ exitCode: number; output: string }>((resolve, reject) => {
    // Run in the scratch directory: schemathesis keeps its example database in the working directory.
    const child = spawn(schemathesis, args, { cwd: work, env: { ...process.env, NO_COLOR: '1', SCHEMATHESIS_TELEMETRY: 'false' } });
    let text = '';
    child.stdout.on('data', (chunk) => (text += chunk));
    child.stderr.on('data', (chunk) => (text += chunk));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ exitCode: code ?? 1, output: text }));
  });
  const counts = countRequests(report);
  const run = { exitCode, output, ...counts, seconds: Math.round((Date.now() - started) / 1000) };
  process.stderr.write(`[fuzz] ${name}: ${run.operations} operations, ${run.requests} requests, ${run.serverErrors} 5xx, ${run.seconds} s (seed ${SEED}, ${examples} examples)\n`);
  return run;
}

/** Operations and requests of a run, and the 5xx answers among them, from its NDJSON report. */
function countRequests(report: string) {
  const operations = new Set<string>();
  let requests = 0;
  let serverErrors = 0;
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (!value || typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    const response = record.response as { status_code?: number } | undefined;
    const request = record.request as { method?: string; uri?: string } | undefined;
    if (request && response && typeof response.status_code === 'number') {
      requests += 1;
      if (response.status_code >= 500) serverErrors += 1;
    }
    if (typeof record.label === 'string' && /^(GET|POST|PATCH|PUT|DELETE) \//.test(record.label)) operations.add(record.label);
    Object.values(record).forEach(visit);
  };
  for (const line of readFileSync(report, 'utf8').split('\n')) if (line.trim()) visit(JSON.parse(line));
  return { operations: operations.size, requests, serverErrors };
}

/** The failures section of schemathesis' report (each with a curl line to reproduce it), and its summary. */
function failuresOf(output: string): string {
  const start = output.search(/=+ (FAILURES|ERRORS) =+/);
  const summary = output.search(/=+ SUMMARY =+/);
  const failures = start >= 0 ? output.slice(start, output.search(/=+ WARNINGS =+/) > start ? output.search(/=+ WARNINGS =+/) : summary) : '';
  return `${failures.slice(0, 30_000)}\n${summary >= 0 ? output.slice(summary) : output.slice(-5_000)}`;
}

async function superuserToken() {
  const user = await createUser(stack.db, { isSuperuser: true });
  return addToken(stack.db, user.id, 'api');
}

async function plainToken() {
  const user = await createUser(stack.db);
  return addToken(stack.db, user.id, 'api');
}

/** change_user on three users and view_audit: the rules' per-user branches, not only all or nothing. */
async function perUserAdminToken() {
  const user = await createUser(stack.db);
  await stack.db.permission.create({ data: { userId: user.id, permission: 'view_audit' } });
  for (let i = 0; i < 3; i++) {
    const managed = await createUser(stack.db);
    await stack.db.permission.create({ data: { userId: user.id, permission: 'change_user', targetUserId: managed.id } });
  }
  return addToken(stack.db, user.id, 'api');
}

it.each([
  ['anonymous', async () => null],
  ['a plain user', plainToken],
  ['a per-user admin', perUserAdminToken],
  ['a superuser', superuserToken],
])('as %s, every operation answers as documented and never 5xx', async (name, credential) => {
  const run = await fuzz(name, await credential());
  if (run.exitCode !== 0) throw new Error(`schemathesis found problems as ${name}:\n${failuresOf(run.output)}`);
  expect(run.serverErrors).toBe(0);
  expect(run.requests).toBeGreaterThan(run.operations);
}, 1_800_000);
