import { unreachable, type DeleteTarget } from './changes';
import type { Deletion } from './execution';
import { describeRuleTarget, ruleDeletion } from './kinds/ip-rule';
import { describePasswordTarget, passwordDeletion } from './kinds/mysql-password';
import { describeRoleTarget, roleDeletion } from './kinds/postgres-role';
import { describeTokenTarget, tokenDeletion } from './kinds/service-token';
import type { PlanetScaleClient } from '../api/client';
import { PlanetScaleApiError } from '../api/errors';

export { describeSuccessor } from './kinds/postgres-role';

/**
 * Deletes an object. PlanetScale answers 404 both for an object that is gone and for a credential that lacks the
 * access (planetscale/cli PR #1067), so a 404 only counts as "already gone" once a lookup that can see the object no
 * longer shows it. Otherwise the error names the object and the access its delete needs, and the caller keeps
 * everything it holds about the object (its outputs entry above all): a live credential must never lose its record.
 */
async function deleteConfirmed(client: PlanetScaleClient, what: string, deletion: Deletion): Promise<'deleted' | 'already gone'> {
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
      `could not delete ${what}: the API answered 404 Not Found, and looking the object up again failed too ` +
        `(${(lookup as Error).message}); it may still exist: the ${client.credentialName} needs ${deletion.needs}. If its database or ` +
        'branch was deleted, the object went with it',
    );
  }
  if (exists) {
    throw new Error(
      `could not delete ${what}: the API answered 404 Not Found but the object still exists, so the ` +
        `${client.credentialName} lacks the access to delete it: it needs ${deletion.needs}`,
    );
  }
  return 'already gone';
}

/** "password app.access.… (id) on shop/main", "service token ci.access.… (id)", "IP rule id (marker) on analytics". */
export function describeTarget(target: DeleteTarget): string {
  switch (target.kind) {
    case 'password':
      return describePasswordTarget(target);
    case 'role':
      return describeRoleTarget(target);
    case 'service token':
      return describeTokenTarget(target);
    case 'IP rule':
      return describeRuleTarget(target);
    default:
      return unreachable(target);
  }
}

function deletionOf(client: PlanetScaleClient, target: DeleteTarget): Deletion {
  switch (target.kind) {
    case 'password':
      return passwordDeletion(client, target);
    case 'role':
      return roleDeletion(client, target);
    case 'service token':
      return tokenDeletion(client, target);
    case 'IP rule':
      return ruleDeletion(client, target);
    default:
      return unreachable(target);
  }
}

/**
 * Deletes one owned object, proving it gone when the API answers 404. A role's successor must be resolved to a role
 * name or id first (see execute.ts).
 */
export function deleteTarget(client: PlanetScaleClient, target: DeleteTarget): Promise<'deleted' | 'already gone'> {
  return deleteConfirmed(client, describeTarget(target), deletionOf(client, target));
}
