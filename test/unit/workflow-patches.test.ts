import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { LOCKDOWN_ACTIONS } from '../../domain/lockdown-actions';
import { loadConfig } from '../../lib/config';
import { WORKFLOW_PATCHES } from '../../workflows/patches';
import { promptExpiredMessage } from '../../workflows/flow/prompt';
import { RECORDING_RELEASE } from '../histories/releases';

/** The patch policy (README § Workflow changes and patches), held by the code itself. */
const WORKFLOWS = path.resolve(__dirname, '../../workflows');

function workflowSources(dir = WORKFLOWS): { file: string; text: string }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return workflowSources(file);
    return entry.name.endsWith('.ts') ? [{ file: path.relative(WORKFLOWS, file), text: readFileSync(file, 'utf8') }] : [];
  });
}

const release = (name: string) => name.slice(1).split('.').map(Number);
const newer = (a: string, b: string) => release(a).reduce<number>((order, part, index) => order || part - release(b)[index], 0) > 0;

describe('workflow patches', () => {
  it('when workflow code patches, then it goes through the registry (workflows/patches.ts), never patched() or deprecatePatch() directly', () => {
    const direct = workflowSources()
      .filter(({ file }) => file !== 'patches.ts')
      .filter(({ text }) => /\b(patched|deprecatePatch)\s*\(/.test(text))
      .map(({ file }) => file);
    expect(direct).toEqual([]);
  });

  it('when a patch is registered, then it says why, ships after the v1.0.0 baseline, and workflow code uses it', () => {
    const code = workflowSources()
      .filter(({ file }) => file !== 'patches.ts')
      .map(({ text }) => text)
      .join('\n');
    const actionPatches = LOCKDOWN_ACTIONS.map((action) => action.since as string | null).filter((since): since is string => since !== null);
    for (const [id, patch] of Object.entries(WORKFLOW_PATCHES) as [string, { why: string; since: string; retire: string; stage: string }][]) {
      expect({ id, why: patch.why.length > 0, retire: patch.retire.length > 0, since: /^v\d+\.\d+\.\d+$/.test(patch.since) && newer(patch.since, 'v1.0.0') }).toEqual({ id, why: true, retire: true, since: true });
      const call = patch.stage === 'patched' ? `patchApplies('${id}')` : `patchDeprecated('${id}')`;
      expect({ id, used: code.includes(call) || (patch.stage === 'patched' && actionPatches.includes(id)) }).toEqual({ id, used: true });
    }
  });

  it('when a lockdown action runs behind a patch (its `since`), then the patch is registered', () => {
    for (const action of LOCKDOWN_ACTIONS) {
      const since = action.since as string | null;
      if (since !== null) expect(Object.keys(WORKFLOW_PATCHES)).toContain(since);
    }
  });

  it('the histories being recorded are those of a release at or after the baseline', () => {
    expect(RECORDING_RELEASE).toMatch(/^v\d+\.\d+\.\d+$/);
    expect(RECORDING_RELEASE === 'v1.0.0' || newer(RECORDING_RELEASE, 'v1.0.0')).toBe(true);
  });
});

describe('the prompt timeout', () => {
  it('defaults to one hour, and its expiry says so plainly', () => {
    expect(loadConfig({ DATABASE_URL: 'postgresql://x@localhost/x' }).LOCKDOWN_PROMPT_TIMEOUT_SECONDS).toBe(3_600);
    expect(promptExpiredMessage(3_600_000)).toBe('Nobody answered the prompt within 1 hour: the lockdown expired and nobody was locked.');
    expect(promptExpiredMessage(90 * 60_000)).toBe('Nobody answered the prompt within 90 minutes: the lockdown expired and nobody was locked.');
    expect(promptExpiredMessage(1_000)).toBe('Nobody answered the prompt within 1 second: the lockdown expired and nobody was locked.');
  });
});
