import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../lib/logger';

let runtimeInstalled = false;

const LOGGER_METHOD = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const satisfies Record<LogLevel, keyof Logger>;

/**
 * Routes the Temporal SDK's own logs — its TypeScript side and its native core — into our logger
 * at `level` and above (warnings and errors unless asked otherwise) and, when `sdkMetricsAddress`
 * is given, serves the SDK's worker metrics there (Prometheus); once per process. Its own module so
 * that tests can install it without loading the worker (test/support/temporal-runtime.ts).
 */
export function installTemporalRuntime(logger: Logger, sdkMetricsAddress?: string, level: LogLevel = 'WARN'): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({
    logger: new DefaultLogger(level, ({ level: entryLevel, message, meta }) => logger[LOGGER_METHOD[entryLevel]]({ ...meta }, message)),
    telemetryOptions: {
      logging: { forward: {}, filter: { core: level, other: 'ERROR' } },
      ...(sdkMetricsAddress ? { metrics: { prometheus: { bindAddress: sdkMetricsAddress } } } : {}),
    },
  });
}
