import { z } from 'zod';
import '../http/openapi';
import { TARGET_STATUSES } from '../../domain/lockdown-status';
import { LockdownStatus, User } from '../schemas';

/** Shapes of the accounts area added since the v1 contract (users, credentials, permissions). */

export const SessionParams = z.object({ id: z.string().min(1).max(100), sessionId: z.string().min(1).max(100) });

/** A user as the users list shows them: what the API decides about them, so the console derives nothing. */
export const DirectoryUser = User.extend({
  isProtected: z.boolean().describe('The anonymous user or an internal service account: never locked (POST /lockdowns refuses it).'),
  isLockedDown: z
    .boolean()
    .describe('Locked down: inactive, no usable password, no session and no token — a lockdown would change nothing, and one of this user alone answers 409 `already_locked`.'),
}).openapi('DirectoryUser');

export const LastLockdown = z
  .object({
    id: z.string().nullable().describe('The lockdown (GET /lockdowns/{id}); null when it is not visible to you (it names users you do not manage).'),
    status: LockdownStatus.nullable().describe('The lockdown’s status; null when it is not visible to you.'),
    actor: z.object({ username: z.string() }).nullable().describe('Who requested it; null when it is not visible to you.'),
    reason: z.string().nullable().describe('Why; null when not given, or not visible to you.'),
    cause: z.string().nullable().describe('`user_deactivated` or `user_deleted` when no lockdown request asked for it.'),
    selfService: z.boolean(),
    result: z.enum(TARGET_STATUSES).describe('This user’s result in it.'),
    error: z.string().nullable().describe('Why this user failed, if they did.'),
    requestedAt: z.string(),
    completedAt: z.string().nullable().describe('When this user’s run ended.'),
  })
  .openapi('LastLockdown', { description: 'The last lockdown that acted on the user (locked them, failed, or is running), newest request first.' });

export const UserDetail = DirectoryUser.extend({
  lastLockdown: LastLockdown.nullable().describe('The last lockdown that acted on this user; null when none did.'),
}).openapi('UserDetail');

export const UserPage = z
  .object({
    items: z.array(DirectoryUser),
    nextCursor: z.string().nullable(),
    total: z.number().int().describe('How many users the filter matches in all (among those the caller manages).'),
  })
  .openapi('UserPage');
