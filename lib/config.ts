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
  /**
   * Express `trust proxy`: which proxies in front of the API may name the client (X-Forwarded-For),
   * for the recorded client IP, IP matcher policies and the login rate limit. Off by default:
   * `false`, `true` (any — only behind a proxy that strips the header), a hop count, or
   * addresses/subnets/`loopback`/`linklocal`/`uniquelocal`, comma-separated.
   */
  TRUST_PROXY: z
    .string()
    .trim()
    .default('false')
    .transform((value): boolean | number | string => {
      if (value === 'false' || value === '') return false;
      if (value === 'true') return true;
      if (/^\d+$/.test(value)) return Number(value);
      return value;
    })
    .refine((value) => typeof value !== 'string' || /^[\w.:/]+(\s*,\s*[\w.:/]+)*$/.test(value), 'TRUST_PROXY must be false, true, a hop count, or comma-separated addresses/subnets'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_TTL_HOURS: positiveInt(12),
  /** Lifetime of a recovery link. */
  RECOVERY_LINK_TTL_MINUTES: positiveInt(60),
  /** Login attempts per minute, per client IP and per username. */
  LOGIN_RATE_LIMIT_PER_MINUTE: positiveInt(10),
  /** Largest bulk lockdown accepted by the API. */
  LOCKDOWN_MAX_TARGETS: positiveInt(10_000),
  /** Per-user child workflows running at once in a bulk lockdown. */
  LOCKDOWN_BULK_WINDOW: positiveInt(25),
  /** Children a parent run starts before it continues as new (keeps history small). */
  LOCKDOWN_CONTINUE_AS_NEW_AFTER: positiveInt(500),
  /**
   * Deactivate every target in batches before the per-user runs (containment first): credentials
   * are refused within seconds for any size. `false` only to measure the difference (npm run bench).
   */
  LOCKDOWN_CONTAINMENT_FIRST: z.stringbool().default(true),
  /** How long an API call waits for a workflow before answering 503. */
  API_WORKFLOW_DEADLINE_MS: positiveInt(10_000),
  /** How long a self-service request waits for its run to finish. */
  SELF_SERVICE_WAIT_MS: positiveInt(30_000),
  WORKER_MAX_CONCURRENT_ACTIVITIES: positiveInt(50),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: positiveInt(20),
  /** Workflow executions the worker keeps in memory between tasks (the SDK's default is far larger: it sizes the heap). */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).default(500),
  /** SMTP server of the email transport; without SMTP_HOST, email deliveries fail with a clear error. */
  SMTP_HOST: z.string().min(1).optional(),
  SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(587),
  /** true: TLS from the start (port 465); false: STARTTLS when the server offers it. */
  SMTP_SECURE: z.stringbool().default(false),
  SMTP_USER: z.string().min(1).optional(),
  SMTP_PASSWORD: z.string().min(1).optional(),
  SMTP_FROM: z.string().min(3).default('account-lockdown@localhost'),
  /** Notification delivery retries: exponential backoff from the initial interval, doubling up to the maximum. */
  NOTIFICATION_MAX_ATTEMPTS: positiveInt(15),
  NOTIFICATION_RETRY_INITIAL_MS: positiveInt(1_000),
  NOTIFICATION_RETRY_MAX_INTERVAL_MS: positiveInt(60_000),
  /** How long a webhook receiver has to answer one delivery attempt. */
  NOTIFICATION_WEBHOOK_TIMEOUT_MS: positiveInt(10_000),
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
