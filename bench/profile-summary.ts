import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';

/**
 * What the files of `npm run bench -- --profile <dir>` say: where the worker's main thread spent
 * its CPU (self time by package or project folder, and the top functions) and what filled its
 * V8 heap at the snapshot (self size by constructor). Node writes one CPU profile per thread
 * (`CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile`: thread 0 is the main thread, the others
 * the worker's workflow threads); the heap snapshot is the main thread's only.
 */

type CpuProfile = {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
};

/** Where a script belongs: its npm package, a project folder, or Node itself. */
function ownerOf(url: string): string {
  if (!url) return '(native, GC, idle)';
  const inModules = url.lastIndexOf('node_modules/');
  if (inModules >= 0) {
    const parts = url.slice(inModules + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (url.startsWith('node:')) return 'node';
  const file = url.replace(/^file:\/\//, '');
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') ? file : `project: ${relative.split(path.sep)[0]}/`;
}

/** Thread 0 is the main thread (activities, the Temporal core bridge); others run workflows. */
function threadOf(file: string): string {
  const thread = path.basename(file).split('.')[4];
  return thread === '0' ? 'main thread' : `thread ${thread} (workflows)`;
}

function summarizeCpu(file: string, top: number) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const byOwner = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const micros = profile.timeDeltas[index] ?? 0;
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    total += micros;
    const owner = functionName === '(idle)' ? '(idle)' : ownerOf(url);
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + micros);
    const name = `${functionName || '(anonymous)'} ${url ? `${path.basename(url)}:${lineNumber + 1}` : ''}`.trim();
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
  });
  const rows = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, micros]) => `| ${name} | ${(micros / 1e6).toFixed(1)} | ${((100 * micros) / total).toFixed(1)}% |`);
  console.log(`\n## CPU, worker ${threadOf(file)}: ${path.basename(file)} (${(total / 1e6).toFixed(1)} s sampled)\n`);
  console.log('| where | self s | share |\n| --- | --- | --- |');
  console.log(rows(byOwner).join('\n'));
  console.log(`\n| function | self s | share |\n| --- | --- | --- |`);
  console.log(rows(byFunction).join('\n'));
}

type HeapSnapshot = {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
};

function summarizeHeap(file: string, top: number) {
  const heap = JSON.parse(readFileSync(file, 'utf8')) as HeapSnapshot;
  const fields = heap.snapshot.meta.node_fields;
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const typeNames = heap.snapshot.meta.node_types[0];
  const byKind = new Map<string, { bytes: number; count: number }>();
  let total = 0;
  for (let offset = 0; offset < heap.nodes.length; offset += width) {
    const type = typeNames[heap.nodes[offset + typeAt]];
    const size = heap.nodes[offset + sizeAt];
    // Objects and closures by constructor; strings, arrays, code and the rest by their type.
    const kind = type === 'object' || type === 'closure' ? `${type} ${heap.strings[heap.nodes[offset + nameAt]]}` : `(${type})`;
    const entry = byKind.get(kind) ?? { bytes: 0, count: 0 };
    entry.bytes += size;
    entry.count += 1;
    byKind.set(kind, entry);
    total += size;
  }
  console.log(`\n## Heap, worker main thread: ${path.basename(file)} (${(total / 2 ** 20).toFixed(0)} MB in live objects)\n`);
  console.log('| kind | MB | objects | share |\n| --- | --- | --- | --- |');
  for (const [kind, { bytes, count }] of [...byKind.entries()].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, top)) {
    console.log(`| ${kind.slice(0, 80)} | ${(bytes / 2 ** 20).toFixed(1)} | ${count} | ${((100 * bytes) / total).toFixed(1)}% |`);
  }
}

const program = new Command()
  .name('bench/profile-summary.ts')
  .description('Summarize the worker profile and heap snapshot that `npm run bench -- --profile <dir>` wrote into <dir>.')
  .argument('<dir>', 'the --profile directory')
  .option('--top <n>', 'rows per table', '15')
  .action((dir: string, options: { top: string }) => {
    const files = readdirSync(dir).sort();
    const top = Number(options.top);
    for (const file of files.filter((name) => name.endsWith('.cpuprofile'))) summarizeCpu(path.join(dir, file), top);
    for (const file of files.filter((name) => name.endsWith('.heapsnapshot'))) summarizeHeap(path.join(dir, file), top);
    if (!files.some((name) => name.endsWith('.cpuprofile') || name.endsWith('.heapsnapshot'))) program.error(`No .cpuprofile or .heapsnapshot in ${dir}.`);
  });

program.parse();
