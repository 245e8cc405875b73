import type { Config } from '../lib/config';
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';
import type { ConnectorMetrics } from '../lib/metrics';
import { createApprovalActivities } from './approval';
import { createAuditActivities, RETRIED_UNTIL_WRITTEN } from './audit';
import { createContainmentActivities } from './containment';
import { createDownstreamActivities, DOWNSTREAM_RETRIED_UNTIL_WRITTEN } from './downstream';
import { withFailureClassification } from './failures';
import { createLockdownRecordActivities } from './lockdown-record';
import { createLockdownSummaryActivities } from './lockdown-summary';
import { createNotificationActivities } from './notifications';
import { createSecurityEventActivities } from './security-events';
import { createUserLockdownActivities } from './user-lockdown';

/** Every activity the worker registers, with its dependencies injected (`connectorMetrics`: where downstream requests are counted). */
export function createActivities(db: Db, config: Config, logger: Logger, connectorMetrics?: ConnectorMetrics) {
  return withFailureClassification({
    ...createUserLockdownActivities(db, logger),
    ...createContainmentActivities(db, logger),
    ...createAuditActivities(db, logger),
    ...createApprovalActivities(db, logger),
    ...createLockdownRecordActivities(db),
    ...createLockdownSummaryActivities(db, logger),
    ...createNotificationActivities(db, config, logger),
    ...createSecurityEventActivities(db, config, logger),
    ...createDownstreamActivities(db, config, logger, connectorMetrics),
  }, new Set([...RETRIED_UNTIL_WRITTEN, ...DOWNSTREAM_RETRIED_UNTIL_WRITTEN]));
}

export type LockdownActivities = ReturnType<typeof createActivities>;
