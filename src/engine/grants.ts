import type { PlanetScaleClient } from '../api/client';
import { grantTarget } from '../api/types';
import type { TokenDeclaration } from '../model/desired-state';

/** Accesses per resource: a database name, or '' for the organization. */
export type GrantMap = ReadonlyMap<string, ReadonlySet<string>>;

export function declaredGrants(declaration: Pick<TokenDeclaration, 'databases' | 'organization_accesses'>): GrantMap {
  const map = new Map<string, Set<string>>(Object.entries(declaration.databases).map(([db, accesses]) => [db, new Set(accesses)]));
  if (declaration.organization_accesses.length > 0) map.set('', new Set(declaration.organization_accesses));
  return map;
}

/** A token's grants, read from `/grants` (all pages), where PlanetScale's CLI reads them (planetscale/cli PR #583). */
export async function readGrants(client: PlanetScaleClient, tokenId: string): Promise<GrantMap> {
  const current = new Map<string, Set<string>>();
  for (const grant of await client.getServiceTokenGrants(tokenId)) {
    const resource = grantTarget({ type: grant.resource_type, name: grant.resource_name });
    const set = current.get(resource) ?? new Set<string>();
    for (const { access } of grant.accesses) set.add(access);
    current.set(resource, set);
  }
  return current;
}

export interface GrantStep {
  /** A database name, or '' for the organization. */
  readonly resource: string;
  readonly add: readonly string[];
  readonly remove: readonly string[];
}

/** Per resource, what to add and remove to make `current` into `desired`; resources with nothing to do are left out. */
export function grantDifference(desired: GrantMap, current: GrantMap): GrantStep[] {
  const resources = [...new Set([...desired.keys(), ...current.keys()])].sort();
  return resources
    .map((resource) => {
      const want = desired.get(resource) ?? new Set<string>();
      const have = current.get(resource) ?? new Set<string>();
      return { resource, add: [...want].filter((a) => !have.has(a)).sort(), remove: [...have].filter((a) => !want.has(a)).sort() };
    })
    .filter((step) => step.add.length > 0 || step.remove.length > 0);
}

export function describeResource(resource: string): string {
  return resource === '' ? 'the organization' : `database ${resource}`;
}

/** "read_branch, create_branch on database shop; read_databases on the organization". */
export function describeGrants(grants: GrantMap): string {
  return [...grants].map(([resource, accesses]) => `${[...accesses].sort().join(', ')} on ${describeResource(resource)}`).join('; ') || 'none';
}

/**
 * "A credential may only grant accesses it holds itself": of `wanted`, what a credential holding `held` lacks. A grant
 * on the organization covers every database.
 */
export function lacking(held: GrantMap, wanted: GrantMap): GrantMap {
  const organizationWide = held.get('') ?? new Set<string>();
  const missing = new Map<string, Set<string>>();
  for (const [resource, accesses] of wanted) {
    const lacks = [...accesses].filter((a) => !organizationWide.has(a) && !(resource !== '' && held.get(resource)?.has(a)));
    if (lacks.length > 0) missing.set(resource, new Set(lacks));
  }
  return missing;
}

/** The additions of a set of steps, as a grant map. */
export function additionsOf(steps: readonly GrantStep[]): GrantMap {
  return new Map(steps.filter((s) => s.add.length > 0).map((s) => [s.resource, new Set(s.add)]));
}
