import { requirePrerequisitesOfDev } from './prerequisites';

// Imported first by scripts/dev.ts: imports run in order, so this stops with the install line
// before the rest of the script loads (about a second of modules).
requirePrerequisitesOfDev();
