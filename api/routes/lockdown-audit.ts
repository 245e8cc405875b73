import { once } from 'node:events';
import type { Request, Response, Router } from 'express';
import { csvRow } from '../../lib/csv';
import type { TimelineUser } from '../../services/lockdown-timeline';
import type { ApiDeps, Route } from '../app';
import { ExportQuery, HistoryQuery, LockdownHistory, LockdownTimeline, TimelineQuery } from '../schemas/audit';
import { IdParams } from '../schemas';

/** The auditor's views of a lockdown: paged decoded history, timeline, streamed exports. */
const CSV = 'text/csv; charset=utf-8';
const JSONL = 'application/x-ndjson; charset=utf-8';
const RESULT_COLUMNS = ['lockdownId', 'userId', 'username', 'status', 'success', 'error', 'sessionsRevoked', 'tokensRevoked', 'completedAt'];
const TIMELINE_COLUMNS = ['lockdownId', 'userId', 'username', 'userStatus', 'step', 'at', 'count', 'error', 'detail'];

type Format = 'csv' | 'jsonl';

/** `?format=` wins; else the Accept header; else CSV. */
function formatOf(req: Request, asked: Format | undefined): Format {
  if (asked) return asked;
  const preferred = req.accepts(['text/csv', 'application/x-ndjson', 'application/jsonl']);
  return preferred === 'application/x-ndjson' || preferred === 'application/jsonl' ? 'jsonl' : 'csv';
}

/** Writes rows as they come, waiting whenever the client reads slower than we produce. */
async function stream(res: Response, format: Format, filename: string, columns: string[], rows: AsyncIterable<Record<string, unknown>>) {
  res.status(200);
  res.setHeader('Content-Type', format === 'csv' ? CSV : JSONL);
  res.setHeader('Content-Disposition', `attachment; filename="${filename}.${format}"`);
  res.setHeader('Cache-Control', 'no-store');
  const write = async (text: string) => {
    if (!res.write(text)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
  };
  try {
    if (format === 'csv') await write(csvRow(columns));
    for await (const row of rows) {
      if (res.destroyed) return; // the client went away: stop reading
      await write(format === 'csv' ? csvRow(columns.map((column) => row[column])) : JSON.stringify(row) + '\n');
    }
    res.end();
  } catch (err) {
    // Headers are sent: the only honest signal left is a cut-off response.
    res.log?.error({ err }, 'export failed midway');
    res.destroy(err as Error);
  }
}

async function* timelineRows(lockdownId: string, head: { events: { at: string | null; what: string; detail?: unknown }[] }, users: AsyncIterable<TimelineUser>, format: Format) {
  if (format === 'jsonl') {
    yield { type: 'lockdown', ...head };
    for await (const user of users) yield { type: 'user', ...user };
    return;
  }
  for (const entry of head.events) yield { lockdownId, step: entry.what, at: entry.at, detail: entry.detail ?? null };
  for await (const user of users) {
    const base = { lockdownId, userId: user.userId, username: user.username, userStatus: user.status };
    for (const step of user.steps) yield { ...base, step: step.step, at: step.at, count: step.count ?? null, error: step.error ?? null, detail: step.attempt ? { attempt: step.attempt } : null };
    for (const notification of user.notifications) {
      yield { ...base, step: 'notification', at: notification.deliveredAt, error: notification.lastError, detail: { transport: notification.transport, mode: notification.mode, status: notification.status, attempts: notification.attempts } };
    }
    for (const result of user.downstream) yield { ...base, step: `downstream ${result.connector}: ${result.status}`, at: result.completedAt, error: result.error, detail: { kind: result.kind, run: result.run, attempts: result.attempts, actions: result.actions } };
  }
}

export function lockdownAuditRoutes(_router: Router, route: Route, { services: { lockdownAudit: audit } }: ApiDeps) {

  route({
    method: 'get',
    path: '/api/v1/lockdowns/:id/history',
    tag: 'audit',
    summary:
      'The Temporal event history, paged: the lockdown workflow’s events (every run), then with children=true its per-user workflows (20 a page). ' +
      'Payloads are decoded for view_audit; stack traces are never included. Follow nextCursor to the end.',
    auth: 'required',
    params: IdParams,
    query: HistoryQuery,
    responses: {
      200: { description: 'A page of history while Temporal retains it (`retained: false` after).', schema: LockdownHistory },
      403: { description: 'view_audit missing.' },
      404: { description: 'Unknown or not visible.' },
      503: { description: 'Temporal did not answer in time.' },
    },
    handler: async ({ auth, params, query }) => ({ status: 200, body: await audit.history(auth.user, params.id, query) }),
  });

  route({
    method: 'get',
    path: '/api/v1/lockdowns/:id/timeline',
    tag: 'audit',
    summary:
      'The lockdown as an auditor asks about it: who asked, when, from where, the prompt answers, and per user (paged) the steps with times and counts, ' +
      'failures and notifications. From the decoded Temporal histories and PostgreSQL; from PostgreSQL alone once retention has expired (`source`).',
    auth: 'required',
    params: IdParams,
    query: TimelineQuery,
    responses: {
      200: { description: 'The timeline with a page of users.', schema: LockdownTimeline },
      403: { description: 'view_audit missing.' },
      404: { description: 'Unknown or not visible.' },
    },
    handler: async ({ auth, params, query }) => ({ status: 200, body: await audit.timeline(auth.user, params.id, query) }),
  });

  route({
    method: 'get',
    path: '/api/v1/lockdowns/:id/export/results',
    tag: 'audit',
    summary: 'Every per-user result, streamed as CSV (`text/csv`) or JSON Lines (`application/x-ndjson`), by `?format=` or the Accept header.',
    auth: 'required',
    params: IdParams,
    query: ExportQuery,
    responses: { 200: { description: 'CSV with a header row, or one JSON object a line.' }, 404: { description: 'Unknown or not visible.' } },
    handler: async ({ auth, params, query, req, res }) => {
      const rows = await audit.resultsExport(auth.user, params.id);
      await stream(res, formatOf(req, query.format), `lockdown-${params.id}-results`, RESULT_COLUMNS, rows);
      return { status: 200 };
    },
  });

  route({
    method: 'get',
    path: '/api/v1/lockdowns/:id/export/timeline',
    tag: 'audit',
    summary:
      'The whole timeline streamed: CSV (one row per lockdown event, user step and notification) or JSON Lines (the lockdown, then one line per user), by `?format=` or Accept.',
    auth: 'required',
    params: IdParams,
    query: ExportQuery,
    responses: {
      200: { description: 'CSV with a header row, or one JSON object a line.' },
      403: { description: 'view_audit missing.' },
      404: { description: 'Unknown or not visible.' },
    },
    handler: async ({ auth, params, query, req, res }) => {
      const format = formatOf(req, query.format);
      const { head, users } = await audit.timelineExport(auth.user, params.id);
      await stream(res, format, `lockdown-${params.id}-timeline`, TIMELINE_COLUMNS, timelineRows(params.id, head, users, format));
      return { status: 200 };
    },
  });
}
