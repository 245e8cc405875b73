import { existsSync } from 'node:fs';
import { pipInstallOnce, type PythonTool } from './python-venv';

/**
 * Schemathesis, the OpenAPI fuzzer the test suite runs: SCHEMATHESIS_PATH, else a Python
 * virtual environment in this machine's cache (outside the repo), made once with pip from
 * PyPI at a pinned version.
 */
export const SCHEMATHESIS_VERSION = '4.32.5';

/**
 * CPython 3.11.5–3.11.7 and 3.12.0–3.12.1 raise "AST constructor recursion depth mismatch"
 * inside Hypothesis (CPython gh-106905), which aborts fuzzing of an operation at random.
 */
function isAffected([major, minor, patch]: number[]): boolean {
  return major === 3 && ((minor === 11 && patch >= 5 && patch <= 7) || (minor === 12 && patch <= 1));
}

export const SCHEMATHESIS: PythonTool = { name: 'schemathesis', version: SCHEMATHESIS_VERSION, command: 'schemathesis', minimumPython: [3, 9], avoid: isAffected, expected: 'about a minute' };

export async function resolveSchemathesis(): Promise<string> {
  const configured = process.env.SCHEMATHESIS_PATH;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`SCHEMATHESIS_PATH points to ${configured}, which does not exist.`);
    return configured;
  }
  return pipInstallOnce(SCHEMATHESIS);
}
