import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { log } from './log';
import { installOnce, onPath } from './tool-cache';

/** Go, also where its own installer puts it (/usr/local/go), which a non-login shell may not have on PATH. */
export function findGo(): string | null {
  return onPath('go') ?? (existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : null);
}

export interface GoBuild {
  /** What is being built, for progress lines. */
  label: string;
  /** Directory the binaries go to (GOBIN). */
  dir: string;
  /** `module/path/cmd@version` for each binary. */
  packages: string[];
  /** Binaries that must exist afterwards; the build is skipped when they all do. */
  binaries: string[];
  /** What an operator can do without Go. */
  withoutGo: string;
  expected: string;
}

/**
 * `go install`s the packages into `dir`, once per machine even when several processes ask at
 * once (a lock file serialises them; the ones that waited find the binaries and return).
 */
export async function goInstallOnce(build: GoBuild): Promise<void> {
  const done = () => build.binaries.every((binary) => existsSync(path.join(build.dir, binary)));
  if (done()) return;
  const go = findGo();
  if (!go) throw new Error(`${build.label} was not found and Go is not installed. ${build.withoutGo}`);
  await installOnce({
    label: build.label,
    lock: path.join(build.dir, '.build.lock'),
    done,
    // A real build takes minutes, not half an hour.
    staleAfterMs: 30 * 60_000,
    install: () => {
      log(`Building ${build.label} with Go into ${build.dir} (once per machine, ${build.expected})…`);
      const started = Date.now();
      for (const pkg of build.packages) {
        execFileSync(go, ['install', pkg], {
          env: { ...process.env, GOBIN: build.dir, CGO_ENABLED: '0' },
          stdio: ['ignore', 'inherit', 'inherit'],
        });
      }
      log(`${build.label} built in ${Math.round((Date.now() - started) / 1000)} s.`);
    },
  });
}

/** The source of a module at a version (schema files, config templates): `go mod download` fetches it if the module cache lost it. */
export function goModuleDir(module: string, version: string): string {
  const go = findGo();
  if (!go) throw new Error(`Go is needed to locate ${module}@${version}.`);
  const info = JSON.parse(execFileSync(go, ['mod', 'download', '-json', `${module}@${version}`], { encoding: 'utf8', cwd: homedir() })) as { Dir?: string; Error?: string };
  if (!info.Dir) throw new Error(`go mod download ${module}@${version} failed: ${info.Error ?? 'no directory'}`);
  return info.Dir;
}
