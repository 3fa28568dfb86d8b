import type { HandlerContext } from './context';
import { deleteIfPresent } from './lookup';
import { deliverSecret } from './secret-delivery';
import { OutcomeUnknownError } from '../api/errors';
import type { OutputEntry } from '../outputs/entries';

/** How to find, create and delete one credential (a password or a service token) by its managed name. */
export interface CredentialKind<Created extends { readonly id: string }> {
  readonly noun: 'password' | 'service token';
  /** The credential's construct path (its outputs key) and managed name. */
  readonly path: string;
  readonly name: string;
  /** Live credentials named exactly `name`. */
  readonly find: () => Promise<{ readonly id: string }[]>;
  /** Creates it; the result is the only place its secret appears. */
  readonly create: () => Promise<Created>;
  readonly remove: (id: string) => Promise<void>;
  /** The outputs entry for a new credential. */
  readonly entry: (created: Created) => OutputEntry;
}

/** Creates once; a create whose answer was lost is looked up, deleted (its secret is unknowable) and made again. */
async function createRecovering<Created extends { readonly id: string }>(context: HandlerContext, kind: CredentialKind<Created>): Promise<Created> {
  try {
    return await kind.create();
  } catch (error) {
    if (!(error instanceof OutcomeUnknownError)) throw error;
    context.log(`${error.message}; looking it up`);
  }
  for (const orphan of await kind.find()) {
    context.log(`deleting ${kind.noun} ${orphan.id} created by the lost request (its secret never arrived)`);
    await deleteIfPresent(() => kind.remove(orphan.id));
  }
  return kind.create();
}

/**
 * Makes sure the credential exists with its secret held: keeps it when this very credential is already recorded in
 * the outputs file (a re-run), deletes same-named ones whose secret nobody holds (an interrupted run, e.g. a tainted
 * create), creates it, and delivers the secret. Returns the new credential, or undefined when it was kept.
 */
export async function ensureCredential<Created extends { readonly id: string }>(
  context: HandlerContext,
  kind: CredentialKind<Created>,
): Promise<Created | undefined> {
  const { outputs, settings, log } = context;
  const existing = await kind.find();
  // The outputs file only matters when a credential of this name already exists.
  const recorded = existing.length > 0 ? outputs.entry(settings.stack, kind.path) : undefined;
  const kept = existing.find((c) => recorded?.id === c.id && recorded.name === kind.name);
  for (const stale of existing.filter((c) => c !== kept)) {
    log(`deleting ${kind.noun} ${stale.id} (${kind.name}) left by an interrupted run; its secret was never recorded`);
    await deleteIfPresent(() => kind.remove(stale.id));
  }
  if (kept) {
    log(`${kind.noun} ${kind.name} (${kept.id}) already exists and its secret is in ${outputs.path}`);
    return undefined;
  }
  const created = await createRecovering(context, kind);
  await deliverSecret(context, kind.path, kind.entry(created), () => deleteIfPresent(() => kind.remove(created.id)).then(() => undefined));
  return created;
}

/** Deletes every live credential of the name and its outputs entry. */
export async function removeCredential<Created extends { readonly id: string }>(
  context: HandlerContext,
  kind: CredentialKind<Created>,
  where = '',
): Promise<void> {
  const found = await kind.find();
  for (const credential of found) {
    await deleteIfPresent(() => kind.remove(credential.id));
    context.log(`deleted ${kind.noun} ${kind.name} (${credential.id})${where}`);
  }
  await context.outputs.removeIds(context.settings.stack, found.map((c) => c.id));
  if (found.length === 0) context.log(`${kind.noun} ${kind.name}${where} is already gone`);
}
