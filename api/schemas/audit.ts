import { z } from 'zod';
import '../http/openapi';
import { DownstreamResult } from './downstream';

/** Shapes of the auditor's views of a lockdown: paged history, timeline, exports. */

// Cursors are base64url (lib/cursor.ts) around Temporal's page tokens of a few dozen bytes; the bound and the
// alphabet keep every URL far below Node's 16 KB header limit (its bare 431 is outside the error envelope).
const cursor = z.string().max(1_000).regex(/^[A-Za-z0-9_-]*$/, 'a cursor from nextCursor').optional();

export const HistoryQuery = z.object({
  children: z.enum(['true', 'false']).transform((value) => value === 'true').default(false),
  limit: z.coerce.number().int().min(1).max(1_000).default(500),
  cursor,
});

const Run = z.object({ runId: z.string(), events: z.array(z.record(z.string(), z.unknown())) });

export const LockdownHistory = z
  .object({
    workflowId: z.string(),
    retained: z.boolean(),
    runs: z.array(Run),
    children: z.array(z.object({ userId: z.string(), workflowId: z.string(), started: z.boolean(), runs: z.array(Run) })).optional(),
    nextCursor: z.string().nullable(),
  })
  .openapi('LockdownHistory');

export const TimelineQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor,
});

export const ExportQuery = z.object({ format: z.enum(['csv', 'jsonl']).optional() });

const Entry = z.object({ at: z.string().nullable(), what: z.string(), detail: z.record(z.string(), z.unknown()).optional() });
const Step = z.object({
  step: z.string(),
  at: z.string().nullable(),
  attempt: z.number().int().optional(),
  count: z.number().int().nullable().optional(),
  error: z.string().nullable().optional(),
});
const Notification = z.object({
  transport: z.string(),
  mode: z.string(),
  status: z.string(),
  attempts: z.number().int(),
  deliveredAt: z.string().nullable(),
  lastError: z.string().nullable(),
});

export const TimelineUser = z
  .object({
    userId: z.string(),
    username: z.string(),
    position: z.number().int(),
    status: z.string(),
    error: z.string().nullable(),
    sessionsRevoked: z.number().int(),
    tokensRevoked: z.number().int(),
    completedAt: z.string().nullable(),
    workflowId: z.string(),
    historyRetained: z.boolean(),
    steps: z.array(Step),
    notifications: z.array(Notification),
    downstream: z.array(DownstreamResult).openapi({ description: 'The user on each downstream connector: the outcome, the actions that ran, attempts and the error (from PostgreSQL).' }),
  })
  .openapi('TimelineUser');

export const LockdownTimeline = z
  .object({
    lockdown: z.object({
      id: z.string(),
      status: z.string(),
      selfService: z.boolean(),
      flow: z.string(),
      requestedBy: z.object({ id: z.string().nullable(), username: z.string() }),
      requestedAt: z.string(),
      clientIp: z.string().nullable(),
      reason: z.string().nullable(),
      completedAt: z.string().nullable(),
      error: z.string().nullable(),
      workflowId: z.string(),
    }),
    source: z.enum(['temporal+postgresql', 'postgresql']),
    note: z.string().optional(),
    events: z.array(Entry),
    users: z.array(TimelineUser),
    nextCursor: z.string().nullable(),
  })
  .openapi('LockdownTimeline');
