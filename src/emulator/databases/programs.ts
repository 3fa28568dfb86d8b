import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The account the database servers run as: MariaDB and PostgreSQL both refuse to run as root. */
export interface ServerAccount {
  readonly uid: number;
  readonly gid: number;
}

/**
 * The current user, or `nobody` when that is root (CI runs as root): PostgreSQL will not start as root at all, and
 * MariaDB only with `--user`.
 */
export function serverAccount(): ServerAccount | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('nobody:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) throw new Error('--databases as root needs an unprivileged "nobody" account to run the database servers as');
  return { uid: Number(uid), gid: Number(gid) };
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** PostgreSQL's server programs live outside PATH on Debian (/usr/lib/postgresql/<major>/bin); the newest wins. */
function postgresDirectories(): string[] {
  const found: string[] = [];
  for (const base of ['/usr/lib/postgresql', '/usr/local/pgsql']) {
    try {
      const versions = readdirSync(base).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
      found.push(...versions.map((v) => join(base, v, 'bin')), join(base, 'bin'));
    } catch {
      // not installed there
    }
  }
  return found;
}

/** Finds the first of `names` on PATH or in the usual server directories; undefined when none is installed. */
function findProgram(names: readonly string[]): string | undefined {
  const directories = [
    ...(process.env.PATH ?? '').split(delimiter).filter(Boolean),
    '/usr/sbin',
    '/usr/local/sbin',
    '/usr/bin',
    '/usr/local/bin',
    ...postgresDirectories(),
  ];
  for (const name of names) {
    for (const directory of directories) {
      const path = join(directory, name);
      if (executable(path)) return path;
    }
  }
  return undefined;
}

export function requireProgram(names: readonly string[], install: string): string {
  const path = findProgram(names);
  if (!path) throw new Error(`--databases needs ${names[0]}, which is not installed: ${install}`);
  return path;
}

/** Runs a program to completion as the server account, its output appended to `logFile`; rejects on a non-zero exit. */
export function runProgram(program: string, args: readonly string[], account: ServerAccount | undefined, logFile: string): Promise<void> {
  const child = startProgram(program, args, account, logFile);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${program} failed (${signal ?? `exit ${code}`}); see ${logFile}`)),
    );
  });
}

/** Starts a long-running program as the server account, its output appended to `logFile`. */
export function startProgram(program: string, args: readonly string[], account: ServerAccount | undefined, logFile: string): ChildProcess {
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'], uid: account?.uid, gid: account?.gid, env: { PATH: process.env.PATH ?? '', LANG: 'C.UTF-8' } });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  child.once('exit', () => log.end());
  return child;
}

/** Signals a server and waits for it to exit (at most `timeoutMs`, then SIGKILL). */
async function stopProgram(child: ChildProcess, signal: NodeJS.Signals, timeoutMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

/** Polls `attempt` until it succeeds, the child exits, or `timeoutMs` passes. */
async function waitUntilReady<T>(
  name: string,
  child: ChildProcess,
  logFile: string,
  attempt: () => Promise<T>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited while starting (${child.signalCode ?? `exit ${child.exitCode}`}): ${lastLines(logFile)}`);
    }
    try {
      return await attempt();
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`${name} did not accept connections within ${timeoutMs / 1000}s (${(last as Error)?.message}): ${lastLines(logFile)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function lastLines(logFile: string): string {
  try {
    return readFileSync(logFile, 'utf8').trim().split('\n').slice(-3).join(' | ');
  } catch {
    return `no log at ${logFile}`;
  }
}

/** A started server and the emulator's admin connection to it. */
export interface AdministeredServer<Admin> {
  readonly admin: Admin;
  stop(): Promise<void>;
  /** Ends the server at once (process exit). */
  kill(): void;
}

/** What both database clients' connections offer. */
interface AdminConnection {
  end(): Promise<unknown>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * Waits for a started server to accept the admin connection, then `prepare`s it; if either fails the server is
 * killed, so a failed start leaves nothing running. `stopSignal` is the server's fast clean shutdown.
 */
export async function administer<Admin extends AdminConnection>(
  name: string,
  child: ChildProcess,
  logFile: string,
  connect: () => Promise<Admin>,
  prepare: (admin: Admin) => Promise<void>,
  stopSignal: NodeJS.Signals,
): Promise<AdministeredServer<Admin>> {
  let admin: Admin;
  try {
    admin = await waitUntilReady(name, child, logFile, connect);
    admin.on('error', (error: Error) => process.stderr.write(`emulator: ${name} admin connection: ${error.message}\n`));
    await prepare(admin);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    admin,
    kill: () => child.kill('SIGKILL'),
    stop: async () => {
      await admin.end().catch(() => undefined);
      await stopProgram(child, stopSignal);
    },
  };
}
