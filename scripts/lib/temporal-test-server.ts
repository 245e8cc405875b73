import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { log } from './log';
import { installOnce, onPath, toolCacheDir } from './tool-cache';
import { freePort } from './ports';
import { stopProcess } from './processes';

/**
 * Temporal's time-skipping test server (the Java SDK's `io.temporal:temporal-test-server`),
 * which `TestWorkflowEnvironment.createTimeSkipping()` runs: durable timers of hours fire in
 * milliseconds. The SDK's own download (a native build from GitHub) cannot reach its host
 * here, so the server comes from Maven Central instead: Maven copies the artifact and its
 * dependencies into this machine's cache (outside the repo) once, and a small executable
 * there runs its main class, which takes the port as its first argument — what the SDK's
 * `existing-path` executable is called with.
 *
 * The SDK gives the server 5 seconds to listen (a constant of its core), which a JVM loading
 * gRPC and protobuf misses on a loaded 2-core machine (measured: 6–10 s at load 20). The
 * install therefore also records a class-data-sharing archive of the classes the server
 * loads at start (`-XX:ArchiveClassesAtExit`), and the executable starts the JVM with it,
 * C1 only and the serial GC: about 2 s at the same load.
 *
 * Found, in order: TEMPORAL_TEST_SERVER_PATH, this machine's cache; else installed into the
 * cache with `mvn` (needs Java 17+ and Maven: `apt-get install openjdk-17-jre-headless maven`).
 */
export const TEMPORAL_TEST_SERVER_VERSION = '1.38.0';
const MAIN_CLASS = 'io.temporal.testserver.TestServer';
/** Quick start over peak speed: test runs are short. */
const JVM_OPTIONS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Xshare:auto'];

function installDir(): string {
  return toolCacheDir(`temporal-test-server-${TEMPORAL_TEST_SERVER_VERSION}`);
}

export async function resolveTemporalTestServer(): Promise<string> {
  const configured = process.env.TEMPORAL_TEST_SERVER_PATH;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`TEMPORAL_TEST_SERVER_PATH points to ${configured}, which does not exist.`);
    return configured;
  }
  const dir = installDir();
  const executable = path.join(dir, 'temporal-test-server');
  if (existsSync(executable)) return executable;
  // One install per machine even when several test files ask at once.
  await installOnce({
    label: 'the Temporal test server',
    lock: `${dir}.lock`,
    done: () => existsSync(executable),
    staleAfterMs: 15 * 60_000,
    install: () => install(dir, executable),
  });
  return executable;
}

async function install(dir: string, executable: string): Promise<void> {
  const java = onPath('java');
  const mvn = onPath('mvn');
  if (!java || !mvn) {
    throw new Error(
      'The Temporal time-skipping test server is installed with Java 17+ and Maven, and ' +
        `${!java ? 'java' : 'mvn'} is not on PATH. Install them (Debian: apt-get install -y openjdk-17-jre-headless maven), ` +
        'or set TEMPORAL_TEST_SERVER_PATH to an executable that runs the test server on the port it is given.',
    );
  }
  log(`Installing the Temporal test server ${TEMPORAL_TEST_SERVER_VERSION} from Maven Central into ${dir} (once per machine, about a minute)…`);
  const started = Date.now();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    // A one-dependency project: Maven resolves the server's dependencies as it would for any build.
    writeFileSync(
      path.join(dir, 'pom.xml'),
      `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.account-lockdown</groupId>
  <artifactId>temporal-test-server-runtime</artifactId>
  <version>1</version>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>${TEMPORAL_TEST_SERVER_VERSION}</version>
    </dependency>
  </dependencies>
</project>
`,
    );
    try {
      execFileSync(mvn, ['--batch-mode', '--quiet', '-f', path.join(dir, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${path.join(dir, 'lib')}`], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (err) {
      // Maven reports on stdout: its last lines say what failed.
      const output = `${(err as { stdout?: string }).stdout ?? ''}${(err as { stderr?: string }).stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
      throw new Error(`mvn dependency:copy-dependencies failed:\n${output}`, { cause: err });
    }
    const classPath = path.join(dir, 'lib', '*');
    const archive = path.join(dir, 'classes.jsa');
    await recordClassArchive(java, classPath, archive);
    // `exec`: the SDK stops the server by killing the process it started, which is then the JVM itself.
    // A JVM that cannot use the archive (Java updated since) starts without it (-Xshare:auto).
    const command = [java, ...JVM_OPTIONS, `-XX:SharedArchiveFile=${archive}`, '-cp', classPath, MAIN_CLASS].map((part) => JSON.stringify(part)).join(' ');
    writeFileSync(executable, `#!/bin/sh\nexec ${command} "$@"\n`);
    chmodSync(executable, 0o755);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`Could not install the Temporal test server from Maven Central: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  log(`Temporal test server installed in ${Math.round((Date.now() - started) / 1000)} s.`);
}

/** Starts the server once until it listens, then stops it: the JVM writes the classes it loaded to `archive` as it exits. */
async function recordClassArchive(java: string, classPath: string, archive: string): Promise<void> {
  const port = await freePort();
  const server = spawn(java, [...JVM_OPTIONS, `-XX:ArchiveClassesAtExit=${archive}`, '-cp', classPath, MAIN_CLASS, String(port)], { stdio: 'ignore' });
  try {
    const deadline = Date.now() + 120_000;
    while (!(await listening(port))) {
      if (server.exitCode !== null) throw new Error(`the test server exited at start (code ${server.exitCode})`);
      if (Date.now() > deadline) throw new Error(`the test server did not listen on port ${port} within 120 s`);
      await sleep(200);
    }
  } finally {
    await stopProcess(server, 60_000);
  }
  if (!existsSync(archive)) throw new Error('the JVM wrote no class-data-sharing archive');
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
