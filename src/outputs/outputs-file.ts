import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import * as lockfile from 'proper-lockfile';
import type { OutputEntry, OutputsDocument } from './entries';

/** How long a handler waits for another one holding the lock (Terraform runs up to 10 at once). */
const LOCK_OPTIONS: lockfile.LockOptions = {
  realpath: false,
  stale: 15_000,
  retries: { retries: 200, factor: 1.2, minTimeout: 10, maxTimeout: 250, randomize: true },
};

function read(path: string): OutputsDocument {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  if (text.trim() === '') return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as OutputsDocument;
  } catch {
    // fall through
  }
  throw new Error(`outputs file ${path} is not a JSON object; refusing to overwrite it`);
}

/** Writes a temporary file (mode 0600), syncs it, and renames it over the target: readers see old or new, never half. */
function writeAtomically(path: string, document: OutputsDocument): void {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(document, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/**
 * The secrets file. Every change is a read-modify-write under a cross-process lock, so parallel handlers never lose
 * each other's entries.
 */
export class OutputsFile {
  constructor(readonly path: string) {}

  read(): OutputsDocument {
    return read(this.path);
  }

  entry(stack: string, key: string): OutputEntry | undefined {
    return this.read()[stack]?.[key];
  }

  async put(stack: string, key: string, entry: OutputEntry): Promise<void> {
    await this.update((document) => {
      document[stack] = { ...(document[stack] ?? {}), [key]: entry };
    });
  }

  /** Removes entries of `stack` whose object id is in `ids`. */
  async removeIds(stack: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.update((document) => {
      const entries = document[stack];
      if (!entries) return false;
      let changed = false;
      for (const [key, entry] of Object.entries(entries)) {
        if (ids.includes(entry.id)) {
          delete entries[key];
          changed = true;
        }
      }
      if (Object.keys(entries).length === 0) delete document[stack];
      return changed;
    });
  }

  /** Applies `change` under the lock; a change returning false means nothing to write. */
  private async update(change: (document: OutputsDocument) => boolean | void): Promise<void> {
    mkdirSync(dirname(this.path), { recursive: true });
    const release = await lockfile.lock(this.path, LOCK_OPTIONS);
    try {
      const document = read(this.path);
      if (change(document) === false) return;
      writeAtomically(this.path, document);
    } finally {
      await release();
    }
  }
}
