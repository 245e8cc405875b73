import { z } from 'zod';
import { visibleLockdowns } from './authorization';
import { RESULT_ORDER, type ResultSort } from '../domain/lockdown-results';
import type { LockdownStatus, TargetStatus } from '../domain/lockdown-status';
import type { Db } from '../lib/db';
import { isUuid } from '../lib/ids';
import type { LockdownTarget, Prisma } from '../generated/prisma/client';
import { decodeCursor, encodeCursor, newestFirst, newestFirstPage, RowPosition, rowPosition } from './cursor';
import { visibleLockdown, type Requester } from './lockdown-access';
import { resultsFor, type LockdownViews } from './lockdown-view';

export interface LockdownListQuery {
  status?: LockdownStatus;
  actor?: string;
  target?: string;
  limit: number;
  cursor?: string;
}

export interface ResultsQuery {
  status?: TargetStatus;
  sort?: ResultSort;
  limit: number;
  cursor?: string;
}

/** Pages of results in any other order than the request's are counted from the first (a lockdown has at most LOCKDOWN_MAX_TARGETS). */
const ResultOffset = z.object({ offset: rowPosition });

/** Reading lockdowns: one, a filtered page of them newest first, a page of one's per-user results. */
export function createLockdownQueries(db: Db, viewOf: LockdownViews) {
  async function get(actor: Requester, lockdownId: string) {
    return viewOf(await visibleLockdown(db, actor, lockdownId), actor);
  }

  async function list(actor: Requester, query: LockdownListQuery) {
    const paging = newestFirst(query.cursor);
    const where: Prisma.LockdownWhereInput = {
      AND: [
        paging.where,
        await visibleLockdowns(db, actor),
        {
          ...(query.status ? { status: query.status } : {}),
          ...(query.actor ? { actorUsername: query.actor } : {}),
          ...(query.target ? (isUuid(query.target) ? { targets: { some: { userId: query.target } } } : { id: { in: [] } }) : {}),
        },
      ],
    };
    const rows = await db.lockdown.findMany({ where, orderBy: paging.orderBy, take: query.limit + 1 });
    const pageOfRows = newestFirstPage(rows, query.limit, (row) => row);
    return { items: await Promise.all(pageOfRows.items.map((row) => viewOf(row, actor))), nextCursor: pageOfRows.nextCursor };
  }

  /**
   * A page of one lockdown's results, filtered by status and sorted: in request order by
   * position (a keyset cursor, as before), in any other order by offset.
   */
  async function results(actor: Requester, lockdownId: string, query: ResultsQuery) {
    const lockdown = await visibleLockdown(db, actor, lockdownId);
    const where = { lockdownId: lockdown.id, ...(query.status ? { status: query.status } : {}) };
    const sort = query.sort ?? 'position';
    if (sort === 'position') {
      const after = decodeCursor(query.cursor, RowPosition);
      const rows = await db.lockdownTarget.findMany({ where: { ...where, ...(after ? { position: { gt: after.position } } : {}) }, orderBy: { position: 'asc' }, take: query.limit + 1 });
      const items = rows.slice(0, query.limit);
      return { items: await resultsFor(db, actor, items), nextCursor: rows.length > query.limit ? encodeCursor({ position: items[items.length - 1].position }) : null };
    }
    const offset = decodeCursor(query.cursor, ResultOffset)?.offset ?? 0;
    const descending = sort.startsWith('-');
    const rows =
      sort === 'result' || sort === '-result'
        ? await byResult(where, descending ? [...RESULT_ORDER].reverse() : RESULT_ORDER, offset, query.limit + 1)
        : await db.lockdownTarget.findMany({
            where,
            orderBy: [{ [sort.replace('-', '')]: descending ? 'desc' : 'asc' }, { position: 'asc' }],
            skip: offset,
            take: query.limit + 1,
          });
    const items = rows.slice(0, query.limit);
    return { items: await resultsFor(db, actor, items), nextCursor: rows.length > query.limit ? encodeCursor({ offset: offset + query.limit }) : null };
  }

  /** `take` results from `offset` in the order of `statuses` (request order within each): one read per status the page spans. */
  async function byResult(where: Prisma.LockdownTargetWhereInput & { lockdownId: string }, statuses: readonly TargetStatus[], offset: number, take: number) {
    const counts = await db.lockdownTarget.groupBy({ by: ['status'], where, _count: { _all: true } });
    const rows: LockdownTarget[] = [];
    let skip = offset;
    for (const status of statuses) {
      const count = counts.find((group) => group.status === status)?._count._all ?? 0;
      if (skip >= count) {
        skip -= count;
        continue;
      }
      rows.push(...(await db.lockdownTarget.findMany({ where: { ...where, status }, orderBy: { position: 'asc' }, skip, take: take - rows.length })));
      skip = 0;
      if (rows.length >= take) break;
    }
    return rows;
  }

  return { get, list, results };
}
