#!/usr/bin/env node
'use strict';
/*
 * Stand-in for Prisma's native `schema-engine` binary, so the Prisma CLI works offline.
 *
 * The CLI downloads that binary on first use, which this machine cannot do. Pointing
 * PRISMA_SCHEMA_ENGINE_BINARY at this file makes the CLI run it instead; we speak the binary's
 * command-line protocol and delegate the real work to the same engine compiled to WebAssembly
 * (@prisma/schema-engine-wasm), which reaches PostgreSQL through @prisma/adapter-pg.
 *
 *   schema-engine --version
 *   schema-engine --datamodels <file>... --datasource '{"url":…,"shadowDatabaseUrl":…}' cli <command>
 *   schema-engine --datamodels <file>... --datasource '{…}'   (JSON-RPC 2.0, one message per line)
 *
 * Only PostgreSQL is supported, because only the pg adapter is installed.
 */
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');
const { pathToFileURL } = require('node:url');
const pg = require('pg');
const { PrismaPg } = require('@prisma/adapter-pg');
const { bindMigrationAwareSqlAdapterFactory } = require('@prisma/driver-adapter-utils');

// adapter-pg 7.10.1 rejects PostgreSQL's internal "char" type (OID 18), which the engine's catalog
// queries return (e.g. pg_constraint.contype). Its values are plain text, so present them as text.
const PG_CHAR = 18;
const PG_TEXT = 25;
const addFields = pg.Result.prototype.addFields;
pg.Result.prototype.addFields = function (fields) {
  for (const field of fields) if (field.dataTypeID === PG_CHAR) field.dataTypeID = PG_TEXT;
  return addFields.call(this, fields);
};

function parseArgs(argv) {
  const args = { datamodels: [], datasource: {}, version: false, cli: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--version') args.version = true;
    else if (arg === '--datamodels') args.datamodels.push(argv[++i]);
    else if (arg === '--datasource') args.datasource = JSON.parse(argv[++i]);
    // The wasm engine takes neither option; they only matter for non-PostgreSQL features.
    else if (arg === '--enabled-preview-features' || arg === '--extension-types') i++;
    else if (arg === 'cli') args.cli = argv[++i];
    else throw new Error(`schema-engine shim: unexpected argument ${arg}`);
  }
  return args;
}

// The wasm-bindgen glue is an ES module that expects a bundler to wire in the .wasm file;
// instantiate it by hand instead. Panics are reported through this global before the trap.
let panicMessage;
async function loadWasm() {
  globalThis.PRISMA_WASM_PANIC_REGISTRY = { set_message: (message) => (panicMessage = message) };
  const gluePath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
  const glue = await import(pathToFileURL(gluePath).href);
  const bytes = fs.readFileSync(path.join(path.dirname(gluePath), 'schema_engine_bg.wasm'));
  const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': glue });
  glue.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  return glue;
}

const withDatabase = (url, database) => {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
};
const databaseName = (url) => decodeURIComponent(new URL(url).pathname.slice(1)) || 'postgres';

function pgAdapter(url) {
  const schema = new URL(url).searchParams.get('schema') ?? undefined;
  return new PrismaPg({ connectionString: url }, { schema });
}

async function withClient(url, fn) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

// adapter-pg's own connectToShadowDb points its pool at the main database (the connection string
// wins over the `database` it sets), so the engine would wipe real data. Create a scratch database
// ourselves and drop it once the engine disposes of the connection (or when we exit).
const shadowDatabases = new Set();
const dropDatabase = (url, name) =>
  withClient(url, (c) => c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`));

async function connectToTemporaryShadowDb(url) {
  const name = `${databaseName(url)}_prisma_shadow_${process.pid}`;
  await dropDatabase(url, name);
  await withClient(url, (c) => c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`));
  shadowDatabases.add(name);
  const adapter = await pgAdapter(withDatabase(url, name)).connect();
  const closePool = adapter.dispose.bind(adapter);
  adapter.dispose = async () => {
    await closePool();
    await dropDatabase(url, name);
    shadowDatabases.delete(name);
  };
  return adapter;
}

// The engine expects every shadow connection to start empty (it applies the whole migration history
// several times per command). A configured shadowDatabaseUrl is reused, so empty its schema first.
async function connectToConfiguredShadowDb(shadowUrl) {
  const schema = pg.escapeIdentifier(new URL(shadowUrl).searchParams.get('schema') ?? 'public');
  await withClient(shadowUrl, (c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`));
  return pgAdapter(shadowUrl).connect();
}

async function dropShadowDatabases(url) {
  for (const name of shadowDatabases) await dropDatabase(url, name).catch(() => {});
}

function adapterFactory({ url, shadowDatabaseUrl }) {
  if (!url) throw new Error('No datasource URL given. Set `datasource.url` in prisma.config.ts.');
  const main = pgAdapter(url);
  return bindMigrationAwareSqlAdapterFactory({
    provider: main.provider,
    adapterName: main.adapterName,
    connect: () => main.connect(),
    connectToShadowDb: () =>
      shadowDatabaseUrl ? connectToConfiguredShadowDb(shadowDatabaseUrl) : connectToTemporaryShadowDb(url),
  });
}

// The engine reports connection failures without an error code, but the CLI keys its messages
// off P1xxx codes, so classify them ourselves with a plain connection. Returns null if it connects.
const prismaError = (code, message) => Object.assign(new Error(message), { code });
async function connectionError(url) {
  try {
    await withClient(url, () => {});
    return null;
  } catch (e) {
    const { hostname, port } = new URL(url);
    const server = `${hostname}:${port || 5432}`;
    switch (e.code) {
      case 'ECONNREFUSED':
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
      case 'EHOSTUNREACH':
      case 'ETIMEDOUT':
        return prismaError('P1001', `Can't reach database server at \`${server}\`\n\nPlease make sure your database server is running at \`${server}\`.`);
      case '3D000':
        return prismaError('P1003', `Database \`${databaseName(url)}\` does not exist on the database server at \`${server}\`.`);
      case '28P01': {
        const user = decodeURIComponent(new URL(url).username);
        return prismaError('P1000', `Authentication failed against database server at \`${hostname}\`, the provided database credentials for \`${user}\` are not valid.\n\nPlease make sure to provide valid database credentials for the database server at \`${hostname}\`.`);
      }
      default:
        return prismaError(undefined, e.message);
    }
  }
}

// CREATE/DROP DATABASE must run from another database: use the server's `postgres` database.
async function adminQuery(url, sql) {
  const admin = withDatabase(url, 'postgres');
  const failure = await connectionError(admin);
  if (failure) throw failure;
  await withClient(admin, (c) => c.query(sql));
}

async function runCliCommand(command, { url }) {
  const name = pg.escapeIdentifier(databaseName(url));
  if (command === 'can-connect-to-database') {
    const failure = await connectionError(url);
    if (failure) throw failure;
  } else if (command === 'create-database') await adminQuery(url, `CREATE DATABASE ${name}`);
  else if (command === 'drop-database') await adminQuery(url, `DROP DATABASE ${name}`);
  else throw new Error(`Unsupported schema-engine command: ${command}`);
}

// `cli <command>` is one-shot. On failure the CLI parses stderr as JSON log lines after the first,
// so the last line must not end with a newline.
async function runCli(command, datasource) {
  try {
    await runCliCommand(command, datasource);
    return 0;
  } catch (e) {
    const fields = { is_panic: false, error_code: e.code ?? null, message: e.message };
    const line = { level: 'ERROR', target: 'schema_engine::logger', fields };
    process.stderr.write(`schema-engine shim: ${command} failed\n${JSON.stringify(line)}`);
    return 1;
  }
}

function toRpcError(e, errorRegistry) {
  if (e instanceof WebAssembly.RuntimeError) {
    const message = panicMessage ?? e.message;
    return { code: 4466, message, data: { is_panic: true, message, error_code: null, meta: null } };
  }
  // Errors thrown by our own JS (e.g. while creating the shadow database) reach the engine only as
  // registry ids; put their text back.
  const message = String(e?.message ?? e).replace(
    /External error id#(\d+)/g,
    (text, id) => errorRegistry?.consumeError(Number(id))?.error?.message ?? text,
  );
  // Only Prisma's own codes (P1001, P3006, …): raw pg errors also carry a `code` (SQLSTATE).
  const errorCode = /^P\d{4}$/.test(e?.code) ? e.code : null;
  return { code: 4466, message, data: { is_panic: false, message, error_code: errorCode, meta: null } };
}

// Requests that map one-to-one onto a wasm SchemaEngine method.
const ENGINE_METHODS = new Set([
  'applyMigrations', 'createMigration', 'dbExecute', 'debugPanic', 'devDiagnostic', 'diagnoseMigrationHistory',
  'ensureConnectionValidity', 'evaluateDataLoss', 'introspect', 'introspectSql', 'markMigrationApplied',
  'markMigrationRolledBack', 'reset', 'schemaPush',
]);

// JSON-RPC over stdin/stdout.
async function serveRpc(glue, args) {
  const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
  const datamodels = args.datamodels.map((file) => [file, fs.readFileSync(file, 'utf8')]);
  // Engine logs are JSON lines; like the native binary's, the CLI reads them from stderr.
  const log = (line) => process.stderr.write(`${line.trimEnd()}\n`);
  let factory;
  let engine;
  // Made on first use: it connects at once, and createDatabase must work before the database exists.
  const getEngine = async () => {
    if (engine) return engine;
    factory ??= adapterFactory(args.datasource);
    // `datamodels` must be undefined rather than an empty list.
    const options = { datamodels: datamodels.length ? datamodels : undefined };
    try {
      engine = await glue.SchemaEngine.new(options, log, factory);
      return engine;
    } catch (e) {
      throw (args.datasource.url && (await connectionError(args.datasource.url))) || e;
    }
  };

  // `diff` output goes to the CLI as a `print` request; we must wait for its answer. The CLI
  // appends a newline itself.
  let nextPrintId = 1;
  const pendingPrints = new Map();
  const print = (content) =>
    new Promise((resolve) => {
      const id = `print-${nextPrintId++}`;
      pendingPrints.set(id, resolve);
      send({ jsonrpc: '2.0', id, method: 'print', params: { content } });
    });

  const handlers = {
    getDatabaseVersion: async (params) => (await getEngine()).version(params),
    createDatabase: async ({ datasource }) => {
      const url = datasource?.tag === 'ConnectionString' ? datasource.url : args.datasource.url;
      await runCliCommand('create-database', { url });
      return { databaseName: databaseName(url) };
    },
    diff: async (params) => {
      const { stdout, exitCode } = await (await getEngine()).diff(params);
      if (stdout) await print(stdout.replace(/\n$/, ''));
      return { exitCode };
    },
  };

  const handle = async ({ id, method, params }) => {
    const handler =
      handlers[method] ?? (ENGINE_METHODS.has(method) && (async (p) => (await getEngine())[method](p)));
    if (!handler) return send({ jsonrpc: '2.0', id, error: { code: -32601, message: `Method not found: ${method}` } });
    try {
      send({ jsonrpc: '2.0', id, result: (await handler(params)) ?? {} });
    } catch (e) {
      send({ jsonrpc: '2.0', id, error: toRpcError(e, factory?.errorRegistry) });
    }
  };

  // Requests run one at a time, in order (the CLI never overlaps them); responses to our `print`
  // requests are handled immediately, since a running `diff` waits for them.
  let queue = Promise.resolve();
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on('line', (line) => {
    if (!line.trim()) return;
    const message = JSON.parse(line);
    if (message.method !== undefined) queue = queue.then(() => handle(message));
    else {
      pendingPrints.get(message.id)?.();
      pendingPrints.delete(message.id);
    }
  });
  await new Promise((resolve) => lines.on('close', resolve));
  await queue;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.version) {
    const glue = await loadWasm();
    process.stdout.write(`schema-engine-cli ${glue.version()}\n`);
    return 0;
  }
  if (args.cli) return runCli(args.cli, args.datasource);
  const glue = await loadWasm();
  // The CLI stops us with SIGTERM right after closing stdin (and Ctrl-C reaches us as SIGINT):
  // drop any shadow database still in use before leaving.
  const exitCleanly = () => dropShadowDatabases(args.datasource.url).finally(() => process.exit(0));
  process.on('SIGTERM', exitCleanly).on('SIGINT', exitCleanly);
  await serveRpc(glue, args);
  await dropShadowDatabases(args.datasource.url);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`${e?.stack ?? e}\n`);
    process.exit(1);
  },
);
