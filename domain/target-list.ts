import { parse } from 'csv-parse/sync';

/**
 * Lists of users to lock, as people bring them to an incident: a file the CLI reads
 * (`lockdown --file users.csv`), the same file uploaded in the console, or usernames and
 * emails pasted from a ticket or a spreadsheet. One parser for each, shared by the CLI and the
 * API (the console sends the text; the API parses it), and one rule that says which user an
 * entry names.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A first line with one of these in its first column is a header, not a user. */
const HEADER_NAMES = new Set(['username', 'user', 'id', 'user_id', 'userid', 'login', 'name', 'email', 'mail', 'e-mail']);

/**
 * A target file: the first column of each row (a plain list is a one-column CSV), an
 * optional header (username, id, email, …), blank lines and `#` comments skipped, duplicates
 * dropped, in file order. Throws on text that is not CSV (an unclosed quote).
 */
export function parseTargetCsv(text: string): string[] {
  const rows = parse(text, { skip_empty_lines: true, trim: true, relax_column_count: true, comment: '#', bom: true }) as string[][];
  const values = rows.map((row) => row[0] ?? '').filter((value) => value !== '');
  if (values.length > 0 && HEADER_NAMES.has(values[0].toLowerCase())) values.shift();
  return [...new Set(values)];
}

/**
 * Pasted text: entries separated by new lines, commas, semicolons or spaces; an address
 * written `Name <alice@example.com>` (as mail clients copy it) counts as the address; quotes
 * around an entry and `#` comment lines are dropped; duplicates dropped, in order.
 */
export function parsePastedTargets(text: string): string[] {
  const values: string[] = [];
  for (const line of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    if (line.trim().startsWith('#')) continue;
    for (const part of line.split(/[,;]/)) {
      const address = /<([^<>\s]+@[^<>\s]+)>/.exec(part);
      const words = address ? [address[1]] : part.split(/\s+/);
      for (const word of words) {
        const value = word.replace(/^["'<]+|["'>]+$/g, '').trim();
        if (value) values.push(value);
      }
    }
  }
  return [...new Set(values)];
}

export function isUserId(entry: string): boolean {
  return UUID.test(entry);
}

/** What to look up for these entries: ids, names (username, any case) and email addresses. */
export function lookupKeys(entries: string[]): { ids: string[]; names: string[]; emails: string[] } {
  return {
    ids: entries.filter(isUserId).map((entry) => entry.toLowerCase()),
    names: entries.filter((entry) => !isUserId(entry)),
    emails: entries.filter((entry) => entry.includes('@')),
  };
}

export interface NamedUser {
  id: string;
  username: string;
  email: string;
}

export type EntryMatch<U> = { entry: string; user: U } | { entry: string; user: null; ambiguous: number };

/**
 * The user each entry names among `users`, trying in turn: the id, the username as written,
 * the username in any case, the email in any case (usernames may look like addresses, so a
 * username wins). One match names the user; several at the first tier that matches leave the
 * entry ambiguous (e.g. one email on two accounts); none leaves it unmatched (`ambiguous: 0`).
 */
export function matchEntries<U extends NamedUser>(entries: string[], users: U[]): EntryMatch<U>[] {
  const byId = new Map<string, U>();
  const byUsername = new Map<string, U>();
  const byFoldedUsername = new Map<string, U[]>();
  const byEmail = new Map<string, U[]>();
  const add = (map: Map<string, U[]>, key: string, user: U) => map.set(key, [...(map.get(key) ?? []), user]);
  for (const user of users) {
    byId.set(user.id.toLowerCase(), user);
    byUsername.set(user.username, user);
    add(byFoldedUsername, user.username.toLowerCase(), user);
    if (user.email) add(byEmail, user.email.toLowerCase(), user);
  }
  return entries.map((entry) => {
    const folded = entry.toLowerCase();
    const exact = isUserId(entry) ? byId.get(folded) : byUsername.get(entry);
    if (exact) return { entry, user: exact };
    const tiers = [byFoldedUsername.get(folded), entry.includes('@') ? byEmail.get(folded) : undefined];
    const found = tiers.find((tier) => tier && tier.length > 0) ?? [];
    return found.length === 1 ? { entry, user: found[0] } : { entry, user: null, ambiguous: found.length };
  });
}

/**
 * Why a lockdown preview leaves an entry out. `not_permitted` is all a caller is told about an
 * entry outside the users they manage — unknown, or someone else's — so a preview teaches
 * nothing about users one may not lock; `not_found` is told only to holders of change_user
 * globally, who may list everyone anyway.
 */
export const TARGET_REFUSALS = ['protected', 'already_locked', 'not_permitted', 'not_found', 'ambiguous'] as const;
export type TargetRefusal = (typeof TARGET_REFUSALS)[number];

export const TARGET_REFUSAL_MESSAGES: Record<TargetRefusal, string> = {
  protected: 'A protected account (the anonymous user or an internal service account): never locked.',
  already_locked: 'Already locked: inactive, no usable password, no session and no token.',
  not_permitted: 'Cannot be locked by you: no such user, or not a user you hold change_user on.',
  not_found: 'No user has this id, username or email.',
  ambiguous: 'Names several users (e.g. one email on several accounts): give the username instead.',
};
