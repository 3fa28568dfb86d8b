import type { DeleteTarget, Successor } from './plan';
import type { PlanetScaleClient } from '../api/client';
import { PlanetScaleApiError } from '../api/errors';
import { DEFAULT_SUCCESSOR } from '../model/postgres-roles';

/** One object to delete, and how to look for it again. */
interface Deletion {
  /** "password app.access.1a2b3c4d.5e6f7a8b (abc123def456) on shop/main". */
  readonly what: string;
  readonly remove: () => Promise<void>;
  /** Whether the object still exists, through a listing that shows it; throws when the listing fails. */
  readonly stillExists: () => Promise<boolean>;
  /** What the credential needs to delete it: "delete_branch_password (development branch) on database shop". */
  readonly needs: string;
}

/**
 * Deletes an object. PlanetScale answers 404 both for an object that is gone and for a credential that lacks the
 * access (planetscale/cli PR #1067), so a 404 only counts as "already gone" once a lookup that can see the object no
 * longer shows it. Otherwise the error names the object and the access its delete needs, and the caller keeps
 * everything it holds about the object (its outputs entry above all): a live credential must never lose its record.
 */
async function deleteConfirmed(client: PlanetScaleClient, deletion: Deletion): Promise<'deleted' | 'already gone'> {
  try {
    await deletion.remove();
    return 'deleted';
  } catch (error) {
    if (!(error instanceof PlanetScaleApiError) || !error.isNotFound) throw error;
  }
  let exists: boolean;
  try {
    exists = await deletion.stillExists();
  } catch (lookup) {
    throw new Error(
      `could not delete ${deletion.what}: the API answered 404 Not Found, and looking the object up again failed too ` +
        `(${(lookup as Error).message}); it may still exist: the ${client.credentialName} needs ${deletion.needs}. If its database or ` +
        'branch was deleted, the object went with it',
    );
  }
  if (exists) {
    throw new Error(
      `could not delete ${deletion.what}: the API answered 404 Not Found but the object still exists, so the ` +
        `${client.credentialName} lacks the access to delete it: it needs ${deletion.needs}`,
    );
  }
  return 'already gone';
}

/** "password app.access.… (id) on shop/main", "service token ci.access.… (id)", "IP rule id (marker) on analytics". */
export function describeTarget(target: DeleteTarget): string {
  switch (target.kind) {
    case 'password':
      return `password ${target.live.value.name} (${target.live.value.id}) on ${target.live.database}/${target.live.branch}`;
    case 'role':
      return `role ${target.live.value.name} (${target.live.value.id}) on ${target.live.database}/${target.live.branch}, its objects to ${describeSuccessor(target.successor)}`;
    case 'service token':
      return `service token ${target.live.value.name ?? '(unnamed)'} (${target.live.value.id})`;
    case 'IP rule':
      return `IP rule ${target.live.value.id} (${target.live.marker.display}) on ${target.live.database}`;
  }
}

/** "the default role postgres", "role <id>", "the role of <path>"; null is the default role. */
export function describeSuccessor(successor: Successor | null): string {
  if (successor === null) return `the default role ${DEFAULT_SUCCESSOR}`;
  if ('path' in successor) return `the role of ${successor.path}`;
  return successor.role === DEFAULT_SUCCESSOR ? `the default role ${DEFAULT_SUCCESSOR}` : `role ${successor.role}`;
}

/**
 * Deletes one owned object, proving it gone when the API answers 404. A role's successor must be resolved to a role
 * name or id first (see execute.ts).
 */
export function deleteTarget(client: PlanetScaleClient, target: DeleteTarget): Promise<'deleted' | 'already gone'> {
  const what = describeTarget(target);
  switch (target.kind) {
    case 'password': {
      const { value, database, branch, production } = target.live;
      return deleteConfirmed(client, {
        what,
        remove: () => client.deletePassword(database, branch, value.id),
        stillExists: async () => (await client.listPasswords(database, branch, { q: value.name })).some((p) => p.id === value.id),
        needs: client.describeNeeds('delete_password', { database, kind: production ? 'production' : 'development' }),
      });
    }
    case 'role': {
      const { value, database, branch, production } = target.live;
      const { successor } = target;
      if ('path' in successor) throw new Error(`${what}: the new role of ${successor.path} does not exist, so its objects have nowhere to go`);
      return deleteConfirmed(client, {
        what,
        remove: () => client.deleteRole(database, branch, value.id, successor.role),
        stillExists: async () => (await client.listRoles(database, branch, { q: value.name })).some((r) => r.id === value.id),
        needs: client.describeNeeds('delete_role', { database, kind: production ? 'production' : 'development' }),
      });
    }
    case 'service token': {
      const { value } = target.live;
      return deleteConfirmed(client, {
        what,
        remove: () => client.deleteServiceToken(value.id),
        stillExists: async () => (await client.listServiceTokens()).some((t) => t.id === value.id),
        needs: client.describeNeeds('delete_service_token'),
      });
    }
    case 'IP rule': {
      const { value, database } = target.live;
      return deleteConfirmed(client, {
        what,
        remove: () => client.deletePostgresIpRule(database, value.id),
        stillExists: async () => (await client.listPostgresIpRules(database)).some((r) => r.id === value.id),
        needs: client.describeNeeds('delete_database_postgres_cidr', { database }),
      });
    }
  }
}
