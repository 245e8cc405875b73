import { requirePrerequisitesOfTest } from './prerequisites';

// Imported first by scripts/test.ts: imports run in order, so this stops with the install line
// before the rest of the script loads (about a second of modules).
requirePrerequisitesOfTest(process.argv.slice(2));
