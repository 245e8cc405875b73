import { Command } from 'commander';

/**
 * `--help` for the service processes: what they do and which settings they read (all from
 * the environment, validated by lib/config.ts).
 */
export function parseServiceArgs(name: string, description: string): void {
  new Command(name)
    .description(description)
    .addHelpText(
      'after',
      `
Settings come from the environment (see the README's configuration table), e.g.:
  DATABASE_URL         postgresql://user:password@host:5432/lockdown   (required)
  TEMPORAL_ADDRESS     127.0.0.1:7233        TEMPORAL_NAMESPACE   default
  TEMPORAL_TASK_QUEUE  account-lockdown     LOG_LEVEL            info
A bad or missing value stops the process with a message naming the variable.`,
    )
    .parse();
}
