import { HandlerError } from './context';
import { PlanetScaleApiError } from '../api/errors';

/** One object to delete, and how to look for it again. */
export interface DeleteTarget {
  /** "password app.access.1a2b3c4d.5e6f7a8b (abc123def456) on shop/main". */
  readonly what: string;
  readonly remove: () => Promise<void>;
  /** Whether the object still exists, through a listing that shows it; throws when the listing fails. */
  readonly stillExists: () => Promise<boolean>;
  /** What the credential needs to delete it: "delete_branch_password (development branch) on database shop". */
  readonly needs: string;
  /** "service token" or "OAuth access token". */
  readonly credential: string;
}

/**
 * Deletes an object. PlanetScale answers 404 both for an object that is gone and for a credential that lacks the
 * access (planetscale/cli PR #1067), so a 404 only counts as "already gone" once a lookup that can see the object no
 * longer shows it. Otherwise the error names the object and the access its delete needs, and the caller keeps
 * everything it holds about the object (its outputs entry above all): a live credential must never lose its record.
 */
export async function deleteConfirmed(target: DeleteTarget): Promise<'deleted' | 'already-gone'> {
  try {
    await target.remove();
    return 'deleted';
  } catch (error) {
    if (!(error instanceof PlanetScaleApiError) || !error.isNotFound) throw error;
  }
  let exists: boolean;
  try {
    exists = await target.stillExists();
  } catch (lookup) {
    throw new HandlerError(
      `could not delete ${target.what}: the API answered 404 Not Found, and looking the object up again failed too ` +
        `(${(lookup as Error).message}); it may still exist: the ${target.credential} needs ${target.needs}. If its database or ` +
        'branch was deleted, the object went with it: remove its entry from the outputs file and the resource from Terraform state',
    );
  }
  if (exists) {
    throw new HandlerError(
      `could not delete ${target.what}: the API answered 404 Not Found but the object still exists, so the ` +
        `${target.credential} lacks the access to delete it: it needs ${target.needs}`,
    );
  }
  return 'already-gone';
}

/** Runs every step, then fails with one line per failed step (a failure of one does not stop the others). */
export async function allSettled(steps: readonly (() => Promise<void>)[]): Promise<void> {
  const failures: string[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      failures.push((error as Error).message);
    }
  }
  if (failures.length === 1) throw new HandlerError(failures[0]);
  if (failures.length > 1) throw new HandlerError(`${failures.length} deletions failed:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
}
