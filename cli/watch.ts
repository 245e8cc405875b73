import { setTimeout as sleep } from 'node:timers/promises';
import { SingleBar, Presets } from 'cli-progress';
import { isFinished } from '../domain/lockdown-status';
import type { LockdownStatus, Progress } from '../domain/lockdown-status';
import type { ApiClient } from './api-client';

export interface LockdownView {
  id: string;
  status: LockdownStatus;
  selfService: boolean;
  actor: { id: string | null; username: string };
  reason: string | null;
  createdAt: string;
  completedAt: string | null;
  progress: Progress;
  error: string | null;
  workflowId: string;
  stage: { name: string } | null;
}

/**
 * Follows a lockdown until it finishes, drawing a progress bar on stderr (stdout stays
 * clean for --json and CSV). Without a terminal, a line every few seconds instead.
 */
export async function watchLockdown(api: ApiClient, id: string, options: { intervalMs: number; quiet: boolean }): Promise<LockdownView> {
  let view = await api.get<LockdownView>(`/api/v1/lockdowns/${id}`);
  const bar = options.quiet
    ? null
    : new SingleBar(
        {
          format: ' {bar} {percentage}% | {value}/{total} users | locked {locked}, failed {failed}, cancelled {cancelled} | {status} | {duration_formatted}',
          stream: process.stderr,
          noTTYOutput: true,
          notTTYSchedule: 5_000,
          hideCursor: true,
        },
        Presets.shades_classic,
      );
  const payload = (current: LockdownView) => ({ ...current.progress, status: current.status });
  const done = (current: LockdownView) => current.progress.total - current.progress.pending;
  bar?.start(Math.max(view.progress.total, 1), done(view), payload(view));
  let awaitingNoticeShown = false;
  while (!isFinished(view.status)) {
    if (view.status === 'awaiting_input' && !awaitingNoticeShown && !options.quiet) {
      awaitingNoticeShown = true;
      bar?.stop();
      process.stderr.write(`Lockdown ${id} is waiting at the prompt "${view.stage?.name ?? ''}": answer it in the web app or through the API, or cancel it.\n`);
      bar?.start(Math.max(view.progress.total, 1), done(view), payload(view));
    }
    await sleep(options.intervalMs);
    view = await api.get<LockdownView>(`/api/v1/lockdowns/${id}`);
    bar?.update(done(view), payload(view));
  }
  bar?.update(done(view), payload(view));
  bar?.stop();
  return view;
}

/** 0 only for a run that completed with every user locked. */
export function runIsClean(view: LockdownView): boolean {
  return view.status === 'completed' && view.progress.failed === 0 && view.progress.cancelled === 0 && view.progress.pending === 0;
}
