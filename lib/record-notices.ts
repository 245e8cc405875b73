/**
 * In-process notices that a lockdown's record changed, from the activities this process runs to
 * the requests waiting on that record, so a waiter reads it again at once instead of at its next
 * poll. Only a hint: waiters keep polling, so a change made by another process is seen too.
 */
export interface RecordNotices {
  /** The record of `id` changed (committed). */
  notify(id: string): void;
  /** Resolves at the next notice for `id`, or after `ms`; `cancel` stops waiting. Call it before reading, so no notice falls in between. */
  next(id: string, ms: number): { changed: Promise<void>; cancel(): void };
}

export function createRecordNotices(): RecordNotices {
  const waiting = new Map<string, Set<() => void>>();
  return {
    notify(id) {
      for (const wake of waiting.get(id) ?? []) wake();
    },
    next(id, ms) {
      let wake!: () => void;
      const changed = new Promise<void>((resolve) => {
        const waiters = waiting.get(id) ?? new Set();
        waiting.set(id, waiters);
        const timer = setTimeout(() => wake(), ms);
        wake = () => {
          clearTimeout(timer);
          waiters.delete(wake);
          if (waiters.size === 0 && waiting.get(id) === waiters) waiting.delete(id);
          resolve();
        };
        waiters.add(wake);
      });
      return { changed, cancel: () => wake() };
    },
  };
}
