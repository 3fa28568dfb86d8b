import { HandlerError } from './context';
import type { PlanetScaleClient } from '../api/client';
import { PlanetScaleApiError } from '../api/errors';
import type { Password } from '../api/types';

/** Passwords on the branch whose name is exactly `name` (the API's `q` narrows the list; equality decides). */
export async function passwordsNamed(client: PlanetScaleClient, database: string, branch: string, name: string): Promise<Password[]> {
  const found = await client.listPasswords(database, branch, { q: name });
  return found.filter((p) => p.name === name);
}

/** Deletes a password, treating "already gone" as done (deletes are retried and may find their work done). */
export async function deletePasswordIfPresent(client: PlanetScaleClient, database: string, branch: string, id: string): Promise<boolean> {
  try {
    await client.deletePassword(database, branch, id);
    return true;
  } catch (error) {
    if (error instanceof PlanetScaleApiError && error.isNotFound) return false;
    throw error;
  }
}

/**
 * Turns a 404 on a branch-scoped call into a message saying which part does not exist, and a database of the wrong
 * kind into a message saying what to use instead. Other errors pass through unchanged.
 */
export async function explainScopeError(client: PlanetScaleClient, error: unknown, database: string, branch: string): Promise<unknown> {
  const is404 = error instanceof PlanetScaleApiError && error.isNotFound;
  const is422 = error instanceof PlanetScaleApiError && error.status === 422;
  if (!is404 && !is422) return error;
  const org = client.organization;
  let kind: string;
  try {
    kind = (await client.getDatabase(database)).kind;
  } catch (lookup) {
    if (lookup instanceof PlanetScaleApiError && lookup.isNotFound) {
      return new HandlerError(`database ${database} not found in organization ${org} (check the names, and that the service token can see it)`);
    }
    return error;
  }
  if (kind !== 'mysql') {
    return new HandlerError(
      `database ${database} in organization ${org} is a Postgres database; branch passwords need a MySQL/Vitess database ` +
        '(for Postgres, use IpRestriction with `database` for IP rules)',
    );
  }
  if (is404) {
    try {
      await client.getBranch(database, branch);
    } catch (lookup) {
      if (lookup instanceof PlanetScaleApiError && lookup.isNotFound) {
        return new HandlerError(`branch ${branch} not found in database ${database} (organization ${org})`);
      }
    }
  }
  return error;
}
