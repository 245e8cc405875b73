import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { log } from './log';
import { installOnce, toolCacheDir } from './tool-cache';

/** A Python command-line tool installed with pip from PyPI, at a pinned version, into a virtual environment of this machine's cache. */
export interface PythonTool {
  /** The PyPI distribution, also the name of its cache directory. */
  name: string;
  version: string;
  /** The command the distribution installs in the environment's bin/. */
  command: string;
  minimumPython: [major: number, minor: number];
  /** Python releases with a bug the tool trips on: used only when no other one is found. */
  avoid?: (version: number[]) => boolean;
  expected: string;
}

/** PYTHON, else the newest suitable Python with venv: pyenv's versions, then python3 on PATH. */
export function choosePython(tool: PythonTool): string {
  if (process.env.PYTHON) return process.env.PYTHON;
  const [wantMajor, wantMinor] = tool.minimumPython;
  const pyenvRoot = process.env.PYENV_ROOT || path.join(homedir(), '.pyenv');
  const pyenvVersions = existsSync(path.join(pyenvRoot, 'versions'))
    ? readdirSync(path.join(pyenvRoot, 'versions'))
        .filter((name) => /^3\.\d+\.\d+$/.test(name))
        .sort((a, b) => b.localeCompare(a, 'en', { numeric: true }))
        .map((name) => path.join(pyenvRoot, 'versions', name, 'bin', 'python3'))
    : [];
  let fallback: string | null = null;
  for (const candidate of [...pyenvVersions, 'python3', '/usr/bin/python3']) {
    try {
      const version = execFileSync(candidate, ['-c', 'import sys, venv, ensurepip; print(*sys.version_info[:3])'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
        .trim()
        .split(' ')
        .map(Number);
      if (version[0] !== wantMajor || version[1] < wantMinor) continue;
      if (!tool.avoid?.(version)) return candidate;
      fallback ??= candidate;
    } catch {
      // not installed, or without venv
    }
  }
  if (fallback) return fallback;
  throw new Error(`No Python ${wantMajor}.${wantMinor}+ with the venv module found (on Debian: apt-get install python3-venv); or set PYTHON.`);
}

/** Where the tool's executable is once installed. */
export function pipExecutable(tool: PythonTool): string {
  return path.join(toolCacheDir(`${tool.name}-${tool.version}`), 'bin', tool.command);
}

/** The tool's executable, installing it first (once per machine, even when several processes ask at once). */
export async function pipInstallOnce(tool: PythonTool): Promise<string> {
  const dir = toolCacheDir(`${tool.name}-${tool.version}`);
  const executable = pipExecutable(tool);
  await installOnce({
    label: `${tool.name} ${tool.version}`,
    lock: `${dir}.lock`,
    done: () => existsSync(executable),
    staleAfterMs: 15 * 60_000,
    install: () => {
      log(`Installing ${tool.name} ${tool.version} from PyPI into ${dir} (once per machine, ${tool.expected})…`);
      try {
        const python = choosePython(tool);
        log(`Using ${python}.`);
        rmSync(dir, { recursive: true, force: true });
        execFileSync(python, ['-m', 'venv', dir], { stdio: ['ignore', 'inherit', 'inherit'] });
        execFileSync(path.join(dir, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', `${tool.name}==${tool.version}`], {
          stdio: ['ignore', 'inherit', 'inherit'],
        });
      } catch (err) {
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`Could not install ${tool.name} (needs python3 with venv and PyPI): ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
    },
  });
  return executable;
}
