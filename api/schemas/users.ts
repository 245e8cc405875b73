import { z } from 'zod';
import '../http/openapi';
import { User } from '../schemas';

/** Shapes of the accounts area added since the v1 contract (users, credentials, permissions). */

export const UserPage = z
  .object({
    items: z.array(User),
    nextCursor: z.string().nullable(),
    total: z.number().int().describe('How many users the filter matches in all (among those the caller manages).'),
  })
  .openapi('UserPage');

export const SessionParams = z.object({ id: z.string().min(1).max(100), sessionId: z.string().min(1).max(100) });
