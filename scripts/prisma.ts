/**
 * Runs the Prisma CLI offline: `tsx scripts/prisma.ts <prisma args...>`.
 *
 * The CLI normally downloads a native schema-engine binary before any migrate/db command, which this
 * environment cannot do. We point it at scripts/schema-engine/schema-engine.cjs, a drop-in that runs
 * Prisma's WebAssembly build of the same engine, and silence the CLI's network checks.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const PRISMA_CLI = require.resolve('prisma/build/index.js', { paths: [ROOT] });
export const SCHEMA_ENGINE_SHIM = path.join(ROOT, 'scripts', 'schema-engine', 'schema-engine.cjs');

/** The environment the Prisma CLI needs here; an explicit PRISMA_SCHEMA_ENGINE_BINARY wins. */
export function prismaEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...env,
    PRISMA_SCHEMA_ENGINE_BINARY: env.PRISMA_SCHEMA_ENGINE_BINARY || SCHEMA_ENGINE_SHIM,
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    CHECKPOINT_DISABLE: '1',
  };
}

function spawnPrisma(args: string[], env: NodeJS.ProcessEnv, quiet = false): Promise<number> {
  return new Promise((resolve, reject) => {
    // Quiet: keep stdout (the CLI's chatter) out of the way, but always show errors.
    const stdout = quiet ? 'ignore' : 'inherit';
    const child = spawn(process.execPath, [PRISMA_CLI, ...args], { stdio: ['inherit', stdout, 'inherit'], env: prismaEnv(env) });
    child.on('error', reject);
    // A CLI killed by a signal has no exit code; report it as a failure.
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

/** Runs `prisma <args>` with inherited stdio; rejects if it exits non-zero. */
export async function runPrisma(args: string[], env: NodeJS.ProcessEnv = process.env, options: { quiet?: boolean } = {}): Promise<void> {
  const code = await spawnPrisma(args, env, options.quiet);
  if (code !== 0) throw new Error(`prisma ${args.join(' ')} failed with exit code ${code}`);
}

if (require.main === module) {
  spawnPrisma(process.argv.slice(2), process.env).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
