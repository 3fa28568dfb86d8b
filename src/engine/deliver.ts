import { limited } from './bounded';
import { maskInGitHubActions } from './github-mask';
import type { Redactor } from './redact';
import { runSink } from './sink';
import { secretOf, type OutputEntry } from '../outputs/entries';
import type { OutputsWriter } from '../outputs/outputs-file';

export interface Delivery {
  readonly outputs: OutputsWriter;
  readonly sink?: readonly string[];
  readonly redactor: Redactor;
  readonly log: (line: string) => void;
}

/** Sink processes run at once: a run of hundreds of new credentials must not start hundreds of programs. */
const sinkTurn = limited(4);

/**
 * Hands a new secret to its holders: masked in GitHub Actions first (before anything else could print it), then the
 * outputs file, then the sink. If the outputs file or the sink fails, `undo` deletes the object just created and the
 * error says so: a live credential whose secret nobody holds is worse than none.
 */
export async function deliverSecret(delivery: Delivery, path: string, entry: OutputEntry, undo: () => Promise<void>): Promise<void> {
  const { outputs, sink, log } = delivery;
  const secret = secretOf(entry);
  delivery.redactor.add(secret);
  if (maskInGitHubActions(secret) === 'unavailable') {
    log('GitHub Actions detected but the step log could not be reached to mask the new secret; it is not printed anyway');
  }
  const what = entry.kind === 'password' ? 'password' : 'service token';
  try {
    await outputs.put(path, entry);
  } catch (error) {
    await undoAfter(undo, `could not record the new ${what} in ${outputs.path} (${(error as Error).message})`, `${what} ${entry.name} (${entry.id})`);
  }
  if (!sink) return;
  try {
    await sinkTurn(() => runSink(sink, { stack: outputs.stack, path, entry }, secret));
  } catch (error) {
    await outputs.removeIds([entry.id]);
    await undoAfter(undo, (error as Error).message, `${what} ${entry.name} (${entry.id})`);
  }
  log(`sink ${sink[0]} received the new ${what} ${entry.name}`);
}

/**
 * Deletes the new object after `reason`, then throws one line with both: why, and whether the object is gone. If the
 * delete fails too, the line says so, since a credential whose secret is held nowhere is then still live.
 */
export async function undoAfter(undo: () => Promise<void>, reason: string, what: string): Promise<never> {
  try {
    await undo();
  } catch (cleanup) {
    throw new Error(`${reason}; deleting the new ${what} again failed too (${(cleanup as Error).message}): delete it in the PlanetScale console, its secret is held nowhere`);
  }
  throw new Error(`${reason}; the new ${what} was deleted again`);
}
