import type { PlanetScaleClient } from '../../api/client';
import { SERVICE_TOKENS_REFUSED, USE_ACCESS_TOKEN } from '../../api/credentials';
import { PlanetScaleApiError } from '../../api/errors';
import type { OrganizationServiceToken } from '../../api/types';
import type { TokenDeclaration } from '../../model/desired-state';
import { managedNameOf, parseOwnedName, type ManagedName } from '../../model/naming';
import type { OutputEntry } from '../../outputs/entries';
import type { CreateReason } from '../changes';
import { undoAfter } from '../deliver';
import type { ChangeHandlers, Deletion, Execution } from '../execution';
import { byObject, choose, createReason, hasExpired, nearingExpiry, newest, timeLeft } from '../generations';
import { additionsOf, declaredGrants, describeGrants, describeResource, grantDifference, lacking, type GrantMap, type GrantStep } from '../grants';
import { CREATE_REASON_TEXT, issueCredential, orphansDeleted, reasonSuffix } from '../issue';
import type { Planning } from '../planning';
import { unlistedAt } from '../unlisted';

/**
 * An organization service token and its access grants: how it is listed, planned, carried out and shown. Name and
 * TTL are fixed at creation (a token cannot be renamed: another name is another token); grants change in place, by
 * exactly the difference, removals first.
 */

export interface LiveToken {
  readonly value: OrganizationServiceToken;
  readonly name: ManagedName;
}

export interface TokenTarget {
  readonly kind: 'service token';
  readonly live: LiveToken;
}

export interface CreateToken {
  readonly kind: 'create-token';
  readonly path: string;
  readonly declaration: TokenDeclaration;
  readonly name: string;
  readonly reason: CreateReason;
  readonly orphans: readonly LiveToken[];
  readonly grants: GrantMap;
  /** The grants of the generation it replaces, when it replaces one whose grants could be read. */
  readonly previousGrants?: GrantMap;
}

export interface UpdateGrants {
  readonly kind: 'update-grants';
  readonly path: string;
  readonly live: LiveToken;
  readonly steps: readonly GrantStep[];
}

export type TokenChange = CreateToken | UpdateGrants;

// ---- listing -----------------------------------------------------------------------------------------------------

/** The owner's service tokens in the organization. */
export async function listOwnedTokens(client: PlanetScaleClient, owner: string): Promise<LiveToken[]> {
  let tokens: OrganizationServiceToken[];
  try {
    tokens = await client.listServiceTokens();
  } catch (error) {
    // A service token may be refused these routes altogether (planetscale/cli PR #758): say what to do about it.
    if (error instanceof PlanetScaleApiError && error.isNotFound && !client.usesAccessToken) {
      throw new PlanetScaleApiError(
        `${error.message}; or PlanetScale does not let service tokens manage service tokens (${SERVICE_TOKENS_REFUSED}): grant the deploy ` +
          `token read_service_tokens, write_service_tokens and delete_service_tokens on the organization, or ${USE_ACCESS_TOKEN}`,
        error.status,
        error.code,
        error.context,
        error.apiMessage,
      );
    }
    throw error;
  }
  return tokens.flatMap((value) => {
    const name = typeof value.name === 'string' ? parseOwnedName(value.name, owner) : undefined;
    return name ? [{ value, name }] : [];
  });
}

// ---- planning ----------------------------------------------------------------------------------------------------

/** Plans every declared token, and the removal of the owner's tokens no declaration claims. */
export async function planTokens(planning: Planning, declared: readonly TokenDeclaration[]): Promise<void> {
  const { inventory } = planning.input;
  const unlisted = unlistedAt(inventory, { tokens: true });
  const byConstruct = byObject(inventory.tokens, (t) => t.name.object);
  for (const declaration of declared) {
    if (!unlisted) await planToken(planning, declaration, byConstruct.get(declaration.object) ?? []);
    else if (unlisted.refused) planning.problem(declaration.path, `cannot see the organization's service tokens: ${unlisted.reason}`);
  }
  if (unlisted) return;
  const objects = new Set(declared.map((t) => t.object));
  for (const live of inventory.tokens) {
    if (objects.has(live.name.object)) continue;
    planning.changes.push({ kind: 'delete', path: live.value.name ?? live.value.id, target: { kind: 'service token', live }, reason: planning.removal });
  }
}

async function planToken(planning: Planning, declaration: TokenDeclaration, instances: readonly LiveToken[]): Promise<void> {
  const { path } = declaration;
  const { input, now, changes } = planning;
  const name = managedNameOf(declaration, planning.owner);
  const here = instances.filter((t) => t.value.name === name);
  const elsewhere = instances.filter((t) => !here.includes(t));
  const recorded = input.entries[path];
  const { kept, orphans } = choose(here, recorded, input.pending.has(name), now);
  const grants = declaredGrants(declaration);
  const expired = kept !== undefined && hasExpired(kept.value.expires_at, now);
  if (!kept || expired) {
    const lacks = await planning.deployerLacks(grants);
    if (lacks) {
      planning.problem(path, lacks);
      return;
    }
    const previous = newest(elsewhere) ?? (expired ? kept : undefined);
    const previousGrants = previous ? await input.grantsOf(previous) : undefined;
    changes.push({
      kind: 'create-token',
      path,
      declaration,
      name,
      reason: createReason({ expired, orphans: orphans.length, otherGenerations: elsewhere.length, recorded: recorded !== undefined }),
      orphans,
      grants,
      previousGrants: previousGrants && !('unreadable' in previousGrants) ? (previousGrants as GrantMap) : undefined,
    });
    if (expired) changes.push({ kind: 'delete', path, target: { kind: 'service token', live: kept }, reason: 'expired', after: path });
  } else {
    for (const orphan of orphans) changes.push({ kind: 'delete', path, target: { kind: 'service token', live: orphan }, reason: 'duplicate' });
    await planGrants(planning, path, name, kept, grants);
    const expiresAt = kept.value.expires_at;
    if (expiresAt !== null && nearingExpiry(kept.value, now, input.expiringWithinSeconds)) {
      planning.expiring(path, `service token ${name} expires ${expiresAt} (${timeLeft(expiresAt, now)}); tokens cannot be renewed: change its \`rotation\` label`);
    }
    planning.kept(path, kept.value.id, recorded, 'service token', name);
  }
  for (const previous of elsewhere) changes.push({ kind: 'delete', path, target: { kind: 'service token', live: previous }, reason: 'previous generation', after: path });
}

/** The grant edit of a kept token: exactly the difference, if the deploy token may give what it adds. */
async function planGrants(planning: Planning, path: string, name: string, kept: LiveToken, grants: GrantMap): Promise<void> {
  const current = await planning.input.grantsOf(kept);
  if ('unreadable' in current) {
    if (grants.size > 0) planning.problem(path, `cannot read the grants of service token ${name}: ${current.unreadable}`);
    else planning.notices.push({ path, kind: 'grants-unreadable', message: `the grants of service token ${name} cannot be read (${current.unreadable}); none are declared` });
    return;
  }
  const steps = grantDifference(grants, current as GrantMap);
  const lacks = await planning.deployerLacks(additionsOf(steps));
  if (lacks) planning.problem(path, lacks);
  else if (steps.length > 0) planning.changes.push({ kind: 'update-grants', path, live: kept, steps });
}

// ---- carrying out ------------------------------------------------------------------------------------------------

/** What to use instead when grants are refused, for the credential in use. */
function instead(client: PlanetScaleClient): string {
  const elsewhere = 'or set the grants in the PlanetScale console';
  return client.usesAccessToken
    ? `deploy as an organization administrator who holds these accesses, ${elsewhere}`
    : `${USE_ACCESS_TOKEN} or with a credential that holds these accesses, ${elsewhere}`;
}

/** A refused grant edit (404, or 403), as one line saying why and what to use instead. */
function explainGrantRefusal(client: PlanetScaleClient, error: unknown, change: string): unknown {
  if (!(error instanceof PlanetScaleApiError) || (error.status !== 404 && error.status !== 403)) return error;
  const cause = client.usesAccessToken
    ? 'the deploy OAuth access token may not grant them'
    : `the deploy service token may not change service-token grants (${SERVICE_TOKENS_REFUSED}) or does not hold these accesses itself`;
  return new Error(`PlanetScale refused to ${change} (HTTP ${error.status}): ${cause}; ${instead(client)}`);
}

/** Removals first: a refused addition then leaves the token narrower than declared, never wider. */
async function applyGrantSteps(run: Execution, token: { id: string; name: string }, steps: readonly GrantStep[]): Promise<void> {
  const { client } = run;
  for (const step of ['remove', 'add'] as const) {
    for (const entry of steps) {
      const accesses = entry[step];
      if (accesses.length === 0) continue;
      const where = describeResource(entry.resource);
      const request = { database: entry.resource, access: [...accesses] };
      try {
        if (step === 'add') await client.addServiceTokenAccess(token.id, request);
        else await client.deleteServiceTokenAccess(token.id, request);
      } catch (error) {
        const change = step === 'add' ? `grant ${accesses.join(', ')} on ${where} to service token ${token.name}` : `revoke ${accesses.join(', ')} on ${where} from service token ${token.name}`;
        throw explainGrantRefusal(client, error, change);
      }
      run.log(`${step === 'add' ? 'granted' : 'revoked'} ${accesses.join(', ')} on ${where} ${step === 'add' ? 'to' : 'from'} ${token.name} (${token.id})`);
    }
  }
}

async function createToken(change: CreateToken, run: Execution): Promise<void> {
  const { declaration: d, name } = change;
  const { client } = run;
  const owned = parseOwnedName(name, run.owner)!;
  const target = (value: OrganizationServiceToken): TokenTarget => ({ kind: 'service token', live: { value, name: owned } });
  const request = { name, ttl: d.ttl_seconds ?? undefined };
  const created = await issueCredential(run, {
    what: 'service token',
    name,
    orphans: change.orphans.map((orphan) => target(orphan.value)),
    create: () => client.createServiceToken(request),
    findByName: async () => (await client.listServiceTokens()).filter((t) => t.name === name).map(target),
  });
  const undo = async () => {
    await run.delete(target(created));
    // The credential is gone: a journal write failing now only leaves a name the next run settles.
    await run.outputs.clearPending([name]).catch(() => undefined);
  };
  // Grants before the value is handed out: if they cannot be set, no token exists whose grants differ from the code.
  const steps = [...change.grants].map(([resource, accesses]) => ({ resource, add: [...accesses].sort(), remove: [] }));
  try {
    await applyGrantSteps(run, { id: created.id, name }, steps);
  } catch (error) {
    await undoAfter(undo, (error as Error).message, `service token ${name} (${created.id})`);
  }
  const entry: OutputEntry = {
    kind: 'service-token',
    id: created.id,
    name,
    organization: run.organization,
    expires_at: created.expires_at,
    token: created.token,
    env: { PLANETSCALE_SERVICE_TOKEN_ID: created.id, PLANETSCALE_SERVICE_TOKEN: created.token },
  };
  run.deliver(change.path, entry, undo, () =>
    run.log(`created service token ${name} (${created.id})${created.expires_at ? `, expires ${created.expires_at}` : ''}${reasonSuffix(change.reason)}`),
  );
}

async function updateGrants(change: UpdateGrants, run: Execution): Promise<void> {
  const { value } = change.live;
  await applyGrantSteps(run, { id: value.id, name: value.name ?? value.id }, change.steps);
  run.counts.changed += 1;
}

// ---- reporting ---------------------------------------------------------------------------------------------------

/**
 * Against the generation it replaces when its grants are known; a new token, or one whose predecessor's grants could
 * not be read, widens by everything it is granted. Re-creating a token deleted outside code, or whose create was
 * interrupted, gives back what was reviewed before.
 */
function createWidening(change: CreateToken): string[] {
  const known = change.previousGrants;
  const fresh = change.reason === 'new' || change.reason === 'new generation' || change.reason === 'expired';
  const added = known ? lacking(known, change.grants) : fresh ? change.grants : new Map();
  if (added.size === 0) return [];
  const what = known ? 'grant added' : 'new token with grants';
  return [`${added.has('') ? `${what} (organization-level)` : what}: ${describeGrants(added)}`];
}

function describeSteps(steps: readonly GrantStep[]): string {
  return steps
    .flatMap((s) => [
      ...(s.add.length > 0 ? [`+ ${s.add.join(', ')} on ${describeResource(s.resource)}`] : []),
      ...(s.remove.length > 0 ? [`- ${s.remove.join(', ')} on ${describeResource(s.resource)}`] : []),
    ])
    .join('; ');
}

export const TOKEN_CHANGES: ChangeHandlers<TokenChange['kind']> = {
  'create-token': {
    phase: 'issue',
    sign: '+',
    carryOut: createToken,
    describe: (change) =>
      `create service token ${change.path} with ${describeGrants(change.grants)}: ${CREATE_REASON_TEXT[change.reason]}; new secret${orphansDeleted(change.orphans.length)}`,
    widening: createWidening,
  },
  'update-grants': {
    phase: 'in-place',
    sign: '~',
    carryOut: updateGrants,
    describe: (change) => `update grants of ${change.path} (same token): ${describeSteps(change.steps)}`,
    widening: (change) => {
      const added = additionsOf(change.steps);
      return added.size > 0 ? [`${added.has('') ? 'organization-level access added' : 'grant added'}: ${describeGrants(added)}`] : [];
    },
  },
};

// ---- deletion ----------------------------------------------------------------------------------------------------

export function tokenDeletion(client: PlanetScaleClient, target: TokenTarget): Deletion {
  const { value } = target.live;
  return {
    remove: () => client.deleteServiceToken(value.id),
    stillExists: async () => (await client.listServiceTokens()).some((t) => t.id === value.id),
    needs: client.describeNeeds('delete_service_token'),
  };
}

export function describeTokenTarget(target: TokenTarget): string {
  return `service token ${target.live.value.name ?? '(unnamed)'} (${target.live.value.id})`;
}
