import { HandlerError } from './context';
import type { PlanetScaleClient } from '../api/client';
import { PlanetScaleApiError } from '../api/errors';
import type { DatabaseKind, Password } from '../api/types';

/** Runs a delete, treating "already gone" as done (deletes are retried and may find their work done). */
export async function deleteIfPresent(remove: () => Promise<void>): Promise<boolean> {
  try {
    await remove();
    return true;
  } catch (error) {
    if (error instanceof PlanetScaleApiError && error.isNotFound) return false;
    throw error;
  }
}

/** Where an object lives, and which kind of database it needs. */
export interface Scope {
  readonly database: string;
  readonly branch?: string;
  readonly needs: DatabaseKind;
}

const WRONG_KIND: Record<DatabaseKind, (database: string, organization: string) => string> = {
  mysql: (database, organization) =>
    `database ${database} in organization ${organization} is a Postgres database; branch passwords need a MySQL/Vitess database ` +
    '(for Postgres, use IpRestriction with `database` for IP rules)',
  postgresql: (database) =>
    `database ${database} is a MySQL/Vitess database; database IP rules are for Postgres (restrict a password with IpRestriction({ password }) instead)`,
};

/**
 * Turns a 404 or 422 on a database- or branch-scoped call into a message saying which part does not exist, or that
 * the database is of the wrong kind and what to use instead. Other errors pass through unchanged.
 */
export async function explainScopeError(client: PlanetScaleClient, error: unknown, scope: Scope): Promise<unknown> {
  const is404 = error instanceof PlanetScaleApiError && error.isNotFound;
  const is422 = error instanceof PlanetScaleApiError && error.status === 422;
  if (!is404 && !is422) return error;
  const { database, branch } = scope;
  const org = client.organization;
  let kind: DatabaseKind;
  try {
    kind = (await client.getDatabase(database)).kind;
  } catch (lookup) {
    if (lookup instanceof PlanetScaleApiError && lookup.isNotFound) {
      return new HandlerError(`database ${database} not found in organization ${org} (check the names, and that the service token can see it)`);
    }
    return error;
  }
  if (kind !== scope.needs) return new HandlerError(WRONG_KIND[scope.needs](database, org));
  if (is404 && branch !== undefined) {
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

/**
 * Passwords on the branch whose name is exactly `name` (the API's `q` narrows the list; equality decides). A missing
 * database or branch, or a Postgres database, is reported as such.
 */
export async function passwordsNamed(client: PlanetScaleClient, database: string, branch: string, name: string): Promise<Password[]> {
  try {
    return (await client.listPasswords(database, branch, { q: name })).filter((p) => p.name === name);
  } catch (error) {
    throw await explainScopeError(client, error, { database, branch, needs: 'mysql' });
  }
}
