import { buildConsole } from './lib/web-console';
import { log } from './lib/log';

/** `npm run build:web`: builds the web console into dist/web, always. */
buildConsole({ force: true }).catch((err) => {
  log(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
