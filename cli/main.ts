import { createWriteStream } from 'node:fs';
import { Command, Option } from 'commander';
import { once } from 'node:events';
import { csvRow } from '../lib/csv';
import { ApiClient, CliError, EXIT } from './api-client';
import { askLine, confirm } from './prompts';
import { deleteSession, readSession, sessionFile, writeSession } from './session-store';
import { readTargetFile, resolveUserIds } from './targets';
import { COUNTING_ACTIONS, LOCKDOWN_COUNTERS, type LockdownCounts } from '../domain/lockdown-actions';
import { isFinished } from '../domain/lockdown-status';
import { runIsClean, watchLockdown, type LockdownView } from './watch';

/**
 * `lockdown`: the operator CLI of Account Lockdown. It speaks only the public HTTP API, so
 * it works against any deployment an operator can reach, with the permissions of the
 * account it logged in with.
 */
const DEFAULT_URL = 'http://127.0.0.1:3000';

interface GlobalOptions {
  url?: string;
  json?: boolean;
}
/** A result as GET /lockdowns/:id/results answers it, with the count of each counting action. */
interface Result extends LockdownCounts {
  userId: string;
  username: string;
  status: string;
  success: boolean;
  error: string | null;
}
/** `sessions 3, tokens 2`: each counter by its unit. */
const countsLine = (result: LockdownCounts) => COUNTING_ACTIONS.map((action) => `${action.counter.unit} ${result[action.counter.column]}`).join(', ');

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const program = new Command('lockdown')
  .description('Lock compromised accounts, follow bulk runs and export their results, through the Account Lockdown API.')
  .option('--url <url>', `API base URL (default: the one you logged in to, $LOCKDOWN_URL, or ${DEFAULT_URL})`)
  .option('--json', 'print machine-readable JSON on stdout (progress and messages go to stderr)')
  .showHelpAfterError('(run `lockdown --help` for usage)')
  .addHelpText(
    'after',
    `
Examples:
  lockdown login --username alice                 # asks for the password, keeps the session
  lockdown lock mallory eve --reason "phished"    # lock two users and follow the run
  lockdown lock --file compromised.csv --reason "credential leak INC-4711"
  lockdown status <lockdown id> --watch           # progress bar until the run ends
  lockdown results <lockdown id> --csv > results.csv
  lockdown restore mallory --recovery-link

Session: \`login\` keeps the session key in ${sessionFile()} (mode 0600;
LOCKDOWN_CONFIG_DIR moves it); LOCKDOWN_SESSION_KEY overrides it for scripts.

Exit codes:
  0  done; for lock and status: the run completed and no user failed
  1  the run ended with failed or cancelled users, or failed
  2  bad arguments or input file (nothing was sent)
  3  the API refused: not logged in (401), no permission (403), not found (404), conflict (409), invalid (400)
  4  the API could not be reached or failed (5xx)`,
  );

const globals = () => program.opts<GlobalOptions>();

function apiClient(): ApiClient {
  const stored = readSession();
  const url = globals().url ?? process.env.LOCKDOWN_URL ?? stored?.url ?? DEFAULT_URL;
  const key = process.env.LOCKDOWN_SESSION_KEY ?? (stored && sameOrigin(stored.url, url) ? stored.sessionKey : null);
  return new ApiClient(url, key);
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

/** Human text on stdout, or with --json the value as JSON. */
function print(value: unknown, human: () => string) {
  process.stdout.write(globals().json ? JSON.stringify(value, null, 2) + '\n' : human() + '\n');
}
const info = (message: string) => {
  process.stderr.write(message + '\n');
};

function summary(view: LockdownView): string {
  const { total, locked, failed, cancelled, pending } = view.progress;
  const lines = [
    `Lockdown ${view.id}: ${view.status}`,
    `  users      ${total} (locked ${locked}, failed ${failed}, cancelled ${cancelled}, pending ${pending})`,
    `  started    ${view.createdAt} by ${view.actor.username}${view.selfService ? ' (self-service)' : ''}`,
  ];
  if (view.completedAt) lines.push(`  finished   ${view.completedAt}`);
  if (view.reason) lines.push(`  reason     ${view.reason}`);
  if (view.error) lines.push(`  error      ${view.error}`);
  if (view.status === 'awaiting_input') lines.push(`  waiting at the prompt "${view.stage?.name ?? ''}"`);
  if (failed > 0) lines.push(`  failed users: lockdown results ${view.id} --csv`);
  return lines.join('\n');
}

function exitForRun(view: LockdownView) {
  process.exitCode = runIsClean(view) ? EXIT.ok : EXIT.runNotClean;
}

program
  .command('login')
  .description('Log in with a username and password and keep the session key for the next commands.')
  .option('-u, --username <username>', 'who logs in (asked when missing)')
  .option('--password-stdin', 'read the password from the first line of stdin (for scripts)')
  .action(async (options: { username?: string; passwordStdin?: boolean }) => {
    const url = globals().url ?? process.env.LOCKDOWN_URL ?? readSession()?.url ?? DEFAULT_URL;
    const username = options.username ?? (await askLine('Username: '))?.trim();
    if (!username) throw new CliError('A username is needed: --username <name>.', EXIT.usage);
    const password = options.passwordStdin ? await askLine('') : await askLine('Password: ', { hidden: true });
    if (!password) throw new CliError('No password given.', EXIT.usage);
    const answer = await new ApiClient(url, null)
      .post<{ sessionKey: string; expiresAt: string; user: { username: string } }>('/api/v1/auth/login', { username, password })
      .catch((err: unknown) => {
        if (err instanceof CliError && err.status === 401) throw new CliError('Login failed: wrong username or password, or the account is inactive.', EXIT.refused, 401);
        throw err;
      });
    const file = writeSession({ url, username: answer.user.username, sessionKey: answer.sessionKey, expiresAt: answer.expiresAt });
    print({ url, username: answer.user.username, expiresAt: answer.expiresAt, sessionFile: file }, () => `Logged in to ${url} as ${answer.user.username} until ${answer.expiresAt} (session kept in ${file}).`);
  });

program
  .command('logout')
  .description('End the session on the server and forget the key.')
  .action(async () => {
    const api = apiClient();
    await api.post('/api/v1/auth/logout').catch((err: unknown) => {
      if (!(err instanceof CliError && err.status === 401)) throw err;
    });
    deleteSession();
    print({ loggedOut: true }, () => 'Logged out.');
  });

const users = program.command('users').description('Users.');
users
  .command('list')
  .description('List users by username (needs change_user).')
  .option('-s, --search <text>', 'part of a username, name or email')
  .option('--locked', 'only inactive (locked) users')
  .option('--limit <n>', 'at most this many', (value) => positiveInt(value, '--limit'), 100)
  .action(async (options: { search?: string; locked?: boolean; limit: number }) => {
    const api = apiClient();
    const found: { id: string; username: string; name: string; isActive: boolean; isSuperuser: boolean }[] = [];
    for (let cursor: string | null = null; found.length < options.limit; ) {
      const query = new URLSearchParams({ limit: String(Math.min(500, options.limit - found.length)) });
      if (options.search) query.set('search', options.search);
      if (options.locked) query.set('isActive', 'false');
      if (cursor) query.set('cursor', cursor);
      const page: Page<(typeof found)[number]> = await api.get(`/api/v1/users?${query}`);
      found.push(...page.items);
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    print(found, () =>
      found.length === 0
        ? 'No users.'
        : found.map((user) => `${user.id}  ${user.username.padEnd(24)} ${user.isActive ? 'active  ' : 'LOCKED  '}${user.isSuperuser ? 'superuser' : ''}`).join('\n'),
    );
  });

program
  .command('lock')
  .description('Lock users by username or id, from a file, or yourself; then follow the run to its end.')
  .argument('[users...]', 'usernames or user ids')
  .requiredOption('-r, --reason <text>', 'why (kept in the audit trail; answers the reason prompt)')
  .option('-f, --file <file>', 'usernames or ids, one a line (or the first CSV column), header optional')
  .option('--self', 'lock your own account (self-service)')
  .option('-y, --yes', 'do not ask for confirmation')
  .option('--no-wait', 'return once the lockdown has started (exit code 0 then only means "started")')
  .addOption(new Option('--idempotency-key <key>', 'send again safely: the same key and users return the first lockdown'))
  .option('--interval <ms>', 'how often to poll progress', (value) => positiveInt(value, '--interval'), 1000)
  .action(async (names: string[], options: { reason: string; file?: string; self?: boolean; yes?: boolean; wait: boolean; idempotencyKey?: string; interval: number }) => {
    if (options.self && (names.length > 0 || options.file)) throw new CliError('--self locks your own account: give no users and no --file with it.', EXIT.usage);
    const requested = [...names, ...(options.file ? readTargetFile(options.file) : [])];
    if (!options.self && requested.length === 0) throw new CliError('Name the users to lock, give --file <file>, or --self.', EXIT.usage);
    const api = apiClient();
    let body: { user?: string; users?: string[]; reason: string };
    if (options.self) {
      if (!options.yes && !(await confirm('Lock your own account? You will be logged out everywhere.'))) throw new CliError('Not confirmed; nothing was locked.', EXIT.usage);
      body = { reason: options.reason };
    } else {
      const targets = await resolveUserIds(api, [...new Set(requested)]);
      const preview = targets.slice(0, 5).map((target) => target.username).join(', ') + (targets.length > 5 ? `, … (${targets.length - 5} more)` : '');
      if (!options.yes && !(await confirm(`Lock ${targets.length} user${targets.length === 1 ? '' : 's'} (${preview})?`))) {
        throw new CliError('Not confirmed; nothing was locked. (--yes skips the question.)', EXIT.usage);
      }
      body = targets.length === 1 ? { user: targets[0].id, reason: options.reason } : { users: targets.map((target) => target.id), reason: options.reason };
    }
    const started = await api.post<LockdownView>('/api/v1/lockdowns', body, options.idempotencyKey ? { 'Idempotency-Key': options.idempotencyKey } : {});
    info(`Lockdown ${started.id} started for ${started.progress.total} user${started.progress.total === 1 ? '' : 's'}.`);
    if (!options.wait || options.self) {
      // A self-service lockdown ends this very session: there is nothing left to poll with.
      print(started, () => summary(started));
      if (options.self && isFinished(started.status)) exitForRun(started);
      return;
    }
    const finished = isFinished(started.status) ? started : await watchLockdown(api, started.id, { intervalMs: options.interval, quiet: !!globals().json });
    print(finished, () => summary(finished));
    exitForRun(finished);
  });

program
  .command('status')
  .description('A lockdown’s status and progress; --watch follows it to its end with a progress bar.')
  .argument('<id>', 'lockdown id')
  .option('-w, --watch', 'follow until the run ends')
  .option('--interval <ms>', 'how often to poll progress', (value) => positiveInt(value, '--interval'), 1000)
  .action(async (id: string, options: { watch?: boolean; interval: number }) => {
    const api = apiClient();
    const view = options.watch ? await watchLockdown(api, id, { intervalMs: options.interval, quiet: !!globals().json }) : await api.get<LockdownView>(`/api/v1/lockdowns/${encodeURIComponent(id)}`);
    print(view, () => summary(view));
    if (isFinished(view.status)) exitForRun(view);
  });

program
  .command('results')
  .description('Every user’s result, in request order (all pages).')
  .argument('<id>', 'lockdown id')
  .option('--csv', 'CSV with a header row')
  .option('-o, --output <file>', 'write to this file instead of stdout')
  .action(async (id: string, options: { csv?: boolean; output?: string }) => {
    const api = apiClient();
    const out = options.output ? createWriteStream(options.output) : process.stdout;
    const columns = ['userId', 'username', 'status', 'success', 'error', ...LOCKDOWN_COUNTERS];
    // Written page by page, waiting when the file or pipe is slower than the API.
    const write = async (text: string) => {
      if (!out.write(text)) await once(out, 'drain');
    };
    if (options.csv) await write(csvRow(columns));
    const all: Result[] = [];
    let count = 0;
    for (let cursor: string | null = null; ; ) {
      const page: Page<Result> = await api.get(`/api/v1/lockdowns/${encodeURIComponent(id)}/results?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      for (const result of page.items) {
        count++;
        if (options.csv) await write(csvRow(columns.map((column) => result[column as keyof Result])));
        else if (globals().json) all.push(result);
        else await write(`${result.username.padEnd(24)} ${result.status.padEnd(9)} ${countsLine(result)}${result.error ? `  ${result.error}` : ''}\n`);
      }
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    if (!options.csv && globals().json) await write(JSON.stringify(all, null, 2) + '\n');
    if (options.output) {
      await new Promise<void>((resolve) => (out as ReturnType<typeof createWriteStream>).end(resolve));
      info(`${count} results written to ${options.output}.`);
    }
  });

program
  .command('timeline')
  .description('The lockdown as an auditor reads it: who asked, when, from where, the prompt answers, each user’s steps (needs view_audit).')
  .argument('<id>', 'lockdown id')
  .option('--limit <n>', 'users per page', (value) => positiveInt(value, '--limit'), 50)
  .option('--cursor <cursor>', 'the next page, from the previous answer')
  .action(async (id: string, options: { limit: number; cursor?: string }) => {
    const query = new URLSearchParams({ limit: String(options.limit), ...(options.cursor ? { cursor: options.cursor } : {}) });
    const timeline = await apiClient().get<Timeline>(`/api/v1/lockdowns/${encodeURIComponent(id)}/timeline?${query}`);
    print(timeline, () => formatTimeline(timeline));
  });

program
  .command('cancel')
  .description('Cancel a lockdown: a waiting one ends; a running bulk one starts no more users.')
  .argument('<id>', 'lockdown id')
  .action(async (id: string) => {
    const view = await apiClient().post<LockdownView>(`/api/v1/lockdowns/${encodeURIComponent(id)}/cancel`);
    print(view, () => summary(view));
  });

program
  .command('restore')
  .description('Restore access to a locked user: activate the account and, with --recovery-link, create a single-use link to choose a new password.')
  .argument('<user>', 'username or user id')
  .option('--recovery-link', 'also create a recovery link (shown once)')
  .action(async (name: string, options: { recoveryLink?: boolean }) => {
    const api = apiClient();
    const [user] = await resolveUserIds(api, [name]);
    const activated = await api.post<{ id: string; username: string; isActive: boolean }>(`/api/v1/users/${user.id}/activate`);
    const link = options.recoveryLink ? await api.post<{ link: string; expiresAt: string; message: string }>(`/api/v1/users/${user.id}/recovery_link`) : null;
    print({ user: activated, recoveryLink: link }, () =>
      [
        `${activated.username} (${activated.id}) is active again.`,
        link
          ? `Recovery link (single use, until ${link.expiresAt}) — send it to the user over a trusted channel:\n  ${link.link}\n${link.message}`
          : 'The password is still unusable: run again with --recovery-link, or set one with POST /api/v1/users/<id>/set_password.',
      ].join('\n'),
    );
  });

interface Timeline {
  lockdown: { id: string; status: string; requestedBy: { id: string | null; username: string }; requestedAt: string; clientIp: string | null; reason: string | null; completedAt: string | null };
  source: string;
  events: { at: string | null; what: string; detail?: unknown }[];
  users: { userId: string; username: string; status: string; error: string | null; steps: { step: string; at: string | null; count?: number | null; error?: string | null }[] }[];
  nextCursor: string | null;
}

function formatTimeline(timeline: Timeline): string {
  const { lockdown } = timeline;
  const lines = [
    `Lockdown ${lockdown.id}: ${lockdown.status} (from ${timeline.source})`,
    `  requested  ${lockdown.requestedAt} by ${lockdown.requestedBy.username} from ${lockdown.clientIp ?? 'unknown address'}`,
    ...(lockdown.reason ? [`  reason     ${lockdown.reason}`] : []),
    ...(lockdown.completedAt ? [`  finished   ${lockdown.completedAt}`] : []),
    '',
    ...timeline.events.map((event) => `  ${event.at ?? '—'.padEnd(24)}  ${event.what}${event.detail ? `  ${JSON.stringify(event.detail)}` : ''}`),
  ];
  for (const user of timeline.users) {
    lines.push('', `  ${user.username} (${user.userId}): ${user.status}${user.error ? ` — ${user.error}` : ''}`);
    for (const step of user.steps) {
      lines.push(`    ${step.at ?? '—'.padEnd(24)}  ${step.step}${step.count != null ? ` (${step.count})` : ''}${step.error ? ` — ${step.error}` : ''}`);
    }
  }
  if (timeline.nextCursor) lines.push('', `More users: lockdown timeline ${lockdown.id} --cursor ${timeline.nextCursor}`);
  return lines.join('\n');
}

function positiveInt(value: string, flag: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new CliError(`${flag} must be a positive whole number.`, EXIT.usage);
  return number;
}

program.exitOverride((err) => {
  // Usage errors exit 2; --help and --version exit 0.
  process.exit(err.exitCode === 0 ? 0 : EXIT.usage);
});

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof CliError) {
    if (globals().json) process.stdout.write(JSON.stringify({ error: { message: err.message, status: err.status ?? null, code: err.code ?? null } }, null, 2) + '\n');
    process.stderr.write(`lockdown: ${err.message}\n`);
    process.exit(err.exitCode);
  }
  process.stderr.write(`lockdown: unexpected error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(EXIT.unavailable);
});
