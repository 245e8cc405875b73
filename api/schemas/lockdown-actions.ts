import { z } from 'zod';
import '../http/openapi';
import { CAEP_EVENT_NAMES } from '../../domain/security-events';
import { LOCKDOWN_ACTION_KEYS, LOCKDOWN_COUNTERS, type LockdownActionKey, type LockdownCounter } from '../../domain/lockdown-actions';

/** The switchable actions of an Account Lockdown stage, as domain/lockdown-actions.ts declares them: what the console shows. */
export const LockdownActionInfo = z
  .object({
    key: z.enum(LOCKDOWN_ACTION_KEYS as [LockdownActionKey, ...LockdownActionKey[]]),
    label: z.string(),
    description: z.string(),
    outcome: z.string().openapi({ description: 'The step in a lockdown’s timeline once it ran (e.g. "sessions ended").' }),
    counter: z
      .object({ column: z.enum(LOCKDOWN_COUNTERS as [LockdownCounter, ...LockdownCounter[]]), label: z.string() })
      .nullable()
      .openapi({ description: 'The count of what it removed: a field of each lockdown result and a sort key of its results.' }),
    caep: z.enum(CAEP_EVENT_NAMES).nullable().openapi({ description: 'The CAEP event downstream applications get once it ran.' }),
    revokedOnDeactivation: z.boolean().openapi({ description: 'Whether deactivating a user runs it too, whatever the stage says.' }),
    restore: z.string().openapi({ description: 'How an administrator gives back what it took away.' }),
  })
  .openapi('LockdownAction');

export const LockdownActionList = z.object({ items: z.array(LockdownActionInfo) }).openapi('LockdownActionList');
