import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { parse } from 'yaml';
import { configSchema, loadConfig } from '../lib/config';
import { TEMPORAL_SERVER_VERSION } from './lib/temporal-server';

/**
 * Static checks of docker-compose.yml, the Dockerfile and .dockerignore (no Docker engine
 * runs here): the services and images, health checks and start order, replicas, volumes, and
 * that the API, worker and migration job get every setting lib/config.ts requires, each one
 * valid. Compose's own interpolation is reproduced (`${VAR:-default}`, `${VAR:?message}`, `$$`).
 */
const ROOT = path.resolve(__dirname, '..');

const program = new Command('npm run check:compose --')
  .description('Check docker-compose.yml, Dockerfile and .dockerignore without Docker.')
  .option('--file <file>', 'compose file', path.join(ROOT, 'docker-compose.yml'))
  .option('--dockerfile <file>', 'Dockerfile', path.join(ROOT, 'Dockerfile'))
  .parse();

type Service = {
  image?: string;
  build?: unknown;
  command?: unknown;
  environment?: Record<string, string | number | boolean | null> | string[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  depends_on?: string[] | Record<string, { condition?: string }>;
  deploy?: { replicas?: number };
  ports?: (string | { target: number })[];
  volumes?: (string | { source?: string })[];
};

const failures: string[] = [];
let passed = 0;
function check(ok: unknown, what: string): void {
  if (ok) passed++;
  else failures.push(what);
}

/** Compose interpolation with an empty environment: defaults apply, `:?` variables are required of the operator. */
const operatorRequired = new Set<string>();
function interpolate(value: string, where: string): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (match, name, op, arg, bare) => {
    if (match === '$$') return '$';
    const variable = name ?? bare;
    if (op === ':-' || op === '-') return arg;
    if (op === ':?' || op === '?') {
      operatorRequired.add(variable);
      return `example-${variable.toLowerCase()}`;
    }
    failures.push(`${where}: \${${variable}} has no default and is not marked required (\${${variable}:?message})`);
    return '';
  });
}

function environmentOf(service: Service, where: string): Record<string, string | null> {
  const env: Record<string, string | null> = {};
  const entries = Array.isArray(service.environment)
    ? service.environment.map((line) => (line.includes('=') ? [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] : [line, null]))
    : Object.entries(service.environment ?? {});
  for (const [key, value] of entries) env[key as string] = value === null || value === undefined ? null : interpolate(String(value), `${where}.environment.${key}`);
  return env;
}

function dependsOn(service: Service): Record<string, string> {
  if (Array.isArray(service.depends_on)) return Object.fromEntries(service.depends_on.map((name) => [name, 'service_started']));
  return Object.fromEntries(Object.entries(service.depends_on ?? {}).map(([name, spec]) => [name, spec.condition ?? 'service_started']));
}

const healthTest = (service: Service) => (service.healthcheck?.disable ? '' : [service.healthcheck?.test ?? []].flat().join(' '));

function main(): void {
  const options = program.opts<{ file: string; dockerfile: string }>();
  const compose = parse(readFileSync(options.file, 'utf8'), { merge: true }) as { services?: Record<string, Service>; volumes?: Record<string, unknown> };
  const services = compose.services ?? {};
  const serverTag = TEMPORAL_SERVER_VERSION.replace(/^v/, '');

  // Services and images.
  const expected = ['postgresql', 'temporal-schema', 'temporal', 'temporal-namespace', 'temporal-ui', 'migrate', 'api', 'worker'];
  for (const name of expected) check(services[name], `service "${name}" is missing`);
  const image = (name: string) => interpolate(services[name]?.image ?? '', `${name}.image`);
  check(/^postgres:(1[5-9]|[2-9]\d)(\b|$)/.test(image('postgresql')), `postgresql: image should be postgres:15 or later, is "${image('postgresql')}"`);
  check(image('temporal') === `temporalio/server:${serverTag}`, `temporal: image should be temporalio/server:${serverTag} (the version npm run cluster builds), is "${image('temporal')}"`);
  for (const name of ['temporal-schema', 'temporal-namespace']) {
    check(image(name) === `temporalio/admin-tools:${serverTag}`, `${name}: image should be temporalio/admin-tools:${serverTag}, is "${image(name)}"`);
  }
  check(/^temporalio\/ui:\d+\.\d+\.\d+$/.test(image('temporal-ui')), `temporal-ui: image should be a pinned temporalio/ui, is "${image('temporal-ui')}"`);
  const appServices = ['migrate', 'api', 'worker'];
  for (const name of appServices) check(services[name]?.build, `${name}: should be built from the Dockerfile`);
  check(new Set(appServices.map(image)).size === 1, `migrate, api and worker should run one image, not ${[...new Set(appServices.map(image))].join(', ')}`);
  for (const [name, service] of Object.entries(services)) {
    if (service.image && !service.build) check(!/:latest$|^[^:]+$/.test(interpolate(service.image, `${name}.image`)), `${name}: third-party image "${service.image}" should be pinned to a version`);
  }

  // Health checks and start order.
  for (const name of ['postgresql', 'temporal', 'temporal-ui', 'api', 'worker']) check(healthTest(services[name] ?? {}), `${name}: no health check`);
  for (const [name, service] of Object.entries(services)) {
    for (const [dependency, condition] of Object.entries(dependsOn(service))) {
      check(services[dependency], `${name}: depends on unknown service "${dependency}"`);
      if (condition === 'service_healthy') check(healthTest(services[dependency] ?? {}), `${name}: waits for ${dependency} to be healthy, which has no health check`);
    }
  }
  const completed = (name: string, dependency: string) =>
    check(dependsOn(services[name] ?? {})[dependency] === 'service_completed_successfully', `${name}: should start after ${dependency} completed successfully`);
  completed('temporal', 'temporal-schema');
  for (const name of ['api', 'worker']) {
    completed(name, 'migrate');
    completed(name, 'temporal-namespace');
  }
  check(dependsOn(services['temporal-namespace'] ?? {}).temporal === 'service_healthy', 'temporal-namespace: should wait for temporal to be healthy');
  check(dependsOn(services['temporal-schema'] ?? {}).postgresql === 'service_healthy', 'temporal-schema: should wait for postgresql to be healthy');

  // Replicas, volumes.
  for (const name of ['api', 'worker']) check((services[name]?.deploy?.replicas ?? 1) >= 2, `${name}: should run 2 replicas (deploy.replicas)`);
  const postgresVolume = (services.postgresql?.volumes ?? []).map((v) => (typeof v === 'string' ? v.split(':')[0] : v.source ?? '')).find((source) => !source.startsWith('.') && !source.startsWith('/'));
  check(postgresVolume && compose.volumes && postgresVolume in compose.volumes, 'postgresql: its data should live in a named volume declared under volumes');
  const namespaceScript = JSON.stringify(services['temporal-namespace']?.command ?? '');
  for (const attribute of ['LockdownId', 'LockdownActorId', 'LockdownSelfService', 'LockdownTargetCount', 'LockdownTargetUserId']) {
    check(namespaceScript.includes(attribute), `temporal-namespace: does not register the search attribute ${attribute}`);
  }

  // The application's settings: every required one set, every one valid, no unknown names.
  const known = new Set(Object.keys(configSchema.shape));
  const requiredByApp = Object.entries(configSchema.shape)
    .filter(([, schema]) => !schema.safeParse(undefined).success)
    .map(([key]) => key);
  const extraAllowed = new Set(['LOCKDOWN_ADMIN_PASSWORD', 'WORKFLOW_BUNDLE_PATH', 'NODE_ENV', 'LOG_FORMAT']);
  for (const name of appServices) {
    const env = environmentOf(services[name] ?? {}, name);
    for (const key of requiredByApp) check(env[key], `${name}: ${key} is required by lib/config.ts but not set`);
    for (const key of Object.keys(env)) check(known.has(key) || extraAllowed.has(key), `${name}: ${key} is not a setting lib/config.ts knows (typo?)`);
    const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== null)) as Record<string, string>;
    try {
      const config = loadConfig({ ...given, PORT: given.PORT ?? '3000' });
      if (name === 'api') {
        const ports = (services.api?.ports ?? []).map((p) => (typeof p === 'string' ? Number(p.split(':').pop()) : p.target));
        check(ports.includes(config.PORT), `api: listens on ${config.PORT} but publishes ${ports.join(', ')}`);
        check(healthTest(services.api!).includes(`:${config.PORT}/readyz`), `api: its health check should ask /readyz on port ${config.PORT}`);
        check(config.HOST === '0.0.0.0', 'api: HOST should be 0.0.0.0 inside a container');
      }
      if (name === 'worker') {
        check(config.WORKER_METRICS_PORT !== undefined && healthTest(services.worker!).includes(`:${config.WORKER_METRICS_PORT}/healthz`), 'worker: its health check should ask /healthz on WORKER_METRICS_PORT');
        check(config.WORKER_SDK_METRICS_PORT !== undefined, 'worker: WORKER_SDK_METRICS_PORT should be set (the SDK metrics endpoint)');
        check(config.TEMPORAL_ADDRESS === 'temporal:7233', `worker: TEMPORAL_ADDRESS should be the temporal service, is ${config.TEMPORAL_ADDRESS}`);
      }
      passed++;
    } catch (err) {
      failures.push(`${name}: its environment does not pass lib/config.ts: ${(err as Error).message}`);
    }
  }

  // Dockerfile: multi-stage, production dependencies only, workflow bundle built at image build time, non-root.
  const dockerfile = readFileSync(options.dockerfile, 'utf8').replace(/\\\n/g, ' ');
  const instructions = dockerfile.split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
  const stages: string[][] = [];
  for (const line of instructions) {
    if (/^FROM\s/i.test(line)) stages.push([]);
    stages.at(-1)?.push(line);
  }
  const final = stages.at(-1) ?? [];
  check(stages.length >= 2, 'Dockerfile: should be multi-stage (a build stage and a runtime stage)');
  check(final.some((line) => /^RUN\s.*npm ci\b.*--omit=dev/.test(line)), 'Dockerfile: the runtime stage should install with npm ci --omit=dev');
  check(stages.slice(0, -1).flat().some((line) => /^RUN\s.*bundle-workflows/.test(line)), 'Dockerfile: a build stage should build the workflow bundle');
  check(final.some((line) => /^COPY\s+--from=\S+\s+\S*dist/.test(line)), 'Dockerfile: the runtime stage should copy the built bundle (dist/) from the build stage');
  check(final.some((line) => /^ENV\s.*WORKFLOW_BUNDLE_PATH=/.test(line)), 'Dockerfile: WORKFLOW_BUNDLE_PATH should point the worker at the bundle');
  const user = final.filter((line) => /^USER\s/i.test(line)).at(-1)?.split(/\s+/)[1];
  check(user && !['root', '0', '0:0'].includes(user), 'Dockerfile: the runtime stage should switch to a non-root USER');
  const ignored = readFileSync(path.join(path.dirname(options.dockerfile), '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
  for (const entry of ['node_modules', '.data', '.env', '.git']) check(ignored.includes(entry), `.dockerignore: should exclude ${entry}`);

  for (const failure of failures) process.stderr.write(`  ✗ ${failure}\n`);
  const required = [...operatorRequired].sort().join(', ') || 'none';
  process.stderr.write(
    `${failures.length ? 'FAILED' : 'OK'}: ${path.relative(ROOT, options.file)}, Dockerfile — ${passed} checks passed, ${failures.length} failed; ` +
      `services: ${Object.keys(services).join(', ')}; the operator must set: ${required}.\n`,
  );
  process.exit(failures.length ? 1 : 0);
}

main();
