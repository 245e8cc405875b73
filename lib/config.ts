import { z } from 'zod';

/**
 * All configuration, parsed and validated in one place.
 * Every process (API, worker, scripts) reads its settings through `loadConfig`.
 */
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const configSchema = z.object({
  DATABASE_URL: z
    .string({ error: 'DATABASE_URL is required (postgresql://user:password@host:port/database)' })
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgresql:// URL'),
  TEMPORAL_ADDRESS: z.string().regex(/^[^:\s]+:\d+$/, 'TEMPORAL_ADDRESS must be host:port').default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('account-lockdown'),
  TEMPORAL_UI_URL: z.url().default('http://127.0.0.1:8233'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_TTL_HOURS: positiveInt(12),
  /** Login attempts per minute, per client IP and per username. */
  LOGIN_RATE_LIMIT_PER_MINUTE: positiveInt(10),
  /** Largest bulk lockdown accepted by the API. */
  LOCKDOWN_MAX_TARGETS: positiveInt(10_000),
  /** Per-user child workflows running at once in a bulk lockdown. */
  LOCKDOWN_BULK_WINDOW: positiveInt(25),
  /** Children a parent run starts before it continues as new (keeps history small). */
  LOCKDOWN_CONTINUE_AS_NEW_AFTER: positiveInt(500),
  /** How long an API call waits for a workflow before answering 503. */
  API_WORKFLOW_DEADLINE_MS: positiveInt(10_000),
  /** How long a self-service request waits for its run to finish. */
  SELF_SERVICE_WAIT_MS: positiveInt(30_000),
  WORKER_MAX_CONCURRENT_ACTIVITIES: positiveInt(50),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: positiveInt(20),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  }
  return parsed.data;
}

export function publicUrl(config: Config): string {
  return config.PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`;
}
