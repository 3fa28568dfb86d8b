import type { PlanetScaleClient } from '../../api/client';
import type { PostgresRole } from '../../api/types';
import type { PasswordDeclaration } from '../../model/desired-state';
import { parseOwnedName, type ManagedName } from '../../model/naming';
import { addedRoles, DEFAULT_SUCCESSOR, inheritedRolesOf } from '../../model/postgres-roles';
import type { OutputEntry } from '../../outputs/entries';
import { postgresConnectionStrings } from '../../outputs/postgres-connection-strings';
import type { CreateReason } from '../changes';
import { recordRenewal, type ChangeHandlers, type Deletion, type Execution } from '../execution';
import { choose, createReason, hasExpired, newest } from '../generations';
import { CREATE_REASON_TEXT, issueCredential, orphansDeleted, reasonSuffix } from '../issue';
import type { Planning } from '../planning';

/**
 * A Postgres branch role (a `DatabasePassword` on a Postgres database): how it is listed, planned, carried out and
 * shown. Inherited roles and TTL are fixed at creation. A role owns what applications create with it, so it is never
 * dropped with its objects: a new generation inherits them from the one it replaces, and a removed role hands them to
 * its `successor` (else the branch's default role, postgres).
 */

/** A Postgres role the owner owns, where it lives, and its parsed name. */
export interface LiveRole {
  readonly value: PostgresRole;
  readonly database: string;
  readonly branch: string;
  readonly production: boolean;
  readonly name: ManagedName;
}

/**
 * Where a dropped Postgres role's objects go: a role name or id known when planning, or the role of a construct
 * path that this run creates (resolved once created).
 */
export type Successor = { readonly role: string } | { readonly path: string };

export interface RoleTarget {
  readonly kind: 'role';
  readonly live: LiveRole;
  readonly successor: Successor;
}

export interface CreateRole {
  readonly kind: 'create-role';
  readonly path: string;
  readonly declaration: PasswordDeclaration;
  readonly name: string;
  readonly reason: CreateReason;
  readonly orphans: readonly LiveRole[];
  /** The inherited roles it is created with. */
  readonly inherited: readonly string[];
  /** The inherited roles of the generation it replaces, to tell a widening. */
  readonly previousInherited?: readonly string[];
  readonly previousProduction?: boolean;
  readonly previousDatabase?: string;
  readonly production: boolean;
}

export interface RenameRole {
  readonly kind: 'rename-role';
  readonly path: string;
  readonly live: LiveRole;
  readonly to: string;
}

export interface RenewRole {
  readonly kind: 'renew-role';
  readonly path: string;
  readonly live: LiveRole;
  readonly expiresAt: string;
}

/** A changed `successor` prop: recorded in the outputs entry, where a removal finds it (no API call). */
export interface RecordSuccessor {
  readonly kind: 'record-successor';
  readonly path: string;
  readonly from: Successor | null;
  readonly to: Successor | null;
}

export type RoleChange = CreateRole | RenameRole | RenewRole | RecordSuccessor;

// ---- listing -----------------------------------------------------------------------------------------------------

/** The owner's roles on one branch (never the branch's default role). */
export async function listOwnedRoles(client: PlanetScaleClient, place: Omit<LiveRole, 'value' | 'name'>, owner: string): Promise<LiveRole[]> {
  const owned: LiveRole[] = [];
  for (const role of await client.listRoles(place.database, place.branch)) {
    const name = parseOwnedName(role.name, owner);
    if (name && !role.default) owned.push({ value: role, ...place, name });
  }
  return owned;
}

// ---- planning ----------------------------------------------------------------------------------------------------

/** A declared password on a Postgres branch: its role instances of this construct, and what the plan knows of it. */
export interface RolePlacement {
  readonly declaration: PasswordDeclaration;
  readonly name: string;
  readonly production: boolean;
  /** Live roles of this construct, every generation, anywhere. */
  readonly instances: readonly LiveRole[];
  /** How many instances of this construct exist as MySQL passwords (an earlier life on a MySQL database). */
  readonly otherEngineInstances: number;
}

function sameSuccessor(a: Successor | null | undefined, b: Successor | null): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b);
}

/**
 * Plans one declared role: keeps the instance of its generation whose secret is held (or creates one), renames and
 * renews it when due, records a changed successor; previous generations on its branch hand their objects to it.
 */
export function planRole(planning: Planning, placement: RolePlacement): void {
  const { declaration, name, production } = placement;
  const { path, database, branch } = declaration;
  const { now, changes } = planning;
  const recorded = planning.input.entries[path];
  const here = placement.instances.filter((r) => r.database === database && r.branch === branch && r.name.generation === declaration.generation);
  const elsewhere = placement.instances.filter((r) => !here.includes(r));
  const { kept, orphans } = choose(here, recorded, planning.input.pending.has(name), now);
  const expired = kept !== undefined && hasExpired(kept.value.expires_at, now);
  // The generation that inherits: the one this run creates (known once created), or the live one.
  let toNewGeneration: Successor = { path };
  if (!kept || expired) {
    const onThisBranch = elsewhere.filter((r) => r.database === database && r.branch === branch);
    const previous = newest(onThisBranch) ?? newest(elsewhere) ?? (expired ? kept : undefined);
    const recordedRole = recorded?.kind === 'password' && recorded.engine === 'postgresql' ? recorded : undefined;
    changes.push({
      kind: 'create-role',
      path,
      declaration,
      name,
      reason: createReason({
        expired,
        orphans: orphans.length,
        otherGenerations: elsewhere.length + placement.otherEngineInstances,
        recorded: recorded !== undefined,
      }),
      orphans,
      inherited: inheritedRolesOf(declaration),
      previousInherited: previous?.value.inherited_roles ?? recordedRole?.inherited_roles,
      previousProduction: previous?.production,
      previousDatabase: previous?.database ?? (recorded?.kind === 'password' ? recorded.database : undefined),
      production,
    });
    planning.roleOfPath.set(path, undefined);
    if (expired) changes.push({ kind: 'delete', path, target: { kind: 'role', live: kept, successor: toNewGeneration }, reason: 'expired', after: path });
  } else {
    const live = kept.value;
    planning.roleOfPath.set(path, { id: live.id, base_username: live.base_username });
    toNewGeneration = { role: live.id };
    for (const orphan of orphans) changes.push({ kind: 'delete', path, target: { kind: 'role', live: orphan, successor: { role: DEFAULT_SUCCESSOR } }, reason: 'duplicate' });
    if (kept.name.display !== declaration.display) changes.push({ kind: 'rename-role', path, live: kept, to: name });
    const renewable = live.expires_at !== null && (live.ttl ?? 0) > 0 && !live.expired;
    if (planning.dueForRenewal(path, { ...live, what: 'role', name }, declaration.renew_before_seconds, renewable)) {
      changes.push({ kind: 'renew-role', path, live: kept, expiresAt: live.expires_at! });
    }
    planning.kept(path, live.id, recorded, 'role', name);
    if (recorded?.id === live.id && recorded.kind === 'password' && recorded.engine === 'postgresql' && !sameSuccessor(recorded.successor, declaration.successor)) {
      changes.push({ kind: 'record-successor', path, from: recorded.successor, to: declaration.successor });
    }
  }
  // Previous generations on this branch hand their objects to the new one; elsewhere, objects stay on their branch.
  for (const previous of elsewhere) {
    const sameBranch = previous.database === database && previous.branch === branch;
    const successor = sameBranch ? toNewGeneration : { role: DEFAULT_SUCCESSOR };
    changes.push({ kind: 'delete', path, target: { kind: 'role', live: previous, successor }, reason: 'previous generation', after: path });
  }
}

/**
 * Plans the removal of an owned role no declaration claims. Its objects go where the outputs file says the construct
 * wanted them, while that still exists; else to the branch's default role. A destroy hands everything to the default
 * role: every other role goes too.
 */
export function planRoleRemoval(planning: Planning, live: LiveRole, declared: ReadonlyMap<string, PasswordDeclaration>): void {
  const { input } = planning;
  const recorded = Object.values(input.entries).find((e) => e.id === live.value.id);
  const wanted = !input.destroy && recorded?.kind === 'password' && recorded.engine === 'postgresql' ? recorded.successor : null;
  let successor: Successor = { role: DEFAULT_SUCCESSOR };
  let after: string | undefined;
  const heirDeclaration = wanted && 'path' in wanted ? declared.get(wanted.path) : undefined;
  if (wanted && 'role' in wanted) {
    successor = wanted;
  } else if (heirDeclaration && heirDeclaration.database === live.database && heirDeclaration.branch === live.branch) {
    // The heir's role on this branch: live, being created (wait for it), or unavailable (its own line says why; wait).
    const heir = planning.roleOfPath.get(heirDeclaration.path);
    successor = heir ? { role: heir.id } : { path: heirDeclaration.path };
    after = heir ? undefined : heirDeclaration.path;
  }
  planning.changes.push({ kind: 'delete', path: live.value.name, target: { kind: 'role', live, successor }, reason: planning.removal, ...(after ? { after } : {}) });
}

// ---- carrying out ------------------------------------------------------------------------------------------------

async function createRole(change: CreateRole, run: Execution): Promise<void> {
  const { declaration: d, name } = change;
  const { client } = run;
  const owned = parseOwnedName(name, run.owner)!;
  // A role whose secret never arrived was never used: nothing it could own needs a particular heir.
  const unused = (value: PostgresRole): RoleTarget => ({
    kind: 'role',
    live: { value, database: d.database, branch: d.branch, production: change.production, name: owned },
    successor: { role: DEFAULT_SUCCESSOR },
  });
  const request = { name, ttl: d.ttl_seconds ?? undefined, inherited_roles: [...change.inherited] };
  const created = await issueCredential(run, {
    what: 'role',
    name,
    orphans: change.orphans.map((orphan) => unused(orphan.value)),
    create: () => client.createRole(d.database, d.branch, request),
    findByName: async () => (await client.listRoles(d.database, d.branch, { q: name })).filter((r) => r.name === name).map(unused),
  });
  const entry: OutputEntry = {
    kind: 'password',
    engine: 'postgresql',
    id: created.id,
    name: created.name,
    username: created.username,
    base_username: created.base_username,
    host: created.access_host_url,
    database: d.database,
    branch: d.branch,
    database_name: created.database_name,
    role: d.inherited_roles ? null : d.role,
    inherited_roles: [...created.inherited_roles],
    expires_at: created.expires_at,
    password: created.password,
    connection_strings: postgresConnectionStrings({
      host: created.access_host_url,
      username: created.username,
      password: created.password,
      database: created.database_name,
      caBundle: run.caBundle,
    }),
    successor: d.successor,
  };
  const undo = async () => {
    await run.delete(unused(created));
    await run.outputs.clearPending([name]).catch(() => undefined);
  };
  run.deliver(change.path, entry, undo, () => {
    run.createdRoles.set(change.path, created);
    run.log(`created role ${name} (${created.id}) on ${d.database}/${d.branch}: inherits ${change.inherited.join(', ')}${reasonSuffix(change.reason)}`);
  });
}

async function renameRole(change: RenameRole, run: Execution): Promise<void> {
  const { value, database, branch } = change.live;
  await run.client.updateRole(database, branch, value.id, { name: change.to });
  run.counts.changed += 1;
  run.log(`renamed role ${value.name} (${value.id}) to ${change.to}`);
}

async function renewRole(change: RenewRole, run: Execution): Promise<void> {
  const { value, database, branch } = change.live;
  const renewed = await run.client.renewRole(database, branch, value.id);
  await recordRenewal(run, change.path, value, renewed.expires_at);
  run.log(`renewed role ${value.name} (${value.id}): expires ${renewed.expires_at} (was ${change.expiresAt})`);
}

async function recordSuccessor(change: RecordSuccessor, run: Execution): Promise<void> {
  const entry = run.outputs.entries[change.path];
  if (entry?.kind === 'password' && entry.engine === 'postgresql') await run.outputs.put(change.path, { ...entry, successor: change.to });
  run.counts.changed += 1;
}

// ---- reporting ---------------------------------------------------------------------------------------------------

/** "the default role postgres", "role <id>", "the role of <path>"; null is the default role. */
export function describeSuccessor(successor: Successor | null): string {
  if (successor === null) return `the default role ${DEFAULT_SUCCESSOR}`;
  if ('path' in successor) return `the role of ${successor.path}`;
  return successor.role === DEFAULT_SUCCESSOR ? `the default role ${DEFAULT_SUCCESSOR}` : `role ${successor.role}`;
}

function createWidening(change: CreateRole): string[] {
  const d = change.declaration;
  const reasons: string[] = [];
  if (change.reason === 'new') reasons.push(`new Postgres role on ${d.database}/${d.branch} inheriting ${change.inherited.join(', ')}`);
  const added = change.previousInherited ? addedRoles(change.previousInherited, change.inherited) : [];
  if (added.length > 0) reasons.push(`inherited roles added: ${added.join(', ')}`);
  if (change.previousDatabase !== undefined && change.previousDatabase !== d.database) reasons.push(`moved from database ${change.previousDatabase} to ${d.database}`);
  if (change.production && change.previousProduction === false) reasons.push(`moved to production branch ${d.database}/${d.branch}`);
  if (change.inherited.includes('postgres') && change.production && change.reason !== 'interrupted') {
    reasons.push(`role inheriting postgres (admin) on production branch ${d.database}/${d.branch}`);
  }
  return reasons;
}

function describeCreate(change: CreateRole): string {
  const d = change.declaration;
  const why = change.reason === 'new generation' ? 'new generation, replaces the previous one (which hands it its objects)' : CREATE_REASON_TEXT[change.reason];
  return `create Postgres role ${change.path} on ${d.database}/${d.branch} (inherits ${change.inherited.join(', ')}): ${why}; new secret${orphansDeleted(change.orphans.length)}`;
}

export const ROLE_CHANGES: ChangeHandlers<RoleChange['kind']> = {
  'create-role': { phase: 'issue', sign: '+', carryOut: createRole, describe: describeCreate, widening: createWidening },
  'rename-role': {
    phase: 'in-place',
    sign: '~',
    carryOut: renameRole,
    describe: (change) => `rename role ${change.path} to ${change.to}`,
    widening: () => [],
  },
  'renew-role': {
    phase: 'in-place',
    sign: '~',
    carryOut: renewRole,
    describe: (change) => `renew role ${change.path} (expires ${change.expiresAt}; same secret)`,
    widening: () => [],
  },
  'record-successor': {
    phase: 'in-place',
    sign: '~',
    carryOut: recordSuccessor,
    describe: (change) =>
      `record that the objects of ${change.path} go to ${describeSuccessor(change.to)} when it is removed (was ${describeSuccessor(change.from)}; outputs file only)`,
    widening: () => [],
  },
};

// ---- deletion ----------------------------------------------------------------------------------------------------

/**
 * How a role is deleted (its objects to its successor, which must be a role name or id by now: see execute.ts), and
 * looked for again after a 404.
 */
export function roleDeletion(client: PlanetScaleClient, target: RoleTarget): Deletion {
  const { value, database, branch, production } = target.live;
  const { successor } = target;
  if ('path' in successor) throw new Error(`${describeRoleTarget(target)}: the new role of ${successor.path} does not exist, so its objects have nowhere to go`);
  return {
    remove: () => client.deleteRole(database, branch, value.id, successor.role),
    stillExists: async () => (await client.listRoles(database, branch, { q: value.name })).some((r) => r.id === value.id),
    needs: client.describeNeeds('delete_role', { database, kind: production ? 'production' : 'development' }),
  };
}

export function describeRoleTarget(target: RoleTarget): string {
  const { value, database, branch } = target.live;
  return `role ${value.name} (${value.id}) on ${database}/${branch}, its objects to ${describeSuccessor(target.successor)}`;
}
