import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';
import { createAuditActivities } from './audit';
import { withFailureClassification } from './failures';
import { createLockdownRecordActivities } from './lockdown-record';
import { createUserLockdownActivities } from './user-lockdown';

/** Every activity the worker registers, with its dependencies injected. */
export function createActivities(db: Db, logger: Logger) {
  return withFailureClassification({
    ...createUserLockdownActivities(db, logger),
    ...createAuditActivities(db, logger),
    ...createLockdownRecordActivities(db),
  });
}

export type LockdownActivities = ReturnType<typeof createActivities>;
