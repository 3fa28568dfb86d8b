import { limited } from './bounded';
import { maskInGitHubActions } from './github-mask';
import type { Redactor } from './redact';
import { runSink } from './sink';
import { secretOf, type OutputEntry } from '../outputs/entries';
import type { OutputsWriter } from '../outputs/outputs-file';

export interface Delivery {
  readonly outputs: OutputsWriter;
  readonly sink?: readonly string[];
  /** The sink's working directory (the stack directory). */
  readonly sinkDirectory: string;
  readonly redactor: Redactor;
  readonly log: (line: string) => void;
}

/** Sink processes run at once: a run of hundreds of new credentials must not start hundreds of programs. */
const sinkTurn = limited(4);

function describe(entry: OutputEntry): string {
  return `${entry.kind === 'password' ? 'password' : 'service token'} ${entry.name} (${entry.id})`;
}

/**
 * Hands a new secret to its holders: masked in GitHub Actions first (before anything else could print it), then the
 * outputs file, then the sink. The credential's name stays in the pending journal until the sink has it, so a run
 * killed in between hands it to the sink again next time.
 *
 * If the outputs file or the sink fails, `undo` deletes the object just created (a live credential whose secret
 * nobody holds is worse than none), the entry the path had before (a previous generation, still live) is put back in
 * the outputs file and handed to the sink again (which may have stored the new secret before it failed), and the
 * error says all of it. If the delete fails, the new entry stays: the outputs file is then the only holder of a live
 * secret, and its name stays pending for the next run to deliver.
 */
export async function deliverSecret(delivery: Delivery, path: string, entry: OutputEntry, undo: () => Promise<void>): Promise<void> {
  const { outputs, sink, log } = delivery;
  const secret = secretOf(entry);
  delivery.redactor.add(secret);
  if (maskInGitHubActions(secret) === 'unavailable') {
    log('GitHub Actions detected but the step log could not be reached to mask the new secret; it is not printed anyway');
  }
  const previous = outputs.entries[path];
  try {
    await outputs.put(path, entry);
  } catch (error) {
    await undoAfter(undo, `could not record the new secret in ${outputs.path} (${(error as Error).message})`, describe(entry));
  }
  if (!sink) {
    outputs.settle([entry.name]);
    return;
  }
  try {
    await sendToSink(delivery, sink, path, entry);
  } catch (error) {
    const reason = (error as Error).message;
    try {
      await undo();
    } catch (cleanup) {
      throw new Error(
        `${reason}; deleting the new ${describe(entry)} again failed too (${(cleanup as Error).message}): its secret is in ${outputs.path} ` +
          'only, and the next run hands it to the sink again',
      );
    }
    const outcome = [`the new ${describe(entry)} was deleted again`];
    try {
      await outputs.restore(path, previous);
    } catch (restoring) {
      outcome.push(`putting the previous entry of ${path} back in ${outputs.path} failed (${(restoring as Error).message})`);
    }
    if (previous) {
      delivery.redactor.add(secretOf(previous));
      try {
        await sinkTurn(() => runSink(sink, delivery.sinkDirectory, { stack: outputs.stack, path, entry: previous }, secretOf(previous)));
        outcome.push(`the sink was given the previous ${describe(previous)} again`);
      } catch (resending) {
        outcome.push(`giving the sink the previous ${describe(previous)} again failed too (${(resending as Error).message}): check what it holds for ${path}`);
      }
    }
    throw new Error(`${reason}; ${outcome.join('; ')}`);
  }
}

/**
 * Hands a recorded secret to the sink again: its credential was created and recorded, but the run that created it
 * stopped before the sink confirmed it. The credential stays either way; a failure leaves its name pending.
 */
export async function redeliverSecret(delivery: Delivery, sink: readonly string[], path: string, entry: OutputEntry): Promise<void> {
  delivery.redactor.add(secretOf(entry));
  await sendToSink(delivery, sink, path, entry);
}

async function sendToSink(delivery: Delivery, sink: readonly string[], path: string, entry: OutputEntry): Promise<void> {
  const { outputs, log } = delivery;
  await sinkTurn(() => runSink(sink, delivery.sinkDirectory, { stack: outputs.stack, path, entry }, secretOf(entry)));
  outputs.settle([entry.name]);
  log(`sink ${sink[0]} received the ${describe(entry)}`);
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
