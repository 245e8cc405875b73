import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { loadConfig } from '../../lib/config';
import { createDataConverter } from '../../lib/data-converter';
import { ceilingActivities } from './activities';

/** The no-op ceiling's worker: its own process, like the lockdown worker, so its memory can be read too. */
async function main() {
  const config = loadConfig();
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  // The lockdown worker's settings, so only the activities differ.
  const worker = await Worker.create({
    connection,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    // Payloads encrypted like the lockdown worker's: the bench's client encrypts them, and the cost belongs in the ceiling too.
    dataConverter: createDataConverter(config),
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    // Prebuilt by the bench (CEILING_BUNDLE_PATH), as the lockdown worker's bundle is: no webpack in this process.
    ...(process.env.CEILING_BUNDLE_PATH ? { workflowBundle: { codePath: process.env.CEILING_BUNDLE_PATH } } : { workflowsPath: require.resolve('./workflows') }),
    activities: ceilingActivities,
  });
  await worker.run();
  await connection.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
