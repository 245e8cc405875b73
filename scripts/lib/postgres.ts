import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { log } from './log';

/**
 * A private PostgreSQL cluster in a project data directory, listening on 127.0.0.1 only:
 * the embedded default of `npm run dev` and `npm test` when no DATABASE_URL is given.
 * PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user.
 */
export interface LocalPostgres {
  url(database: string): string;
  stop(): void;
}

const ROLE = 'lockdown';
const PASSWORD = 'lockdown';

/** Where initdb and pg_ctl are: Debian's newest /usr/lib/postgresql/<version>/bin, else pg_config's; null if neither. */
export function findPostgresBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const dir = path.join(root, version, 'bin');
    if (existsSync(path.join(dir, 'initdb'))) return dir;
  }
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return existsSync(path.join(dir, 'initdb')) ? dir : null;
  } catch {
    return null;
  }
}

function binDir(): string {
  const dir = findPostgresBinDir();
  if (!dir) throw new Error('PostgreSQL server binaries (initdb, pg_ctl) were not found. Install PostgreSQL 15+ or set DATABASE_URL.');
  return dir;
}

function run(command: string, args: string[]): void {
  const asRoot = process.getuid?.() === 0;
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  execFileSync(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Starts the cluster of `dataDir` (creating it on first use). `owned`: stop it on `stop()`
 * even if it was already running (a leftover of a killed run); otherwise only if started here.
 */
export async function startLocalPostgres(dataDir: string, port: number, options: { owned?: boolean } = {}): Promise<LocalPostgres> {
  const bin = binDir();
  const asRoot = process.getuid?.() === 0;
  const clusterDir = path.join(dataDir, 'cluster');
  mkdirSync(dataDir, { recursive: true });
  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    log(`Creating a PostgreSQL cluster in ${clusterDir}…`);
    rmSync(clusterDir, { recursive: true, force: true });
    mkdirSync(clusterDir, { mode: 0o700 });
    const pwFile = path.join(dataDir, '.pwfile');
    writeFileSync(pwFile, PASSWORD, { mode: 0o600 });
    if (asRoot) {
      chownSync(clusterDir, uidOf('postgres'), gidOf('postgres'));
      chownSync(pwFile, uidOf('postgres'), gidOf('postgres'));
    }
    run(path.join(bin, 'initdb'), ['-D', clusterDir, '-U', ROLE, `--pwfile=${pwFile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8']);
    rmSync(pwFile);
  }
  const logFile = path.join(dataDir, 'postgres.log');
  if (asRoot && !existsSync(logFile)) {
    writeFileSync(logFile, '');
    chownSync(logFile, uidOf('postgres'), gidOf('postgres'));
  }
  const running = isRunning(bin, clusterDir);
  if (!running) {
    const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c max_connections=200 -c fsync=on`;
    run(path.join(bin, 'pg_ctl'), ['start', '-D', clusterDir, '-l', logFile, '-w', '-t', '60', '-o', options]);
  }
  const local: LocalPostgres = {
    url: (database) => `postgresql://${ROLE}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    stop: () => {
      if (!running || options.owned) run(path.join(bin, 'pg_ctl'), ['stop', '-D', clusterDir, '-m', 'fast', '-w']);
    },
  };
  return local;
}

function isRunning(bin: string, clusterDir: string): boolean {
  try {
    run(path.join(bin, 'pg_ctl'), ['status', '-D', clusterDir]);
    return true;
  } catch {
    return false;
  }
}

function uidOf(user: string): number {
  return Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
}

function gidOf(user: string): number {
  return Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
}

/** Runs `work` on the `postgres` maintenance database of the server of `url`, with the database name. */
async function withServer(url: string, work: (client: Client, database: string) => Promise<void>): Promise<void> {
  const database = decodeURIComponent(new URL(url).pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(database)) throw new Error(`Unsupported database name "${database}".`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await work(client, database);
  } finally {
    await client.end();
  }
}

/** Creates the database of `url` if it does not exist (optionally dropping it first). */
export function ensureDatabase(url: string, options: { recreate?: boolean } = {}): Promise<void> {
  return withServer(url, async (client, database) => {
    if (options.recreate) await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database}"`);
  });
}

export function dropDatabase(url: string): Promise<void> {
  return withServer(url, async (client, database) => {
    await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  });
}
