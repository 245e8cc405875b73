import { conflictError } from '../domain/errors';

/**
 * A unique constraint refused a write — the one place that recognises it (Prisma's P2002,
 * or PostgreSQL's 23505 when it reaches us raw through the driver adapter).
 */
export function isUniqueViolation(err: unknown): boolean {
  for (let current: unknown = err; current && typeof current === 'object'; current = (current as { cause?: unknown }).cause) {
    const { code } = current as { code?: unknown };
    if (code === 'P2002' || code === '23505') return true;
  }
  return false;
}

/**
 * The request lost a race with another one: the row it was changing was deleted meanwhile
 * (Prisma's P2025, or P2003 for a row it pointed at) — the 404 the loser would have had a
 * moment later, not a server error.
 */
export function isRaceLost(err: unknown): boolean {
  const { code } = (err ?? {}) as { code?: unknown };
  return code === 'P2025' || code === 'P2003';
}

/** Runs a write; a unique violation becomes a 409-kind domain error with `message`. */
export async function conflictOnDuplicate<T>(write: Promise<T>, message: string, code = 'conflict'): Promise<T> {
  try {
    return await write;
  } catch (err) {
    if (isUniqueViolation(err)) throw conflictError(message, code);
    throw err;
  }
}
