import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import { acceptedValues, invalidFields } from '../../domain/prompt';
import type { PromptStageSnapshot } from '../../domain/stages';
import { submitPromptUpdate } from '../messages';
import type { LockdownRun } from './run';

export type PromptOutcome = 'answered' | 'cancelled' | 'expired';

/** The plain explanation of a prompt nobody answered, recorded as the lockdown's error. */
export function promptExpiredMessage(timeoutMs: number): string {
  return `Nobody answered the prompt within ${readableDuration(timeoutMs)}: the lockdown expired and nobody was locked.`;
}

/**
 * The prompts before the lockdown stage: their values come with the start request or through
 * the `submitPrompt` update, whose validator keeps incomplete and unrecordable answers out of
 * the history. Waiting is bounded by a durable timer (LOCKDOWN_PROMPT_TIMEOUT_SECONDS), so a
 * prompt left open in an abandoned browser tab ends `expired` instead of waiting forever.
 */
export class PromptAnswers {
  private submission: Record<string, string> | null = null;

  constructor(private readonly run: LockdownRun) {
    setHandler(
      submitPromptUpdate,
      (submitted) => {
        this.submission = acceptedValues(this.waitingPrompt()!, submitted);
        return run.state();
      },
      {
        // Runs before the update is accepted: an answer that is incomplete or could not be
        // recorded never reaches the workflow's history.
        validator: (submitted) => {
          const prompt = this.waitingPrompt();
          if (!prompt) throw ApplicationFailure.nonRetryable('This lockdown is not waiting for input.', 'NotAwaitingInput');
          const errors = invalidFields(prompt, submitted);
          if (errors.length > 0) throw ApplicationFailure.nonRetryable('Some fields are invalid.', 'ValidationError', errors);
        },
      },
    );
  }

  /** Takes the prompt's values from the start request, or waits for them until cancelled or expired. */
  async answer(stage: PromptStageSnapshot): Promise<PromptOutcome> {
    const { initialValues, settings } = this.run.input;
    const suppliedAtStart = Object.keys(initialValues).length > 0;
    if (suppliedAtStart && invalidFields(stage, initialValues).length === 0) {
      this.run.values = { ...this.run.values, ...acceptedValues(stage, initialValues) };
      return 'answered';
    }
    this.run.status = 'awaiting_input';
    await this.run.record();
    const ended = await condition(() => this.submission !== null || this.run.cancelRequested, settings.promptTimeoutMs);
    if (!ended) return 'expired';
    if (this.submission === null) return 'cancelled';
    this.run.values = { ...this.run.values, ...this.submission };
    this.submission = null;
    return 'answered';
  }

  private waitingPrompt(): PromptStageSnapshot | null {
    const stage = this.run.input.flow.stages[this.run.stageIndex];
    return this.run.status === 'awaiting_input' && stage?.kind === 'prompt' ? stage : null;
  }
}

/** "1 hour", "90 minutes", "45 seconds": the largest unit that divides the duration. */
function readableDuration(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1_000, 'second'],
  ];
  for (const [size, name] of units) {
    if (ms >= size && ms % size === 0) return `${ms / size} ${name}${ms === size ? '' : 's'}`;
  }
  return `${ms} ms`;
}
