import type { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { canDecodeTemporalPayloads, canReadLockdownHistory } from './authorization';
import { denied } from '../domain/errors';
import type { Config } from '../lib/config';
import { createPayloadCodec } from '../lib/data-converter';
import type { Db } from '../lib/db';
import type { Lockdown as LockdownRow } from '../generated/prisma/client';
import { visibleLockdown, type Requester } from './lockdown-access';
import { createLockdownHistory, type HistoryQuery } from './lockdown-history';
import { createLockdownTimeline } from './lockdown-timeline';
import { resultOf } from './lockdown-view';
import { createHistoryReader } from './temporal-history';

/**
 * What auditors read about a lockdown: its paged Temporal history (decoded for view_audit),
 * its timeline, and streamed exports of its results and timeline.
 */
export function createLockdownAuditService({ db, temporal, config }: { db: Db; temporal: Client; config: Config }) {
  const codec = createPayloadCodec(config);
  const decodingReader = createHistoryReader(temporal, config.TEMPORAL_NAMESPACE, codec);
  const rawReader = createHistoryReader(temporal, config.TEMPORAL_NAMESPACE, null);
  const decodedHistory = createLockdownHistory(db, decodingReader, config);
  const rawHistory = createLockdownHistory(db, rawReader, config);
  const timelines = createLockdownTimeline(db, decodingReader);

  async function readableLockdown(actor: Requester, lockdownId: string): Promise<LockdownRow> {
    const lockdown = await visibleLockdown(db, actor, lockdownId);
    if (!(await canReadLockdownHistory(db, actor, lockdown))) throw denied('Lockdown histories and timelines need the view_audit permission.');
    return lockdown;
  }

  /** Payloads in clear for view_audit only; the requester reading their own gets them as Temporal stores them. */
  async function history(actor: Requester, lockdownId: string, query: HistoryQuery) {
    const lockdown = await readableLockdown(actor, lockdownId);
    const historyOf = (await canDecodeTemporalPayloads(db, actor)) ? decodedHistory : rawHistory;
    return historyOf(lockdown, query);
  }

  async function timeline(actor: Requester, lockdownId: string, query: { limit: number; cursor?: string }) {
    return timelines.page(await readableLockdown(actor, lockdownId), query);
  }

  /** The timeline for an export: its header, then every user as an async stream. */
  async function timelineExport(actor: Requester, lockdownId: string) {
    const lockdown = await readableLockdown(actor, lockdownId);
    const head = await timelines.header(lockdown);
    return { head, users: timelines.allUsers(lockdown, head.source !== 'postgresql') };
  }

  /** Every result in request order, read from PostgreSQL a page at a time. */
  async function resultsExport(actor: Requester, lockdownId: string) {
    const lockdown = await visibleLockdown(db, actor, lockdownId);
    async function* rows() {
      for (let after = -1; ; ) {
        const page = await db.lockdownTarget.findMany({ where: { lockdownId: lockdown.id, position: { gt: after } }, orderBy: { position: 'asc' }, take: 1_000 });
        for (const target of page) yield { lockdownId: lockdown.id, ...resultOf(target), completedAt: target.completedAt?.toISOString() ?? null };
        if (page.length < 1_000) return;
        after = page[page.length - 1].position;
      }
    }
    return rows();
  }

  /**
   * The codec server's work: payloads in clear (or encrypted) for view_audit only. Decoding,
   * one payload under a key this server lacks (or tampered with) stays as it is; the rest is readable.
   */
  async function codecPayloads(actor: Requester, direction: 'encode' | 'decode', payloads: Payload[]): Promise<Payload[]> {
    if (!(await canDecodeTemporalPayloads(db, actor))) throw denied('Reading Temporal payloads in clear needs the view_audit permission.');
    if (direction === 'encode') return codec.encode(payloads);
    return Promise.all(payloads.map((payload) => codec.decode([payload]).then(([clear]) => clear, () => payload)));
  }

  return { history, timeline, timelineExport, resultsExport, codecPayloads };
}

export type LockdownAuditService = ReturnType<typeof createLockdownAuditService>;
