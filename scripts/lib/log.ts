/** Progress lines for the operator running a script. */
export function log(message: string): void {
  process.stderr.write(`[lockdown] ${message}\n`);
}
