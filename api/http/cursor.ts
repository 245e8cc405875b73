import { badRequest } from './errors';

/** Opaque keyset cursors: base64url of a JSON position, so clients cannot depend on their shape. */
export function encodeCursor(position: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

export function decodeCursor<T extends Record<string, string | number>>(cursor: string | undefined, keys: (keyof T)[]): T | null {
  if (cursor === undefined) return null;
  try {
    const position = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (position && typeof position === 'object' && keys.every((key) => key in position)) return position as T;
  } catch {
    // fall through to the error below
  }
  throw badRequest('The cursor is not valid; use nextCursor from a previous page.', [{ field: 'query.cursor', message: 'invalid cursor' }]);
}
