import type { HandlerContext } from './context';
import { maskInGitHubActions } from './github-mask';
import { runSink } from './sink';
import { secretOf, type OutputEntry } from '../outputs/entries';

/**
 * Hands a new secret to its holders: masked in GitHub Actions first (before anything else could print it), then the
 * outputs file, then the sink. If the outputs file or the sink fails, `undo` deletes the object just created and
 * the error says so: a live credential whose secret nobody holds is worse than none.
 */
export async function deliverSecret(context: HandlerContext, path: string, entry: OutputEntry, undo: () => Promise<void>): Promise<void> {
  const { outputs, settings, log } = context;
  const secret = secretOf(entry);
  context.redactor.add(secret);
  if (maskInGitHubActions(secret) === 'unavailable') {
    log('GitHub Actions detected but the step log could not be reached to mask the new secret; it is not printed anyway');
  }
  const what = entry.kind === 'password' ? 'password' : 'service token';
  try {
    await outputs.put(settings.stack, path, entry);
  } catch (error) {
    await undo();
    throw new Error(`could not record the new ${what} in ${outputs.path} (${(error as Error).message}); the ${what} was deleted again`);
  }
  if (!settings.sink) return;
  try {
    await runSink(settings.sink, { stack: settings.stack, path, entry }, secret);
  } catch (error) {
    await outputs.removeIds(settings.stack, [entry.id]);
    await undo();
    throw new Error(`${(error as Error).message}; the new ${what} ${entry.name} (${entry.id}) was deleted again`);
  }
  log(`sink ${settings.sink[0]} received the new ${what}`);
}
