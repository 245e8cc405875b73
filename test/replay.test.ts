import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { createDataConverter } from '../lib/data-converter';
import { generatePayloadKey } from '../lib/payload-keys';

/**
 * Determinism guard: every recorded history (test/histories, made by
 * test/record-histories.test.ts) must replay against today's workflow code. A change to a
 * workflow's shape that would break runs in flight fails here; version it with `patched()`.
 */
const HISTORIES = path.join(__dirname, 'histories');

const fixtures = readdirSync(HISTORIES).filter((file) => file.endsWith('.json'));

it('has recorded histories to replay', () => {
  expect(fixtures).toEqual(
    expect.arrayContaining(
      ['v1', 'v2', 'v3', 'v4', 'v5'].flatMap((version) =>
        ['single-prompt', 'bulk-continue-as-new', 'self-service', 'cancelled-at-prompt', 'cancelled-bulk', 'notifications'].map(
          (scenario) => `${version}-${scenario}.json`,
        ),
      ),
    ),
  );
  // v4 adds the failure branches: a failed user (account_lockdown_failed), a failed run (record marked failed), a result that could not be recorded.
  expect(fixtures).toEqual(expect.arrayContaining(['v4-single-prompt.json', 'v4-failed-user.json', 'v4-failed-run.json', 'v4-unrecorded-result.json']));
  // v6 adds deactivation through the users API (and deletion), and the approval wait: approved, rejected, expired.
  expect(fixtures).toEqual(
    expect.arrayContaining(['v6-single-prompt.json', 'v6-deactivation.json', 'v6-deletion.json', 'v6-approval-approved.json', 'v6-approval-rejected.json', 'v6-approval-expired.json']),
  );
  // v7 (issue 12): containment first — the lockdown stage deactivates every target before the per-user runs.
  expect(fixtures).toEqual(
    expect.arrayContaining(
      ['single-prompt', 'bulk-continue-as-new', 'self-service', 'cancelled-at-prompt', 'cancelled-bulk', 'failed-user', 'failed-run', 'notifications'].map(
        (scenario) => `v7-${scenario}.json`,
      ),
    ),
  );
  // v8: the merged workflows (search attributes, approval, containment first, deactivation revokes, failure branches) recorded together.
  expect(fixtures).toEqual(
    expect.arrayContaining(
      ['single-prompt', 'bulk-continue-as-new', 'self-service', 'cancelled-at-prompt', 'cancelled-bulk', 'failed-user', 'failed-run', 'unrecorded-result', 'notifications', 'deactivation', 'deletion', 'approval-approved', 'approval-rejected', 'approval-expired'].map(
        (scenario) => `v8-${scenario}.json`,
      ),
    ),
  );
  // v9: the lockdown answers its start update (update-with-start), records its state locally, and plans Shared Signals SETs.
  expect(fixtures).toEqual(
    expect.arrayContaining(
      ['single-prompt', 'bulk-continue-as-new', 'self-service', 'cancelled-at-prompt', 'cancelled-bulk', 'failed-user', 'failed-run', 'unrecorded-result', 'notifications', 'deactivation', 'deletion', 'approval-approved', 'approval-rejected', 'approval-expired', 'security-events'].map(
        (scenario) => `v9-${scenario}.json`,
      ),
    ),
  );
});

it.each(fixtures)('when %s is replayed against the current workflow code, then it is deterministic', async (file) => {
  const entries = JSON.parse(readFileSync(path.join(HISTORIES, file), 'utf8')) as { workflowId: string; history: unknown }[];
  const histories = entries.map((entry) => ({ workflowId: entry.workflowId, history: historyFromJSON(entry.history) }));
  const bundlePath = process.env.WORKFLOW_BUNDLE_PATH;
  const source = bundlePath ? { workflowBundle: { codePath: bundlePath } } : { workflowsPath: require.resolve('../workflows') };
  let replayed = 0;
  // With the codec the worker runs with: payloads that are not encrypted (every recorded history) pass through.
  const dataConverter = createDataConverter({ LOCKDOWN_PAYLOAD_KEYS: generatePayloadKey('replay') });
  for await (const result of Worker.runReplayHistories({ ...source, dataConverter, replayName: file }, histories)) {
    expect(result.error).toBeUndefined();
    replayed++;
  }
  expect(replayed).toBe(entries.length);
});
