import { z } from 'zod';
import '../http/openapi';

/** What started a lockdown no person asked for (domain/lockdown-trigger.ts); null on lockdowns a person requested. */
export const LockdownTrigger = z
  .discriminatedUnion('kind', [
    z
      .object({
        kind: z.literal('password_lockout'),
        failedAttempts: z.number().int(),
        lockedAt: z.string(),
      })
      .openapi('PasswordLockoutTrigger', { description: 'The target’s password locked after `failedAttempts` consecutive failed logins; the brand’s policy escalates to a lockdown.' }),
    z
      .object({
        kind: z.literal('shared_signal'),
        transmitter: z.object({ id: z.string(), name: z.string() }),
        issuer: z.string(),
        events: z.array(z.string()),
        jti: z.string(),
        txn: z.string().nullable(),
      })
      .openapi('SharedSignalTrigger', { description: 'A Security Event Token pushed by a trusted Shared Signals transmitter (its event type URIs, `jti` and `txn`).' }),
  ])
  .openapi('LockdownTrigger');
