import type { Client } from '@temporalio/client';
import type { Config } from '../lib/config';
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';
import { createLockdownAuditService } from './lockdown-audit';
import { createLockdownService } from './lockdowns';
import { createRestoreAccess } from './restore-access';
import { createUserAccounts } from './user-accounts';

export interface ServiceDeps {
  db: Db;
  temporal: Client;
  config: Config;
  logger: Logger;
}

/**
 * The composition root: every service the API uses is built here, once, from the process's
 * clients. Routes receive `services` and call one of them; nothing else constructs a service.
 */
export function createServices(deps: ServiceDeps) {
  const { db } = deps;
  const lockdowns = createLockdownService(deps);
  const restore = createRestoreAccess(db);
  const accounts = createUserAccounts(db, lockdowns, restore);
  const lockdownAudit = createLockdownAuditService(deps);
  return { lockdowns, restore, accounts, lockdownAudit };
}

export type Services = ReturnType<typeof createServices>;
