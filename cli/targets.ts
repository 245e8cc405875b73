import { readFileSync } from 'node:fs';
import { isUserId, parseTargetCsv } from '../domain/target-list';
import { CliError, EXIT, type ApiClient } from './api-client';

/** Up to this many names are looked up one by one; more, and one listing of all users is cheaper. */
const LOOKUPS_BEFORE_LISTING = 25;

interface User {
  id: string;
  username: string;
  isActive: boolean;
}
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Usernames or user ids from a file, read by the parser the API uses for an uploaded file
 * (domain/target-list.ts): one a line, the first column of a CSV, an optional header
 * (username, id, …), blank lines and `#` comments skipped, duplicates dropped.
 */
export function readTargetFile(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`Cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, EXIT.usage);
  }
  try {
    return parseTargetCsv(text);
  } catch (err) {
    throw new CliError(`Cannot read ${file} as CSV: ${(err as Error).message}`, EXIT.usage);
  }
}

/** Turns usernames (or ids) into user ids through the API; unknown names are an error listing them all. */
export async function resolveUserIds(api: ApiClient, namesOrIds: string[]): Promise<{ id: string; username: string }[]> {
  const byUsername = new Map<string, User>();
  const byId = new Map<string, User>();
  const remember = (user: User) => {
    byUsername.set(user.username.toLowerCase(), user);
    byId.set(user.id, user);
  };
  if (namesOrIds.length > LOOKUPS_BEFORE_LISTING) {
    for (let cursor: string | null = null; ; ) {
      const page: Page<User> = await api.get(`/api/v1/users?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      page.items.forEach(remember);
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
  } else {
    for (const value of namesOrIds) {
      if (isUserId(value)) continue;
      const page: Page<User> = await api.get(`/api/v1/users?limit=50&search=${encodeURIComponent(value)}`);
      page.items.forEach(remember);
    }
  }
  const resolved: { id: string; username: string }[] = [];
  const unknown: string[] = [];
  for (const value of namesOrIds) {
    const user = byUsername.get(value.toLowerCase()) ?? byId.get(value);
    if (user) resolved.push({ id: user.id, username: user.username });
    else if (isUserId(value)) resolved.push({ id: value, username: value }); // the API checks ids itself
    else unknown.push(value);
  }
  if (unknown.length > 0) {
    const shown = unknown.slice(0, 20).join(', ') + (unknown.length > 20 ? `, and ${unknown.length - 20} more` : '');
    throw new CliError(`Unknown user${unknown.length > 1 ? 's' : ''} (${unknown.length}): ${shown}. Nothing was locked.`, EXIT.usage);
  }
  return resolved;
}
