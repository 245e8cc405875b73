import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { ADMIN_PASSWORD, adminSession, bearer, createManyUsers, createUser, startStack, type Stack } from './support/stack';

/**
 * The `lockdown` operator CLI, run as the real binary (bin/lockdown.cjs, what `npx lockdown`
 * runs) against the real stack: API, worker, Temporal and PostgreSQL.
 */
const BIN = path.join(__dirname, '..', 'bin', 'lockdown.cjs');

let stack: Stack;
let work: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `lockdown <args>` with its own config directory; `stdin` is written then closed. */
function cli(args: string[], options: { stdin?: string; configDir?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, LOCKDOWN_URL: stack.baseUrl, LOCKDOWN_CONFIG_DIR: options.configDir ?? path.join(work, 'admin'), ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

beforeAll(async () => {
  stack = await startStack();
  work = mkdtempSync(path.join(tmpdir(), 'lockdown-cli-'));
  const login = await cli(['login', '--username', 'admin', '--password-stdin'], { stdin: `${ADMIN_PASSWORD}\n` });
  expect(login).toMatchObject({ code: 0 });
});
afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  await stack?.stop();
});

describe('lockdown CLI', () => {
  it('when an operator logs in, then the session key is kept in the config directory, readable by the owner only', () => {
    const file = path.join(work, 'admin', 'session.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ url: stack.baseUrl, username: 'admin', sessionKey: expect.any(String) });
  });

  it('when --help is asked, then every command is listed with examples and exit codes', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['login', 'users', 'lock', 'status', 'results', 'timeline', 'cancel', 'restore']) expect(help.stdout).toContain(command);
    expect(help.stdout).toContain('Exit codes:');
  });

  it('when a file of 200 usernames is locked, confirmed, and watched to the end, then the results CSV has 200 locked rows', async () => {
    const prefix = `cli-incident-${Date.now()}`;
    const ids = await createManyUsers(stack.db, 200, prefix);
    const file = path.join(work, 'compromised.csv');
    writeFileSync(file, ['username', ...ids.map((_, index) => `${prefix}-${index}`)].join('\n') + '\n');

    const started = await cli(['--json', 'lock', '--file', file, '--reason', 'credential leak INC-4711', '--no-wait'], { stdin: 'y\n' });
    expect(started.stderr).toContain('Lock 200 users');
    expect(started.code).toBe(0);
    const lockdown = JSON.parse(started.stdout);
    expect(lockdown.progress.total).toBe(200);

    const watched = await cli(['status', lockdown.id, '--watch', '--interval', '500']);
    expect(watched.stderr).toContain('200/200 users'); // the progress bar reached the end
    expect(watched.stdout).toContain(`Lockdown ${lockdown.id}: completed`);
    expect(watched.code).toBe(0);

    const csvFile = path.join(work, 'results.csv');
    const results = await cli(['results', lockdown.id, '--csv', '--output', csvFile]);
    expect(results.code).toBe(0);
    const rows = parse(readFileSync(csvFile, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(200);
    expect(new Set(rows.map((row) => row.userId))).toEqual(new Set(ids));
    expect(rows.every((row) => row.status === 'locked' && row.success === 'true' && row.sessionsRevoked === '1' && row.tokensRevoked === '1')).toBe(true);
    expect(await stack.db.user.count({ where: { id: { in: ids }, isActive: false } })).toBe(200);
  }, 600_000); // 200 users on two shared cores, next to the rest of the suite

  it('when the confirmation is refused, then nothing is locked and the exit code says bad input', async () => {
    const victim = await createUser(stack.db);
    const refused = await cli(['lock', victim.username, '--reason', 'not confirmed'], { stdin: 'n\n' });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('nothing was locked');
    expect(await stack.db.lockdownTarget.count({ where: { userId: victim.id } })).toBe(0);
  });

  it('when unknown usernames are given, then they are all named and nothing is locked', async () => {
    const victim = await createUser(stack.db);
    const run = await cli(['lock', victim.username, 'no-such-user-1', 'no-such-user-2', '--reason', 'x', '--yes']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no-such-user-1, no-such-user-2');
    expect(await stack.db.lockdownTarget.count({ where: { userId: victim.id } })).toBe(0);
  });

  it('when one user is locked by name, then the run is followed to completion and exits 0; restore --recovery-link activates the user and prints a link', async () => {
    const victim = await createUser(stack.db);
    const locked = await cli(['lock', victim.username, '--reason', 'phished', '--yes']);
    expect(locked.stdout).toMatch(/: completed/);
    expect(locked.code).toBe(0);

    const restored = await cli(['--json', 'restore', victim.username, '--recovery-link']);
    expect(restored.code).toBe(0);
    const answer = JSON.parse(restored.stdout);
    expect(answer).toMatchObject({ user: { id: victim.id, isActive: true }, recoveryLink: { link: expect.stringContaining('/recovery#token=') } });
    expect((await stack.db.user.findUniqueOrThrow({ where: { id: victim.id } })).isActive).toBe(true);
  });

  it('when a lockdown waiting at its prompt is cancelled, then status reports it cancelled with exit code 1', async () => {
    const victim = await createUser(stack.db);
    const admin = await adminSession(stack);
    const waiting = await stack.http.post('/api/v1/lockdowns').set(bearer(admin)).send({ user: victim.id });
    expect(waiting.body.status).toBe('awaiting_input');
    const cancelled = await cli(['cancel', waiting.body.id]);
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toContain('cancelled');
    const status = await cli(['status', waiting.body.id]);
    expect(status.code).toBe(1);
    const again = await cli(['cancel', waiting.body.id]);
    expect(again.code).toBe(3);
    expect(again.stderr).toContain('Conflict: This lockdown is already cancelled.');
  });

  it('when a user locks themself with --self, then the run completes and the exit code is 0', async () => {
    const user = await createUser(stack.db, { password: 'self-password-1' });
    const configDir = path.join(work, 'self');
    expect((await cli(['login', '-u', user.username, '--password-stdin'], { stdin: 'self-password-1\n', configDir })).code).toBe(0);
    const run = await cli(['--json', 'lock', '--self', '--reason', 'my laptop was stolen', '--yes'], { configDir });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ selfService: true, status: 'completed', progress: { locked: 1 } });
    expect((await stack.db.user.findUniqueOrThrow({ where: { id: user.id } })).isActive).toBe(false);
  });

  it('when the API refuses, then 401, 403 and 404 get clear messages and exit code 3', async () => {
    const anonymous = await cli(['users', 'list'], { configDir: path.join(work, 'nobody') });
    expect(anonymous.code).toBe(3);
    expect(anonymous.stderr).toContain('Not logged in');

    const plain = await createUser(stack.db, { password: 'plain-password-1' });
    const configDir = path.join(work, 'plain');
    await cli(['login', '-u', plain.username, '--password-stdin'], { stdin: 'plain-password-1\n', configDir });
    const denied = await cli(['users', 'list'], { configDir });
    expect(denied.code).toBe(3);
    expect(denied.stderr).toContain('Permission denied');

    const missing = await cli(['--json', 'status', '00000000-0000-4000-8000-000000000000']);
    expect(missing.code).toBe(3);
    expect(JSON.parse(missing.stdout)).toMatchObject({ error: { status: 404 } });
    expect(missing.stderr).toContain('Not found: Lockdown not found.');

    const badLogin = await cli(['login', '-u', 'admin', '--password-stdin'], { stdin: 'wrong-password\n', configDir: path.join(work, 'bad') });
    expect(badLogin.code).toBe(3);
    expect(badLogin.stderr).toContain('Login failed');
  });

  it('when users are listed with --json, then the answer is machine-readable', async () => {
    const user = await createUser(stack.db);
    const listed = await cli(['--json', 'users', 'list', '--search', user.username]);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ id: user.id, username: user.username })]);
  });
});
