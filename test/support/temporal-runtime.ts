import type { LogLevel } from '@temporalio/worker';
import { createLogger } from '../../lib/logger';
import { installTemporalRuntime } from '../../worker/temporal-runtime';

/**
 * Jest setup (jest.config.js `setupFiles`): before any test makes a worker, a replayer or a test
 * environment, the Temporal SDK's runtime logs through our logger at warn — or at LOG_LEVEL when
 * that asks for more (e.g. `LOG_LEVEL=debug npm test -- test/replay.test.ts`) — instead of the
 * SDK's default INFO to the console (one "Worker state changed" line per replayed history).
 */
const level = process.env.LOG_LEVEL ?? 'warn';
const MORE_THAN_WARN: Record<string, LogLevel> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO' };
installTemporalRuntime(createLogger(level, 'temporal-sdk'), undefined, MORE_THAN_WARN[level] ?? 'WARN');
