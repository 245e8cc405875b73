import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { INSTALL_LINE } from '../../scripts/lib/prerequisites';

/**
 * A newcomer missing a system package learns it from `npm test` / `npm run dev` before
 * anything starts (no database, no Temporal, no build): the missing piece and the README's
 * install line, exit code 1.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

function run(script: string, args: string[], env: Record<string, string>) {
  const { TEMPORAL_ADDRESS: _address, ...inherited } = process.env;
  return spawnSync(TSX, [path.join('scripts', script), ...args], { cwd: ROOT, env: { ...inherited, ...env }, encoding: 'utf8', timeout: 60_000 });
}

it('when Chromium is missing, then npm test of a browser test stops before starting anything, naming it and the install line', () => {
  const result = run('test.ts', ['test/browser/console.test.ts'], { CHROMIUM_PATH: '/nonexistent/chromium' });
  expect(result.status).toBe(1);
  const output = result.stdout + result.stderr;
  expect(output).toContain('npm test cannot start; this machine lacks:');
  expect(output).toContain('Chromium at /nonexistent/chromium');
  expect(output).toContain(INSTALL_LINE);
  expect(output).not.toContain('PostgreSQL test database');
});

it('when the Temporal CLI is missing, then npm run dev stops before starting anything, naming it and the install line', () => {
  const result = run('dev.ts', [], { TEMPORAL_CLI_PATH: '/nonexistent/temporal' });
  expect(result.status).toBe(1);
  const output = result.stdout + result.stderr;
  expect(output).toContain('the Temporal CLI: TEMPORAL_CLI_PATH points to /nonexistent/temporal');
  expect(output).toContain(INSTALL_LINE);
});
