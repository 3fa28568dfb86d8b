import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
// Bundled with everything that writes the outputs file (the handler, the CLI), like undici: see scripts/bundle.ts.
// eslint-disable-next-line import/no-extraneous-dependencies
import writeFileAtomic from 'write-file-atomic';
import type { OutputEntry, OutputsDocument } from './entries';
import { acquireRunLock, type RunLockOptions } from './run-lock';

/**
 * The secrets file, and beside it the pending journal (`<file>.pending`): the managed names of credentials whose
 * create was sent but whose secret is not recorded yet. A run writes a name there before it creates the credential
 * and removes it in the same write that records the secret, so the next run can tell a credential whose create was
 * interrupted (its secret never arrived: delete it and create it again) from one whose outputs file is simply gone
 * (its secret may be in use: report it, never replace it silently). The journal holds names only, never a secret.
 */

/** Only the user who runs Terraform may read the secrets (and the journal beside them). */
const SECRET_FILE_MODE = 0o600;

/** The journal: stack, then managed name, then when its create started. */
type Journal = Record<string, Record<string, string>>;

function readJson<T extends object>(path: string, what: string): T {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {} as T;
    throw error;
  }
  if (text.trim() === '') return {} as T;
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as T;
  } catch {
    // fall through
  }
  throw new Error(`${what} ${path} is not a JSON object; refusing to overwrite it`);
}

/** Each entry's text, rendered once: a run that adds hundreds of entries rewrites the file many times. */
const rendered = new WeakMap<OutputEntry, string>();

/**
 * The document as `JSON.stringify(document, null, 2)` writes it, built from each entry's text rendered once.
 */
function renderDocument(document: OutputsDocument): string {
  const indent = (text: string, by: string) => text.replace(/\n/g, `\n${by}`);
  const stacks = Object.entries(document).map(([stack, entries]) => {
    const lines = Object.entries(entries).map(([key, entry]) => {
      let text = rendered.get(entry);
      if (text === undefined) {
        text = indent(JSON.stringify(entry, null, 2), '    ');
        rendered.set(entry, text);
      }
      return `    ${JSON.stringify(key)}: ${text}`;
    });
    return lines.length === 0 ? `  ${JSON.stringify(stack)}: {}` : `  ${JSON.stringify(stack)}: {\n${lines.join(',\n')}\n  }`;
  });
  return stacks.length === 0 ? '{}' : `{\n${stacks.join(',\n')}\n}`;
}

/** How long a write waits after the previous one, so the entries that arrive meanwhile go out together. */
const BATCH_MS = 40;

/**
 * Writes a file atomically (a temporary file, synced, renamed over the target: readers see old or new, never half),
 * mode 0600. The sync form is for the run's last writes, at close.
 */
function writeAtomically(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic.sync(path, text, { mode: SECRET_FILE_MODE });
}

async function writeAtomicallyAsync(path: string, text: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  await writeFileAtomic(path, text, { mode: SECRET_FILE_MODE });
}

/** The outputs file of a stack, read-only: what `plan` looks at. */
export class OutputsFile {
  constructor(readonly path: string) {}

  read(): OutputsDocument {
    return readJson<OutputsDocument>(this.path, 'outputs file');
  }

  /** The managed names whose create was interrupted, per stack. */
  pending(stack: string): ReadonlySet<string> {
    return new Set(Object.keys(readJson<Journal>(`${this.path}.pending`, 'pending journal')[stack] ?? {}));
  }

  /** Opens the file for one run: takes the run lock (see run-lock.ts) and returns the writer of `stack`'s entries. */
  async open(stack: string, options: RunLockOptions = {}): Promise<OutputsWriter> {
    const release = await acquireRunLock(`${this.path}.lock`, options);
    try {
      return new OutputsWriter(this.path, stack, this.read(), readJson<Journal>(`${this.path}.pending`, 'pending journal'), release);
    } catch (error) {
      release();
      throw error;
    }
  }
}

/**
 * Changes to one stack's entries during a run, written with group commit: every change is durable (synced and
 * renamed into place) before its promise resolves, and changes made while a write is under way go out together in
 * the next one, so hundreds of new credentials cost a handful of writes, not one each. A write that fails leaves the
 * document as it is on disk: the changes of the failed batch are dropped, not carried into the next write.
 */
export class OutputsWriter {
  private queued: { change: () => void; done: () => void; failed: (error: Error) => void }[] = [];
  private writing: Promise<void> | undefined;
  /** How many times the file was written during this run. */
  writes = 0;
  /** Whether the journal on disk must change with the next write (a name added or given up). */
  private journalChanged = false;
  /** Whether names were settled (their secret recorded and delivered): written at the latest when the run closes. */
  private journalStale = false;
  /** Whether the file on disk holds changes that were undone (its journal write failed after it): rewritten at close. */
  private diskAhead = false;

  constructor(
    readonly path: string,
    readonly stack: string,
    private readonly document: OutputsDocument,
    private readonly journal: Journal,
    private readonly release: () => void,
  ) {}

  /** The entries of this stack as they stand (including changes of this run). */
  get entries(): Readonly<Record<string, OutputEntry>> {
    return this.document[this.stack] ?? {};
  }

  /** Managed names still pending (marked, and not yet settled or cleared). */
  get pendingNames(): ReadonlySet<string> {
    return new Set(Object.keys(this.journal[this.stack] ?? {}));
  }

  /** Records that these credentials are about to be created. */
  markPending(names: readonly string[]): Promise<void> {
    if (names.length === 0) return Promise.resolve();
    return this.commit(() => {
      const stack = (this.journal[this.stack] ??= {});
      for (const name of names) stack[name] = new Date().toISOString();
      this.journalChanged = true;
    });
  }

  /** Forgets pending names now (the create failed and was undone, or never happened). */
  clearPending(names: readonly string[]): Promise<void> {
    if (names.length === 0) return Promise.resolve();
    return this.commit(() => {
      this.forget(names);
      this.journalChanged = true;
    });
  }

  /**
   * Forgets pending names whose secret is recorded and delivered. Written lazily (with the next journal write, at the
   * latest when the run closes): until then a crash leaves the name pending beside its recorded entry, which the next
   * run reads as "recorded, delivery unconfirmed", and settles or delivers again.
   */
  settle(names: Iterable<string>): void {
    this.forget([...names]);
    this.journalStale = true;
  }

  /** Records an entry (a new credential's, or one updated in place). The journal is left as it is. */
  put(key: string, entry: OutputEntry): Promise<void> {
    return this.commit(() => {
      (this.document[this.stack] ??= {})[key] = entry;
    });
  }

  /** Puts back the entry a key had before (or removes the key when it had none). */
  restore(key: string, previous: OutputEntry | undefined): Promise<void> {
    if (previous) return this.put(key, previous);
    return this.commit(() => {
      const current = this.document[this.stack];
      if (!current) return;
      delete current[key];
      if (Object.keys(current).length === 0) delete this.document[this.stack];
    });
  }

  /** Removes the entries of this stack whose object id is in `ids`. */
  removeIds(ids: Iterable<string>): Promise<void> {
    const gone = new Set(ids);
    const entries = this.document[this.stack];
    if (gone.size === 0 || !entries || !Object.values(entries).some((e) => gone.has(e.id))) return Promise.resolve();
    return this.commit(() => {
      const current = this.document[this.stack];
      if (!current) return;
      for (const [key, entry] of Object.entries(current)) if (gone.has(entry.id)) delete current[key];
      if (Object.keys(current).length === 0) delete this.document[this.stack];
    });
  }

  /** Waits for every write, brings the journal up to date, then releases the run lock. */
  async close(): Promise<void> {
    try {
      while (this.writing) await this.writing;
      if (this.diskAhead) writeAtomically(this.path, `${renderDocument(this.document)}\n`);
      if (this.journalStale) this.writeJournal();
    } finally {
      this.release();
    }
  }

  private writeJournal(): void {
    if (Object.keys(this.journal[this.stack] ?? {}).length === 0) delete this.journal[this.stack];
    if (Object.keys(this.journal).length > 0) writeAtomically(`${this.path}.pending`, `${JSON.stringify(this.journal, null, 2)}\n`);
    else rmSync(`${this.path}.pending`, { force: true });
    this.journalChanged = false;
    this.journalStale = false;
  }

  private forget(names: readonly string[]): void {
    const stack = this.journal[this.stack];
    if (!stack) return;
    for (const name of names) delete stack[name];
  }

  private commit(change: () => void): Promise<void> {
    return new Promise((done, failed) => {
      this.queued.push({ change, done, failed });
      this.writing ??= this.writeQueued();
    });
  }

  /** Writes batches until nothing is queued. */
  private async writeQueued(): Promise<void> {
    // Let every change made in this turn of the event loop join the first batch.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.queued.length > 0) {
      const batch = this.queued;
      this.queued = [];
      const started = Date.now();
      // Changes touch only this stack's map, whose entries are never modified in place: a shallow copy undoes them.
      const before = this.document[this.stack] ? { ...this.document[this.stack] } : undefined;
      let written = false;
      try {
        for (const item of batch) item.change();
        // Outputs first: a crash between the two writes leaves a recorded secret still marked pending, which the
        // next run reads as recorded, its delivery unconfirmed (the entry wins over the journal).
        await writeAtomicallyAsync(this.path, `${renderDocument(this.document)}\n`);
        written = true;
        this.writes += 1;
        this.diskAhead = false;
        if (this.journalChanged) this.writeJournal();
        for (const item of batch) item.done();
      } catch (error) {
        // The document as before the batch: otherwise a failed entry, whose caller deletes its credential again, would
        // reach the file with the next write. (If only the journal write failed, the file is rewritten at close.)
        if (before) this.document[this.stack] = before;
        else delete this.document[this.stack];
        if (written) this.diskAhead = true;
        for (const item of batch) item.failed(error as Error);
      }
      // Busy runs write at most every BATCH_MS; a quiet one (a single change) is written at once.
      if (this.queued.length > 0) await new Promise((resolve) => setTimeout(resolve, Math.max(0, BATCH_MS - (Date.now() - started))));
    }
    this.writing = undefined;
  }
}
