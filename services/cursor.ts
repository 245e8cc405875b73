import { z } from 'zod';
import { invalid } from '../domain/errors';

/** Opaque keyset cursors: base64url of a JSON position, so clients cannot depend on their shape. */
export function encodeCursor(position: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** 400 naming `query.cursor`: for a cursor that does not decode, and one a store refuses (e.g. Temporal's page token). */
export function invalidCursor() {
  return invalid('The cursor is not valid; use nextCursor from a previous page.', [{ field: 'query.cursor', message: 'invalid cursor' }]);
}

/**
 * The position in `cursor`, checked against `shape`: a forged cursor is a 400 and never
 * reaches a timestamp, number or uuid column.
 */
export function decodeCursor<T extends z.ZodType>(cursor: string | undefined, shape: T): z.infer<T> | null {
  if (cursor === undefined) return null;
  let position: unknown;
  try {
    position = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    position = undefined;
  }
  const parsed = shape.safeParse(position);
  if (!parsed.success) throw invalidCursor();
  return parsed.data;
}

/** A row's place in a list (PostgreSQL `integer`): a forged larger one would overflow the query. */
export const rowPosition = z.number().int().min(0).max(2_147_483_647);
/** The cursor of lists paged by position (request order of a lockdown's users). */
export const RowPosition = z.object({ position: rowPosition });

const NEWEST_FIRST = [{ createdAt: 'desc' as const }, { id: 'desc' as const }];
const NewestFirstPosition = z.object({ createdAt: z.iso.datetime(), id: z.uuid() });

/** Keyset paging newest first over (createdAt, id): the `where` and `orderBy` of the page after `cursor`. */
export function newestFirst(cursor: string | undefined) {
  const after = decodeCursor(cursor, NewestFirstPosition);
  if (!after) return { where: {}, orderBy: NEWEST_FIRST };
  const createdAt = new Date(after.createdAt);
  return { where: { OR: [{ createdAt: { lt: createdAt } }, { createdAt, id: { lt: after.id } }] }, orderBy: NEWEST_FIRST };
}

/** A page from `limit + 1` rows fetched with `newestFirst`: the items and the cursor of the next page. */
export function newestFirstPage<R extends { createdAt: Date; id: string }, I>(rows: R[], limit: number, toItem: (row: R) => I) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(toItem),
    nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.createdAt.toISOString(), id: last.id }) : null,
  };
}
