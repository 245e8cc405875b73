import type { Response, Test } from 'supertest';
import { isFinished } from '../../domain/lockdown-status';
import type { Db } from '../../lib/db';
import type { Stack } from './stack';
import { waitFor } from './wait';

/**
 * Starting lockdowns and waiting for them, for every test file. (Type-only import of the
 * stack: stack.ts re-exports the waits, so this module must not load it.)
 */

/**
 * POST /api/v1/lockdowns as the holder of `key` (null: anonymous) through the brand of `host`
 * (none: the default brand). A request not yet sent: a caller may add headers or an agent.
 */
export function startLockdown(stack: Stack, key: string | null, body: object, host?: string): Test {
  const request = stack.http.post('/api/v1/lockdowns');
  if (host) request.set('Host', host);
  if (key) request.auth(key, { type: 'bearer' });
  return request.send(body);
}

/** The lockdown that `started` started (it must answer 201), once it has finished, as GET answers it. */
export async function finishedLockdown(stack: Stack, key: string, started: PromiseLike<Response>, timeoutMs?: number) {
  const response = await started;
  if (response.status !== 201) throw new Error(`POST /api/v1/lockdowns answered ${response.status}: ${JSON.stringify(response.body)}`);
  return waitForLockdown(stack, key, response.body.id, timeoutMs);
}

/** Starts a lockdown (startLockdown) and waits for it to finish (finishedLockdown). */
export function lockAndWait(stack: Stack, key: string, body: object, host?: string, timeoutMs?: number) {
  return finishedLockdown(stack, key, startLockdown(stack, key, body, host), timeoutMs);
}

/** Polls GET /lockdowns/:id until the lockdown has finished. */
export async function waitForLockdown(stack: Stack, key: string, id: string, timeoutMs = 60_000) {
  let status = 'not read yet';
  return waitFor(
    `lockdown ${id} to finish`,
    async () => {
      const response = await stack.http.get(`/api/v1/lockdowns/${id}`).auth(key, { type: 'bearer' });
      if (response.status !== 200) throw new Error(`GET lockdown ${id}: ${response.status} ${JSON.stringify(response.body)}`);
      status = response.body.status;
      return isFinished(response.body.status) ? response.body : undefined;
    },
    { timeoutMs, intervalMs: 100, lastSeen: () => `still ${status}` },
  );
}

/** Waits on the database record (for lockdowns whose actor lost their session). */
export async function waitForLockdownRecord(db: Db, id: string, timeoutMs = 60_000) {
  let status = 'not read yet';
  return waitFor(
    `lockdown ${id} to finish (its record)`,
    async () => {
      const lockdown = await db.lockdown.findUniqueOrThrow({ where: { id } });
      status = lockdown.status;
      return isFinished(lockdown.status) ? lockdown : undefined;
    },
    { timeoutMs, intervalMs: 100, lastSeen: () => `still ${status}` },
  );
}
