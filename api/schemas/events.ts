import { z } from 'zod';
import '../http/openapi';
import { EVENT_CATEGORIES, isEventAction } from '../../domain/events';
import { Pagination } from '../schemas';

/** Request and response shapes of the audit log: the events filter and the table of event actions. */

export const EventCategory = z.enum(EVENT_CATEGORIES);

/** An action declared in domain/events.ts (GET /api/v1/events/actions lists them). */
export const eventAction = z
  .string()
  .max(100)
  .refine(isEventAction, 'Unknown event action; GET /api/v1/events/actions lists them.')
  .openapi({ description: 'An event action, as GET /api/v1/events/actions lists them (e.g. account_lockdown_triggered).' });

export const EventsQuery = z.object({
  action: eventAction.optional(),
  category: EventCategory.optional().openapi({ description: 'Only events whose action is of this category.' }),
  actor: z.string().max(150).optional(),
  affectedUser: z.string().max(150).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  ...Pagination,
});

export const EventActionInfo = z
  .object({ action: z.string(), label: z.string(), category: EventCategory })
  .openapi('EventAction', { description: 'An audit event action with its readable label and category.' });

export const EventActionList = z.object({ items: z.array(EventActionInfo) }).openapi('EventActionList');
