export interface WaitOptions {
  /** Default 60 s. */
  timeoutMs?: number;
  /** Default 50 ms. */
  intervalMs?: number;
  /** What was last seen, said with the timeout (e.g. `still running`, the last assertion failure). */
  lastSeen?: () => string;
}

/**
 * THE bounded wait of the tests: polls `probe` until it returns a value (anything but
 * `undefined`) and returns it; past the deadline it throws, naming what was awaited and what
 * was last seen, so a timeout says what did not happen. An error thrown by `probe` ends the
 * wait at once (a wrong answer is not a slow one).
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, { timeoutMs = 60_000, intervalMs = 50, lastSeen }: WaitOptions = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastSeen ? ` (${lastSeen()})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Waits until `check` holds (see waitFor). */
export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 60_000, intervalMs = 50): Promise<void> {
  await waitFor(what, async () => ((await check()) ? true : undefined), { timeoutMs, intervalMs });
}
