import type { Config } from '../lib/config';
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';
import { createApprovalActivities } from './approval';
import { createAuditActivities, RETRIED_UNTIL_WRITTEN } from './audit';
import { createContainmentActivities } from './containment';
import { withFailureClassification } from './failures';
import { createLockdownRecordActivities } from './lockdown-record';
import { createLockdownSummaryActivities } from './lockdown-summary';
import { createNotificationActivities } from './notifications';
import { createSecurityEventActivities } from './security-events';
import { createUserLockdownActivities } from './user-lockdown';

/** Every activity the worker registers, with its dependencies injected. */
export function createActivities(db: Db, config: Config, logger: Logger) {
  return withFailureClassification({
    ...createUserLockdownActivities(db, logger),
    ...createContainmentActivities(db, logger),
    ...createAuditActivities(db, logger),
    ...createApprovalActivities(db, logger),
    ...createLockdownRecordActivities(db),
    ...createLockdownSummaryActivities(db, logger),
    ...createNotificationActivities(db, config, logger),
    ...createSecurityEventActivities(db, config, logger),
  }, RETRIED_UNTIL_WRITTEN);
}

export type LockdownActivities = ReturnType<typeof createActivities>;
