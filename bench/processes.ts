import { readdirSync, readFileSync } from 'node:fs';

/**
 * Linux /proc readings of the processes a target is made of: which they are (by parent and
 * command line), how much memory each holds and how much CPU each has used — so a figure can
 * say which process its time went to.
 */
export interface ProcessInfo {
  pid: number;
  parent: number;
  commandLine: string;
}

const CLOCK_TICKS_PER_SECOND = 100;

/** Every process now, with its parent and command line. */
export function processes(): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      found.push({ pid: Number(entry), parent, commandLine });
    } catch {
      // gone
    }
  }
  return found;
}

/** `root` and its descendants. */
export function descendants(all: ProcessInfo[], root: number): ProcessInfo[] {
  const byParent = new Map<number, ProcessInfo[]>();
  for (const info of all) byParent.set(info.parent, [...(byParent.get(info.parent) ?? []), info]);
  const found: ProcessInfo[] = [];
  const visit = (pid: number) => {
    for (const child of byParent.get(pid) ?? []) {
      found.push(child);
      visit(child.pid);
    }
  };
  visit(root);
  return found;
}

/** The node process that runs an entry script (not a tsx wrapper that only spawns it). */
export function runsEntry(info: ProcessInfo, entry: string): boolean {
  return info.commandLine.includes(entry) && !/tsx\/(dist\/)?cli/.test(info.commandLine) && !info.commandLine.startsWith('npm');
}

/** A PostgreSQL server (postmaster) started with `-p <port>`, and its backends and helpers. */
export function postgresProcesses(all: ProcessInfo[], port: number): number[] {
  const postmaster = all.find((info) => /(^|\/)postgres\s/.test(info.commandLine) && new RegExp(`-p ${port}(\\s|$)`).test(info.commandLine));
  return postmaster ? [postmaster.pid, ...descendants(all, postmaster.pid).map((info) => info.pid)] : [];
}

/** CPU seconds (user + system) a process has used so far; 0 when it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** CPU seconds the whole machine spent busy (every process, anyone's) so far. */
export function machineBusySeconds(): number {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const idle = ticks[3] + ticks[4];
  return (ticks.reduce((sum, value) => sum + value, 0) - idle) / CLOCK_TICKS_PER_SECOND;
}

/** Resident memory of a process in MB; 0 when it is gone. */
export function residentMb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/**
 * CPU used between `start()` and `stop()`, per named group of processes (their pids read again
 * at the end, so processes started meanwhile count from zero), and by the whole machine.
 */
export function cpuMeter(groups: () => Record<string, number[]>) {
  let before = new Map<number, number>();
  let machineBefore = 0;
  return {
    start() {
      before = new Map(Object.values(groups()).flat().map((pid) => [pid, cpuSeconds(pid)]));
      machineBefore = machineBusySeconds();
    },
    stop(): Record<string, number> {
      const used = Object.fromEntries(
        Object.entries(groups()).map(([name, pids]) => [name, Number(pids.reduce((sum, pid) => sum + Math.max(0, cpuSeconds(pid) - (before.get(pid) ?? 0)), 0).toFixed(1))]),
      );
      return { ...used, machine: Number((machineBusySeconds() - machineBefore).toFixed(1)) };
    },
  };
}
