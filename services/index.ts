import type { Client } from '@temporalio/client';
import type { Config } from '../lib/config';
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';
import type { ConnectorMetrics } from '../lib/metrics';
import type { RecordNotices } from '../lib/record-notices';
import { createAccountAccess } from './account-access';
import { createAlerting } from './alerting';
import { createAuditEvents } from './audit-events';
import { createCapabilities } from './capabilities';
import { createConnectors } from './connectors';
import { createCredentialCheck } from './credential-check';
import { createDownstream } from './downstream';
import { createFlowConfiguration } from './flow-configuration';
import { createLockdownAuditService } from './lockdown-audit';
import { createLockdownPreview } from './lockdown-preview';
import { createLockdownService } from './lockdowns';
import { createNotificationInbox } from './notification-inbox';
import { createPermissionGrants } from './permission-grants';
import { createReadiness } from './readiness';
import { createRestoreAccess } from './restore-access';
import { createSignIn } from './sign-in';
import { createSsfReceivers } from './ssf-receivers';
import { createEventNotifications } from './event-notifications';
import { createPasswordLockout } from './password-lockout';
import { createPasswordLockoutAdmin } from './password-lockout-admin';
import { createSsfPush } from './ssf-push';
import { createTransmitterKeys } from './ssf-transmitter-keys';
import { createSsfTransmitters } from './ssf-transmitters';
import { createStageConfiguration } from './stage-configuration';
import { createUserAccounts } from './user-accounts';
import { createUserCredentials } from './user-credentials';
import { createUserDirectory } from './user-directory';

export interface ServiceDeps {
  db: Db;
  temporal: Client;
  config: Config;
  logger: Logger;
  /** A worker in this process shares the client's native connection: lockdowns start eagerly (services/lockdown-start.ts). */
  eagerWorkflowStart?: boolean;
  /** Where this process's own worker tells waiting requests that it recorded a lockdown's status (lib/record-notices.ts). */
  recordNotices?: RecordNotices;
  /** Where the requests of connector health checks and restores are counted (the API's /metrics). */
  connectorMetrics?: ConnectorMetrics;
}

/**
 * The composition root: every service the API uses is built here, once, from the process's
 * clients. Routes receive `services` and call one of them; nothing else constructs a service.
 */
export function createServices(deps: ServiceDeps) {
  const { db } = deps;
  const lockdowns = createLockdownService(deps);
  const access = createAccountAccess(db);
  const restore = createRestoreAccess(db, access);
  const accounts = createUserAccounts(db, access, lockdowns, restore);
  const lockdownAudit = createLockdownAuditService(deps);
  // Accounts, credentials and permissions.
  const directory = createUserDirectory(db, access);
  const credentials = createUserCredentials(db, access);
  const permissionGrants = createPermissionGrants(db);
  // Lockdowns that start themselves: password lockout (counted at sign-in) and Shared Signals received.
  const notifyOf = createEventNotifications(deps);
  const passwordLockout = createPasswordLockout(deps, lockdowns, notifyOf);
  const passwordLockoutAdmin = createPasswordLockoutAdmin(db, deps.config, access);
  const ssfTransmitters = createSsfTransmitters(db, deps.config);
  const ssfPush = createSsfPush(deps, createTransmitterKeys(deps.config), lockdowns, notifyOf);
  const signIn = createSignIn(db, passwordLockout);
  const credentialCheck = createCredentialCheck(db);
  const capabilities = createCapabilities(db);
  const lockdownPreview = createLockdownPreview(db, deps.config);
  const readiness = createReadiness(db, deps.temporal, deps.config);
  // Configuration, alerting and the audit log.
  const flowConfiguration = createFlowConfiguration(db);
  const stageConfiguration = createStageConfiguration(db);
  const alerting = createAlerting(db, deps.config);
  const notificationInbox = createNotificationInbox(db);
  const ssfReceivers = createSsfReceivers(db, deps.config);
  const auditEvents = createAuditEvents(db, deps.config);
  // Downstream connectors: their configuration, and the lockdowns' results on them.
  const connectors = createConnectors(db, deps.config, deps.connectorMetrics);
  const downstream = createDownstream({ db, temporal: deps.temporal, config: deps.config, metrics: deps.connectorMetrics }, access);
  return {
    lockdowns,
    restore,
    accounts,
    lockdownAudit,
    directory,
    credentials,
    permissionGrants,
    signIn,
    credentialCheck,
    capabilities,
    lockdownPreview,
    readiness,
    flowConfiguration,
    stageConfiguration,
    alerting,
    notificationInbox,
    ssfReceivers,
    auditEvents,
    connectors,
    downstream,
    passwordLockout,
    passwordLockoutAdmin,
    ssfTransmitters,
    ssfPush,
  };
}

export type Services = ReturnType<typeof createServices>;
