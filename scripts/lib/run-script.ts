import { log } from './log';

/** Runs a script's `main`; a failure is one line (the message) and exit code 1, not a stack. */
export function runScript(main: () => Promise<void>): void {
  main().catch((err) => {
    log(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}

/** Keeps a server a script started running until Ctrl-C or SIGTERM, then stops it and exits. */
export function serveUntilSignal(server: { stop(): Promise<void> }): void {
  const stop = () => void server.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
