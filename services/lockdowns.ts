import type { Client } from '@temporalio/client';
import type { Config } from '../lib/config';
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';
import type { RecordNotices } from '../lib/record-notices';
import { createLockdownCommands } from './lockdown-commands';
import { createLockdownRequests } from './lockdown-create';
import { createUserDeactivation } from './lockdown-deactivation';
import { createLockdownQueries } from './lockdown-queries';
import { createLockdownStarter } from './lockdown-start';
import { createLockdownViews } from './lockdown-view';

export type { Requester } from './lockdown-access';
export type { CreateLockdownRequest } from './lockdown-create';

export interface LockdownServiceDeps {
  db: Db;
  temporal: Client;
  config: Config;
  logger: Logger;
  /** See LockdownStartDeps: a worker in this process shares the client's native connection. */
  eagerWorkflowStart?: boolean;
  /** Where this process's own worker tells waiting requests that it recorded a lockdown's status (lib/record-notices.ts). */
  recordNotices?: RecordNotices;
}

/**
 * The lockdown use cases behind the HTTP API, one module each: requesting a lockdown
 * (lockdown-create), deactivating a user through one (lockdown-deactivation), commands on a
 * lockdown (lockdown-commands: answer, cancel, approve/reject), reads (lockdown-queries); they
 * share the record and its workflow input (lockdown-record), starting (lockdown-start) and
 * the view (lockdown-view).
 */
export function createLockdownService(deps: LockdownServiceDeps) {
  const viewOf = createLockdownViews(deps.db, deps.config);
  const starter = createLockdownStarter(deps);
  const { create } = createLockdownRequests(deps, starter, viewOf);
  const deactivate = createUserDeactivation(deps, starter);
  const { submitStage, cancel, decideApproval } = createLockdownCommands(deps, starter, viewOf);
  const { get, list, results } = createLockdownQueries(deps.db, viewOf);
  const { resumeUnstarted, resumeUnstartedEvery } = starter;
  return { create, deactivate, decideApproval, submitStage, cancel, get, list, results, resumeUnstarted, resumeUnstartedEvery };
}

export type LockdownService = ReturnType<typeof createLockdownService>;
