import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, readlinkSync, statSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

/**
 * One engine run at a time per outputs file, and a dead run never blocks the next one for long.
 *
 * The lock is a file created atomically with its content (written to a temporary name, then hard-linked into place,
 * which fails if the lock exists): `{pid, host, started, ticks, pidns}`. While it holds the lock, a run touches the
 * file every few seconds (a heartbeat).
 *
 * A run that finds the lock held by a process it can see (same host and pid namespace) that no longer exists, or whose
 * pid now belongs to a later process, takes it over at once. A holder it cannot see (another host, or another
 * container sharing this host name and a mounted workspace) is judged by its heartbeat: a lock not touched for
 * `staleMs` is taken over. Taking over is itself guarded by a short-lived second lock, and the holder is read again
 * under it, so two waiters never both remove a lock and both proceed.
 *
 * Why not proper-lockfile: it can only tell a dead holder by the age of the lock's modification time, so a killed run
 * delayed the next apply by its whole stale period even on the same machine.
 */

interface Holder {
  readonly pid: number;
  readonly host: string;
  readonly started: string;
  /** The process's start time in clock ticks since boot (Linux), to tell a reused pid. */
  readonly ticks?: number;
  /** The pid namespace (Linux): a pid is only judged in the namespace it belongs to. */
  readonly pidns?: string;
}

export interface RunLockOptions {
  /** Longest wait for a live holder. @default 600000 (10 minutes) */
  readonly timeoutMs?: number;
  /**
   * A holder this process cannot see is taken for dead when the lock was not touched for this long; a holder touches
   * its lock six times as often. @default 30000
   */
  readonly staleMs?: number;
  /** Told once when the run has to wait. */
  readonly onWait?: (holder: string) => void;
}

/** Clock ticks since boot at which `pid` started, from /proc; undefined where unknown. */
function startTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    return Number.isFinite(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

/** This process's pid namespace, e.g. "pid:[4026531836]"; undefined where unknown. */
function pidNamespace(): string | undefined {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return undefined;
  }
}

interface Found {
  readonly text: string;
  readonly holder?: Holder;
  /** When the lock was last touched. */
  readonly touchedMs: number;
}

function alive(found: Found, staleMs: number): boolean {
  const { holder } = found;
  const visible = holder !== undefined && holder.host === hostname() && (holder.pidns === undefined || holder.pidns === pidNamespace());
  if (!visible) return Date.now() - found.touchedMs < staleMs;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const ticks = startTicks(holder.pid);
  return holder.ticks === undefined || ticks === undefined || ticks === holder.ticks;
}

function readLock(path: string): Found | undefined {
  let text: string;
  let touchedMs: number;
  try {
    text = readFileSync(path, 'utf8');
    touchedMs = statSync(path).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return { text, touchedMs, holder: JSON.parse(text) as Holder };
  } catch {
    return { text, touchedMs };
  }
}

/** Creates `path` holding `content`, or returns false when it exists. */
function createWith(path: string, content: string): boolean {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(temporary);
  }
}

function removeIfUnchanged(path: string, text: string): void {
  const breaker = `${path}.break`;
  try {
    // A breaker left by a run killed while breaking is itself old after a few seconds.
    if (Date.now() - statSync(breaker).mtimeMs > 5_000) unlinkSync(breaker);
  } catch {
    // no breaker
  }
  if (!createWith(breaker, String(process.pid))) return;
  try {
    if (readLock(path)?.text === text) unlinkSync(path);
  } finally {
    unlinkSync(breaker);
  }
}

/** Takes the lock at `path`; resolves to its release. */
export async function acquireRunLock(path: string, options: RunLockOptions = {}): Promise<() => void> {
  mkdirSync(dirname(path), { recursive: true });
  const started = new Date().toISOString();
  const holder: Holder = { pid: process.pid, host: hostname(), started, ticks: startTicks(process.pid), pidns: pidNamespace() };
  const content = JSON.stringify(holder);
  const staleMs = options.staleMs ?? 30_000;
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  let told = false;
  let delay = 20;
  for (;;) {
    if (createWith(path, content)) {
      const heartbeat = setInterval(() => {
        try {
          if (readLock(path)?.text === content) utimesSync(path, new Date(), new Date());
        } catch {
          // the next beat tries again
        }
      }, staleMs / 6);
      heartbeat.unref();
      return () => {
        clearInterval(heartbeat);
        if (readLock(path)?.text === content) unlinkSync(path);
      };
    }
    const current = readLock(path);
    if (current && !alive(current, staleMs)) {
      removeIfUnchanged(path, current.text);
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(`another run holds ${path} (${current?.text ?? 'unknown holder'}); gave up waiting (if no run is going on, delete ${path})`);
    }
    if (!told && current) {
      told = true;
      const who = current.holder ? `pid ${current.holder.pid} on ${current.holder.host}, since ${current.holder.started}` : 'an unknown process';
      options.onWait?.(`waiting for another run to finish (${who}; lock ${path})`);
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(500, delay * 2);
  }
}
