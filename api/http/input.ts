import { badRequest } from './errors';

/**
 * Untrusted input, checked once at the edge before any schema or handler sees it: every
 * body, query string and path parameter of every route.
 *
 * - Strings (values and object keys) hold only characters PostgreSQL stores: no NUL
 *   (`text` and `jsonb` refuse U+0000) and no lone UTF-16 surrogates (`jsonb` refuses
 *   them, `text` would silently store U+FFFD).
 * - JSON is at most MAX_JSON_DEPTH levels deep, so no nested structure can exhaust a
 *   stack further down (serialisers, Temporal payloads, Prisma).
 *
 * The walk is iterative, so a hostile depth cannot overflow it either.
 */
export const MAX_JSON_DEPTH = 32;

export type InputLocation = 'body' | 'query' | 'params';

interface Problem {
  field: string;
  code: 'invalid_characters' | 'too_deep';
  message: string;
}

// With the `u` flag a surrogate pair is one code point, so only unpaired halves match.
// eslint-disable-next-line no-control-regex -- NUL is exactly what PostgreSQL cannot store
const UNSTORABLE = /[\u0000\p{Surrogate}]/u;
const CHARACTERS_MESSAGE = 'must not contain NUL (\\u0000) or unpaired surrogate characters';

export const hasOnlyStorableCharacters = (value: string) => !UNSTORABLE.test(value);

export function findInputProblem(value: unknown, location: InputLocation): Problem | null {
  const pending: { value: unknown; path: string[]; depth: number }[] = [{ value, path: [location], depth: 0 }];
  while (pending.length > 0) {
    const { value: current, path, depth } = pending.pop()!;
    if (typeof current === 'string') {
      if (!hasOnlyStorableCharacters(current)) return { field: path.join('.'), code: 'invalid_characters', message: CHARACTERS_MESSAGE };
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) {
      return { field: path.join('.'), code: 'too_deep', message: `is nested more than ${MAX_JSON_DEPTH} levels deep` };
    }
    for (const [key, child] of Object.entries(current)) {
      if (!hasOnlyStorableCharacters(key)) return { field: [...path, printable(key)].join('.'), code: 'invalid_characters', message: `key ${CHARACTERS_MESSAGE}` };
      pending.push({ value: child, path: [...path, key], depth: depth + 1 });
    }
  }
  return null;
}

/** Throws the 400 that names the field at fault. */
export function assertSafeInput(value: unknown, location: InputLocation): void {
  const problem = findInputProblem(value, location);
  if (problem) throw badRequest(`Invalid ${location}: ${problem.field} ${problem.message}.`, [problem]);
}

// eslint-disable-next-line no-control-regex -- NUL is shown escaped, not printed
const printable = (key: string) => key.replace(/\u0000/g, '\\u0000').replace(/\p{Surrogate}/gu, '\\ufffd');
