import type { HandlerContext } from './context';
import { deliverSecret } from './secret-delivery';
import { OutcomeUnknownError } from '../api/errors';
import type { OutputEntry } from '../outputs/entries';

/** How to find, create and delete one credential (a password or a service token) by its managed name. */
export interface CredentialKind<Found extends { readonly id: string }, Created extends Found> {
  readonly noun: 'password' | 'service token';
  /** The credential's construct path (its outputs key) and managed name. */
  readonly path: string;
  readonly name: string;
  /** Live credentials named exactly `name`. */
  readonly find: () => Promise<Found[]>;
  /** Creates it; the result is the only place its secret appears. */
  readonly create: () => Promise<Created>;
  /**
   * What must hold before the secret is handed out (a token's grants); throws when it cannot, and the new credential
   * is then deleted again.
   */
  readonly complete?: (created: Created) => Promise<void>;
  /** Deletes it, proving it gone on a 404 (see deletion.ts). */
  readonly remove: (credential: Found) => Promise<'deleted' | 'already-gone'>;
  /** The outputs entry for a new credential. */
  readonly entry: (created: Created) => OutputEntry;
}

/** Creates once; a create whose answer was lost is looked up, deleted (its secret is unknowable) and made again. */
async function createRecovering<Found extends { readonly id: string }, Created extends Found>(
  context: HandlerContext,
  kind: CredentialKind<Found, Created>,
): Promise<Created> {
  try {
    return await kind.create();
  } catch (error) {
    if (!(error instanceof OutcomeUnknownError)) throw error;
    context.log(`${error.message}; looking it up`);
  }
  for (const orphan of await kind.find()) {
    context.log(`deleting ${kind.noun} ${orphan.id} created by the lost request (its secret never arrived)`);
    await kind.remove(orphan);
  }
  return kind.create();
}

/**
 * Makes sure the credential exists with its secret held: keeps it when this very credential is already recorded in
 * the outputs file (a re-run), deletes same-named ones whose secret nobody holds (an interrupted run, e.g. a tainted
 * create), creates it, completes it, and delivers the secret. Returns the new credential, or undefined when it was
 * kept.
 */
export async function ensureCredential<Found extends { readonly id: string }, Created extends Found>(
  context: HandlerContext,
  kind: CredentialKind<Found, Created>,
): Promise<Created | undefined> {
  const { outputs, settings, log } = context;
  const existing = await kind.find();
  // The outputs file only matters when a credential of this name already exists.
  const recorded = existing.length > 0 ? outputs.entry(settings.stack, kind.path) : undefined;
  const kept = existing.find((c) => recorded?.id === c.id && recorded.name === kind.name);
  for (const stale of existing.filter((c) => c !== kept)) {
    log(`deleting ${kind.noun} ${stale.id} (${kind.name}) left by an interrupted run; its secret was never recorded`);
    await kind.remove(stale);
  }
  if (kept) {
    log(`${kind.noun} ${kind.name} (${kept.id}) already exists and its secret is in ${outputs.path}`);
    return undefined;
  }
  const created = await createRecovering(context, kind);
  const undo = async () => {
    await kind.remove(created);
  };
  if (kind.complete) {
    try {
      await kind.complete(created);
    } catch (error) {
      const reason = (error as Error).message;
      try {
        await undo();
      } catch (cleanup) {
        // Both matter: why it failed, and that a credential whose secret nobody holds is still live.
        throw new Error(
          `${reason}; deleting the new ${kind.noun} ${kind.name} (${created.id}) again failed too (${(cleanup as Error).message}): ` +
            'delete it in the PlanetScale console, its secret is held nowhere',
        );
      }
      throw new Error(`${reason}; the new ${kind.noun} ${kind.name} (${created.id}) was deleted again`);
    }
  }
  await deliverSecret(context, kind.path, kind.entry(created), undo);
  return created;
}

/**
 * Deletes every live credential of the name, and the outputs entries of those proven deleted. When a delete cannot be
 * proven, the others still go, the entry of the one that stays is kept, and the error says what the credential lacks.
 */
export async function removeCredential<Found extends { readonly id: string }, Created extends Found>(
  context: HandlerContext,
  kind: CredentialKind<Found, Created>,
  where = '',
): Promise<void> {
  const found = await kind.find();
  const removed: string[] = [];
  const failures: Error[] = [];
  for (const credential of found) {
    try {
      await kind.remove(credential);
      removed.push(credential.id);
      context.log(`deleted ${kind.noun} ${kind.name} (${credential.id})${where}`);
    } catch (error) {
      failures.push(error as Error);
    }
  }
  await context.outputs.removeIds(context.settings.stack, removed);
  if (failures.length > 0) throw failures[0];
  if (found.length === 0) context.log(`${kind.noun} ${kind.name}${where} is already gone`);
}
