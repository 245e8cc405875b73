/** Progress lines for the operator running a script. */
export function log(message: string): void {
  process.stderr.write(`[lockdown] ${message}\n`);
}

/** The workflow bundler's logger for scripts: warnings and errors only. */
export const quietBundlerLogger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => log(message),
  error: (message: string) => log(message),
  log: () => undefined,
};
