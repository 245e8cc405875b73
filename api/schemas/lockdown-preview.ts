import { z } from 'zod';
import '../http/openapi';
import { TARGET_REFUSALS } from '../../domain/target-list';

/** POST /lockdowns/preview: who a selection would lock, and who it cannot, before anything starts. */

export const LockdownPreviewBody = z
  .object({
    users: z.array(z.string().min(1).max(100)).max(30_000).optional().describe('User ids, e.g. rows selected one by one.'),
    filter: z
      .object({ search: z.string().trim().max(150).optional(), isActive: z.boolean().optional() })
      .strict()
      .optional()
      .describe('"Select all matching": every user you manage that GET /users with this `search` and `isActive` lists, on every page.'),
    pasted: z
      .string()
      .max(900_000)
      .optional()
      .describe('Usernames, emails or ids as pasted: separated by new lines, commas, semicolons or spaces; `Name <address>` counts as the address; `#` lines skipped.'),
    csv: z
      .string()
      .max(900_000)
      .optional()
      .describe('A file as the CLI reads it (`lockdown lock --file`), by the same parser: the first column of each row, an optional header (username, id, email…), `#` comments.'),
  })
  .strict()
  .refine((body) => body.users !== undefined || body.filter !== undefined || body.pasted !== undefined || body.csv !== undefined, {
    message: 'Give users, filter, pasted or csv.',
    path: ['users'],
  })
  .openapi('LockdownPreviewRequest');

const PreviewUser = z.object({ id: z.string(), username: z.string(), name: z.string(), email: z.string() }).openapi('LockdownPreviewUser');

export const LockdownPreview = z
  .object({
    lockable: z.array(PreviewUser).describe('Who a lockdown would lock, in the order given (ids, pasted, file, then the filter’s matches by username), each once.'),
    refused: z
      .array(
        z.object({
          entry: z.string().describe('As given: an id, username or email (a filter’s match: its username).'),
          reason: z.enum(TARGET_REFUSALS),
          message: z.string(),
          user: z.object({ id: z.string(), username: z.string() }).nullable().describe('The user, when it is one you may see; never for `not_permitted` or `not_found`.'),
          lockdownId: z.string().nullable().describe('`already_locked`: the lockdown that locked them, when it is visible to you.'),
        }),
      )
      .describe('Who cannot be locked, and why.'),
    counts: z.object({ entries: z.number().int(), lockable: z.number().int(), refused: z.number().int() }),
    maxTargets: z.number().int().describe('LOCKDOWN_MAX_TARGETS: one lockdown takes at most this many users; start the first ones, then preview again for the rest.'),
    includesYou: z.boolean().describe('Your own account is among the lockable: the lockdown logs you out too.'),
  })
  .openapi('LockdownPreview');
