import type { Client } from '@temporalio/client';
import type { Config } from '../lib/config';
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';
import { createAlerting } from './alerting';
import { createAuditEvents } from './audit-events';
import { createFlowConfiguration } from './flow-configuration';
import { createLockdownAuditService } from './lockdown-audit';
import { createLockdownService } from './lockdowns';
import { createNotificationInbox } from './notification-inbox';
import { createRestoreAccess } from './restore-access';
import { createSsfReceivers } from './ssf-receivers';
import { createStageConfiguration } from './stage-configuration';
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
  const flowConfiguration = createFlowConfiguration(db);
  const stageConfiguration = createStageConfiguration(db);
  const alerting = createAlerting(db, deps.config);
  const notificationInbox = createNotificationInbox(db);
  const ssfReceivers = createSsfReceivers(db, deps.config);
  const auditEvents = createAuditEvents(db, deps.config);
  return { lockdowns, restore, accounts, lockdownAudit, flowConfiguration, stageConfiguration, alerting, notificationInbox, ssfReceivers, auditEvents };
}

export type Services = ReturnType<typeof createServices>;
