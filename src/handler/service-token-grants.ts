import { HandlerError, type HandlerContext } from './context';
import { tokensNamed } from './service-token';
import type { ServiceTokenGrantsSpec } from '../spec/resource-specs';

/** Accesses per resource: a database name, or '' for the organization. */
type GrantMap = Map<string, Set<string>>;

function desiredGrants(spec: ServiceTokenGrantsSpec): GrantMap {
  const map: GrantMap = new Map(Object.entries(spec.databases).map(([db, accesses]) => [db, new Set(accesses)]));
  if (spec.organization_accesses.length > 0) map.set('', new Set(spec.organization_accesses));
  return map;
}

function describeResource(resource: string): string {
  return resource === '' ? 'the organization' : `database ${resource}`;
}

/**
 * Makes the token's grants exactly the declared ones, on the same token: adds what is missing and removes what is
 * no longer declared, per database and on the organization, leaving everything else as it is.
 */
export async function applyServiceTokenGrants(context: HandlerContext, spec: ServiceTokenGrantsSpec): Promise<void> {
  const { client, log } = context;
  const tokens = await tokensNamed(context, spec.token);
  if (tokens.length === 0) {
    throw new HandlerError(`service token ${spec.token} does not exist (deleted outside Terraform?); change its rotation label to create a new one`);
  }
  const desired = desiredGrants(spec);
  for (const token of tokens) {
    const current: GrantMap = new Map();
    for (const access of await client.getServiceTokenAccesses(token.id)) {
      const resource = access.resource_type === 'Organization' ? '' : access.resource_name;
      current.set(resource, (current.get(resource) ?? new Set()).add(access.access));
    }
    let changes = 0;
    for (const resource of new Set([...desired.keys(), ...current.keys()])) {
      const want = desired.get(resource) ?? new Set<string>();
      const have = current.get(resource) ?? new Set<string>();
      const add = [...want].filter((a) => !have.has(a)).sort();
      const remove = [...have].filter((a) => !want.has(a)).sort();
      const target = resource === '' ? {} : { database: resource };
      if (add.length > 0) {
        await client.addServiceTokenAccess(token.id, { ...target, access: add });
        log(`granted ${add.join(', ')} on ${describeResource(resource)} to ${spec.token} (${token.id})`);
      }
      if (remove.length > 0) {
        await client.deleteServiceTokenAccess(token.id, { ...target, access: remove });
        log(`revoked ${remove.join(', ')} on ${describeResource(resource)} from ${spec.token} (${token.id})`);
      }
      changes += add.length + remove.length;
    }
    if (changes === 0) log(`grants of ${spec.token} (${token.id}) already match`);
  }
}

