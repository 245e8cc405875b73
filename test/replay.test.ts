import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { createDataConverter } from '../lib/data-converter';
import { generatePayloadKey } from '../lib/payload-keys';
import { HISTORIES_DIR, RECORDING_RELEASE, SCENARIOS, historyFile, recordedReleases } from './histories/releases';

/**
 * Determinism guard: the histories recorded for every release still supported
 * (test/histories/<release>/, made by test/record-histories.test.ts) must replay against
 * today's workflow code. A change that would break runs in flight fails here: put it behind a
 * patch of workflows/patches.ts (README § Workflow changes and patches).
 */
const fixtures = recordedReleases().flatMap((release) =>
  readdirSync(path.join(HISTORIES_DIR, release))
    .filter((file) => file.endsWith('.json'))
    .map((file) => ({ release, scenario: file.replace(/\.json$/, '') })),
);

it(`has the histories of ${RECORDING_RELEASE}, every scenario the recorder records`, () => {
  expect(recordedReleases()).toContain(RECORDING_RELEASE);
  const recorded = fixtures.filter((fixture) => fixture.release === RECORDING_RELEASE).map((fixture) => fixture.scenario);
  expect(recorded.sort()).toEqual([...SCENARIOS].sort());
});

it.each(fixtures.map((fixture) => [`${fixture.release}/${fixture.scenario}`, fixture] as const))(
  'when %s is replayed against the current workflow code, then it is deterministic',
  async (name, { release, scenario }) => {
    const entries = JSON.parse(readFileSync(historyFile(release, scenario), 'utf8')) as { workflowId: string; history: unknown }[];
    const histories = entries.map((entry) => ({ workflowId: entry.workflowId, history: historyFromJSON(entry.history) }));
    const bundlePath = process.env.WORKFLOW_BUNDLE_PATH;
    const source = bundlePath ? { workflowBundle: { codePath: bundlePath } } : { workflowsPath: require.resolve('../workflows') };
    let replayed = 0;
    // With the codec the worker runs with: payloads that are not encrypted (every recorded history) pass through.
    const dataConverter = createDataConverter({ LOCKDOWN_PAYLOAD_KEYS: generatePayloadKey('replay') });
    for await (const result of Worker.runReplayHistories({ ...source, dataConverter, replayName: name }, histories)) {
      expect(result.error).toBeUndefined();
      replayed++;
    }
    expect(replayed).toBe(entries.length);
  },
);
