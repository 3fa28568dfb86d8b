import { HandlerError, type HandlerContext } from './context';
import { tokensNamed } from './lookup';
import type { PlanetScaleClient } from '../api/client';
import { SERVICE_TOKENS_REFUSED, USE_ACCESS_TOKEN } from '../api/credentials';
import { PlanetScaleApiError } from '../api/errors';
import { grantTarget } from '../api/types';
import type { ServiceTokenGrantsSpec } from '../spec/resource-specs';

/** Accesses per resource: a database name, or '' for the organization. */
export type GrantMap = Map<string, Set<string>>;

export function desiredGrants(spec: Pick<ServiceTokenGrantsSpec, 'databases' | 'organization_accesses'>): GrantMap {
  const map: GrantMap = new Map(Object.entries(spec.databases).map(([db, accesses]) => [db, new Set(accesses)]));
  if (spec.organization_accesses.length > 0) map.set('', new Set(spec.organization_accesses));
  return map;
}

function describeResource(resource: string): string {
  return resource === '' ? 'the organization' : `database ${resource}`;
}

/** A token's grants, read from `/grants` (all pages), where PlanetScale's CLI reads them (planetscale/cli PR #583). */
export async function currentGrants(client: PlanetScaleClient, tokenId: string): Promise<GrantMap> {
  const current: GrantMap = new Map();
  for (const grant of await client.getServiceTokenGrants(tokenId)) {
    const resource = grantTarget({ type: grant.resource_type, name: grant.resource_name });
    const set = current.get(resource) ?? new Set<string>();
    for (const { access } of grant.accesses) set.add(access);
    current.set(resource, set);
  }
  return current;
}

/** What to use instead when grants are refused, for the credential in use. */
function instead(client: PlanetScaleClient): string {
  const elsewhere = 'or set the grants in the PlanetScale console';
  return client.usesAccessToken
    ? `deploy as an organization administrator who holds these accesses, ${elsewhere}`
    : `${USE_ACCESS_TOKEN} or with a credential that holds these accesses, ${elsewhere}`;
}

/** Whether an error is PlanetScale refusing the call (404, as it refuses a missing access, or 403). */
function isRefusal(error: unknown): error is PlanetScaleApiError {
  return error instanceof PlanetScaleApiError && (error.status === 404 || error.status === 403);
}

/** A refused grant change, as one line that says what to use instead. Other errors pass through. */
function explainGrantRefusal(client: PlanetScaleClient, error: unknown, change: string): unknown {
  if (!isRefusal(error)) return error;
  const cause = client.usesAccessToken
    ? 'the deploy OAuth access token may not grant them'
    : `the deploy service token may not change service-token grants (${SERVICE_TOKENS_REFUSED}) or does not hold these accesses itself`;
  return new HandlerError(`PlanetScale refused to ${change} (HTTP ${error.status}): ${cause}; ${instead(client)}`);
}

/**
 * "A credential may only grant accesses it holds itself": when the deploy credential is a service token whose own
 * grants can be read, the accesses it lacks are named before anything is created. Where they cannot be read (an OAuth
 * token, or a token that may not read grants), the API's answer decides.
 */
export async function checkDeployerHolds(context: HandlerContext, desired: GrantMap): Promise<void> {
  const { client } = context;
  if (client.serviceTokenId === undefined || desired.size === 0) return;
  let held: GrantMap;
  try {
    held = await currentGrants(client, client.serviceTokenId);
  } catch (error) {
    if (error instanceof PlanetScaleApiError) return;
    throw error;
  }
  const organizationWide = held.get('') ?? new Set<string>();
  const missing: string[] = [];
  for (const [resource, accesses] of desired) {
    const lacking = [...accesses].filter((a) => !organizationWide.has(a) && !(resource !== '' && held.get(resource)?.has(a))).sort();
    if (lacking.length > 0) missing.push(`${lacking.join(', ')} on ${describeResource(resource)}`);
  }
  if (missing.length > 0) {
    throw new HandlerError(
      `the deploy service token ${client.serviceTokenId} does not hold ${missing.join('; ')}, and a credential may only grant ` +
        `accesses it holds itself; give the deploy token those accesses, or ${instead(client)}`,
    );
  }
}

/**
 * Makes `current` into `desired` on the token by exactly the difference: removals first, so a refused addition leaves
 * the token narrower than declared, never wider. Returns the number of accesses changed.
 */
/** Per resource, what to add and what to remove to make `current` into `desired`. */
export function grantDifference(desired: GrantMap, current: GrantMap): { resource: string; add: string[]; remove: string[] }[] {
  const resources = [...new Set([...desired.keys(), ...current.keys()])].sort();
  return resources.map((resource) => {
    const want = desired.get(resource) ?? new Set<string>();
    const have = current.get(resource) ?? new Set<string>();
    return {
      resource,
      add: [...want].filter((a) => !have.has(a)).sort(),
      remove: [...have].filter((a) => !want.has(a)).sort(),
    };
  });
}

/** Only the additions of a difference: what the deploy credential must hold to make it. */
export function additions(desired: GrantMap, current: GrantMap): GrantMap {
  return new Map(grantDifference(desired, current).filter((d) => d.add.length > 0).map((d) => [d.resource, new Set(d.add)]));
}

export async function reconcileGrants(
  context: HandlerContext,
  token: { readonly id: string; readonly name: string },
  desired: GrantMap,
  current: GrantMap,
): Promise<number> {
  const { client, log } = context;
  const diff = grantDifference(desired, current);
  let changes = 0;
  for (const step of ['remove', 'add'] as const) {
    for (const entry of diff) {
      const accesses = entry[step];
      if (accesses.length === 0) continue;
      const request = { database: entry.resource, access: accesses };
      const where = describeResource(entry.resource);
      const change = step === 'add' ? `grant ${accesses.join(', ')} on ${where} to service token ${token.name}` : `revoke ${accesses.join(', ')} on ${where} from service token ${token.name}`;
      try {
        if (step === 'add') await client.addServiceTokenAccess(token.id, request);
        else await client.deleteServiceTokenAccess(token.id, request);
      } catch (error) {
        throw explainGrantRefusal(client, error, change);
      }
      log(`${step === 'add' ? 'granted' : 'revoked'} ${accesses.join(', ')} on ${where} ${step === 'add' ? 'to' : 'from'} ${token.name} (${token.id})`);
      changes += accesses.length;
    }
  }
  return changes;
}

/**
 * Makes the token's grants exactly the declared ones, on the same token: removes what is no longer declared and adds
 * what is missing, per database and on the organization, leaving everything else as it is.
 */
export async function applyServiceTokenGrants(context: HandlerContext, spec: ServiceTokenGrantsSpec): Promise<void> {
  const tokens = await tokensNamed(context, spec.token);
  if (tokens.length === 0) {
    throw new HandlerError(`service token ${spec.token} does not exist (deleted outside Terraform?); change its rotation label to create a new one`);
  }
  const desired = desiredGrants(spec);
  for (const token of tokens) {
    let current: GrantMap;
    try {
      current = await currentGrants(context.client, token.id);
    } catch (error) {
      // A token declared without grants has nothing to apply: a refused read is no reason to fail.
      if (desired.size === 0 && isRefusal(error)) {
        context.log(`grants of ${spec.token} (${token.id}) cannot be read (HTTP ${error.status}); none are declared, so nothing is changed`);
        continue;
      }
      throw explainGrantRefusal(context.client, error, `read the grants of service token ${spec.token}`);
    }
    await checkDeployerHolds(context, additions(desired, current));
    const changes = await reconcileGrants(context, { id: token.id, name: spec.token }, desired, current);
    if (changes === 0) context.log(`grants of ${spec.token} (${token.id}) already match`);
  }
}
