import { visibleLockdowns } from './authorization';
import type { LockdownStatus } from '../domain/lockdown-status';
import type { Db } from '../lib/db';
import { isUuid } from '../lib/ids';
import type { Prisma } from '../generated/prisma/client';
import { decodeCursor, encodeCursor, newestFirst, newestFirstPage, RowPosition } from './cursor';
import { visibleLockdown, type Requester } from './lockdown-access';
import { resultOf, type LockdownViews } from './lockdown-view';
import { withDownstream } from './downstream';

export interface LockdownListQuery {
  status?: LockdownStatus;
  actor?: string;
  target?: string;
  limit: number;
  cursor?: string;
}

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

  async function results(actor: Requester, lockdownId: string, query: { limit: number; cursor?: string }) {
    const lockdown = await visibleLockdown(db, actor, lockdownId);
    const after = decodeCursor(query.cursor, RowPosition);
    const rows = await db.lockdownTarget.findMany({
      where: { lockdownId: lockdown.id, ...(after ? { position: { gt: after.position } } : {}) },
      orderBy: { position: 'asc' },
      take: query.limit + 1,
    });
    const items = rows.slice(0, query.limit);
    return {
      items: await withDownstream(db, lockdown.id, items.map(resultOf)),
      nextCursor: rows.length > query.limit ? encodeCursor({ position: items[items.length - 1].position }) : null,
    };
  }

  return { get, list, results };
}
