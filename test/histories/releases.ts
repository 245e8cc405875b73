import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

/**
 * Recorded workflow histories, one folder per release (`test/histories/v1.0.0/<scenario>.json`).
 * test/record-histories.test.ts writes the folder of RECORDING_RELEASE; test/replay.test.ts
 * replays every folder here against today's code. README § Workflow changes and patches says
 * when a folder is added and when one is deleted.
 */
export const HISTORIES_DIR = __dirname;

/** The release whose histories the recorder writes: the next one to be tagged. */
export const RECORDING_RELEASE: string = 'v1.1.0';

/** Every scenario the recorder records; the folder of RECORDING_RELEASE holds exactly these. */
export const SCENARIOS = [
  'single-prompt',
  'prompt-expired',
  'cancelled-at-prompt',
  'bulk-continue-as-new',
  'cancelled-bulk',
  'self-service',
  'no-target',
  'failed-user',
  'failed-run',
  'unrecorded-result',
  'terminated-user',
  'deactivation',
  'deletion',
  'approval-approved',
  'approval-rejected',
  'approval-expired',
  'approval-cancelled',
  'notifications',
  'security-events',
  // v1.1.0: the per-user run reaches downstream connectors (patch downstream-connectors), a failed connector retried alone.
  'downstream-connectors',
  // v1.1.0: the lockdown's summary event, delivered once to a rule that alerts per lockdown (patch lockdown-summary-alerts).
  'summary-notification',
] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** The release folders present, oldest first. */
export function recordedReleases(): string[] {
  if (!existsSync(HISTORIES_DIR)) return [];
  return readdirSync(HISTORIES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && /^v\d+\.\d+\.\d+$/.test(entry.name))
    .map((entry) => entry.name)
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

export function historyFile(release: string, scenario: string): string {
  return path.join(HISTORIES_DIR, release, `${scenario}.json`);
}
