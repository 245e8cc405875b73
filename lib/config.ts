import { z } from 'zod';
import { invalidAllowListEntries } from './outbound-address';

/**
 * All configuration, parsed and validated in one place.
 * Every process (API, worker, scripts) reads its settings through `loadConfig`.
 */
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const configSchema = z.object({
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
  /**
   * Whether the request's host picks the brand (and with it the lockdown flow). Off: every
   * request is served by the default brand. On: the brand whose domain is the host — the
   * Host header, or X-Forwarded-Host from a TRUST_PROXY proxy — else the default brand.
   * Turn it on only when the API is reached through a proxy that forwards the hosts of
   * configured brands. Either way a brand never weakens the default brand's lockdown flow
   * (services/flow-snapshot.ts).
   */
  LOCKDOWN_BRAND_FROM_HOST: z.stringbool().default(false),
  /**
   * Destinations webhooks and Shared Signals receivers may reach although they are not public
   * unicast addresses (loopback, private, link-local, …): comma-separated addresses, CIDR
   * ranges or exact host names. Empty by default: only public addresses are reached.
   */
  OUTBOUND_ALLOWED_DESTINATIONS: z
    .string()
    .trim()
    .default('')
    .refine((value) => invalidAllowListEntries(value).length === 0, 'OUTBOUND_ALLOWED_DESTINATIONS must be comma-separated addresses, CIDR ranges or host names'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_TTL_HOURS: positiveInt(12),
  /** Lifetime of a recovery link. */
  RECOVERY_LINK_TTL_MINUTES: positiveInt(60),
  /** Login attempts per minute from one client address (every attempt counts). */
  LOGIN_RATE_LIMIT_PER_MINUTE: positiveInt(10),
  /**
   * Failed login attempts per minute from one client address for one username. Never per
   * username alone: attempts from other addresses must not keep a user out.
   */
  LOGIN_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE: positiveInt(5),
  /**
   * Password lockout (a brand's policy turns it on; off by default): the consecutive failed
   * password logins that lock an account's password, when the policy names no number of its own.
   */
  LOCKDOWN_PASSWORD_LOCKOUT_ATTEMPTS: positiveInt(10),
  /** Shared Signals received: a SET issued (`iat`) longer ago than this is refused; its `jti` is remembered for good. */
  SSF_SET_MAX_AGE_SECONDS: positiveInt(3_600),
  /** Shared Signals received: how long a transmitter's JWKS (fetched from its jwksUrl) is used before it is fetched again. */
  SSF_JWKS_CACHE_SECONDS: positiveInt(300),
  /** Largest bulk lockdown accepted by the API. */
  LOCKDOWN_MAX_TARGETS: positiveInt(10_000),
  /** Bulk lockdowns of more users than this wait for a second person's approval, on stages that require it. */
  LOCKDOWN_APPROVAL_THRESHOLD: positiveInt(100),
  /** How long a lockdown waits for approval before it expires (nobody locked). */
  LOCKDOWN_APPROVAL_TIMEOUT_SECONDS: positiveInt(86_400),
  /**
   * The threshold counts a requester's users over this window (their lockdowns that did not go
   * through approval), so a bulk split into small requests waits like the bulk. 0: each request alone.
   */
  LOCKDOWN_APPROVAL_WINDOW_SECONDS: z.coerce.number().int().min(0).default(86_400),
  /** How long a lockdown waits at its prompt before it ends `expired` (nobody locked): abandoned browser tabs leave no run waiting. */
  LOCKDOWN_PROMPT_TIMEOUT_SECONDS: positiveInt(3_600),
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
  /**
   * The API runs a small worker of its own on its client's connection, so a lockdown's start
   * hands its first workflow task straight to it (eager workflow start: no wait for the server
   * to match the task to a polling worker). `false`: the API runs no workflow code.
   */
  API_EAGER_START: z.stringbool().default(true),
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
  /**
   * Downstream connectors: attempts of one user's lockdown on one connector (a refusal that
   * will never succeed, such as a 403, is not retried), with exponential backoff from the
   * initial interval, doubling up to the maximum; a server's Retry-After replaces the computed
   * delay. The defaults: 15 attempts over about 35 minutes.
   */
  CONNECTOR_MAX_ATTEMPTS: positiveInt(15),
  CONNECTOR_RETRY_INITIAL_MS: positiveInt(1_000),
  CONNECTOR_RETRY_MAX_INTERVAL_MS: positiveInt(300_000),
  /** How long a downstream server has to answer one request. */
  CONNECTOR_REQUEST_TIMEOUT_MS: positiveInt(10_000),
  /** Keys of the Temporal payload codec (lib/payload-keys.ts): `id:base64key,…`, the first encrypts; or a file of them. */
  LOCKDOWN_PAYLOAD_KEYS: z.string().min(1).optional(),
  LOCKDOWN_PAYLOAD_KEYS_FILE: z.string().min(1).optional(),

  // --- Temporal connection security (Temporal Cloud or a self-hosted server with TLS) ---
  /** TLS to the frontend; on by default when an API key or a client certificate is set. */
  TEMPORAL_TLS: z.stringbool().optional(),
  /** PEM file of the CA that signed the server's certificate (default: the system's roots). */
  TEMPORAL_TLS_CA_PATH: z.string().min(1).optional(),
  /** mTLS: PEM files of this client's certificate and private key (both or neither). */
  TEMPORAL_TLS_CERT_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY_PATH: z.string().min(1).optional(),
  /** Expected name in the server's certificate, when it differs from the address's host. */
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  /** Temporal Cloud API key (sent as a bearer token; implies TLS). */
  TEMPORAL_API_KEY: z.string().min(1).optional(),

  // --- Operations ---
  /** Worker: port of its /metrics (lockdown and per-step histograms) and /healthz; unset: not served. */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** Worker: port of the Temporal SDK's own Prometheus endpoint (poll, task and slot metrics); unset: not served. */
  WORKER_SDK_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** Worker: on SIGTERM it stops polling at once, then gives in-flight tasks this long to finish. */
  WORKER_SHUTDOWN_GRACE_MS: positiveInt(30_000),
  /** API: on SIGTERM it stops accepting connections, then gives requests in flight this long. */
  API_SHUTDOWN_GRACE_MS: positiveInt(15_000),
}).superRefine((config, ctx) => {
  if (Boolean(config.TEMPORAL_TLS_CERT_PATH) !== Boolean(config.TEMPORAL_TLS_KEY_PATH)) {
    const missing = config.TEMPORAL_TLS_CERT_PATH ? 'TEMPORAL_TLS_KEY_PATH' : 'TEMPORAL_TLS_CERT_PATH';
    ctx.addIssue({ code: 'custom', path: [missing], message: `${missing} is required with ${missing === 'TEMPORAL_TLS_KEY_PATH' ? 'TEMPORAL_TLS_CERT_PATH' : 'TEMPORAL_TLS_KEY_PATH'} (mTLS needs both)` });
  }
  if (config.TEMPORAL_TLS === false && (config.TEMPORAL_API_KEY || config.TEMPORAL_TLS_CERT_PATH)) {
    ctx.addIssue({ code: 'custom', path: ['TEMPORAL_TLS'], message: 'TEMPORAL_TLS=false cannot be combined with TEMPORAL_API_KEY or a client certificate' });
  }
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

/** The `iss` of the Security Event Tokens and the base of /.well-known/ssf-configuration: the public URL, without a trailing slash. */
export function securityEventIssuer(config: Config): string {
  return publicUrl(config).replace(/\/+$/, '');
}
