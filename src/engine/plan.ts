import { additionsOf, declaredGrants, describeGrants, grantDifference, lacking, type GrantMap, type GrantStep } from './grants';
import { unlistedAt, type Inventory, type LivePassword, type LiveRole, type LiveRule, type LiveToken, type Unlisted } from './inventory';
import { USE_ACCESS_TOKEN } from '../api/credentials';
import { sameAddresses } from '../model/cidr';
import type { DesiredState, IpRuleDeclaration, PasswordDeclaration, StackPlaces, TokenDeclaration } from '../model/desired-state';
import { managedNameOf, describeRule, ruleMarkerOf } from '../model/naming';
import type { PasswordRole } from '../model/planetscale-enums';
import { DEFAULT_SUCCESSOR, inheritedRolesOf } from '../model/postgres-roles';
import type { OutputEntry } from '../outputs/entries';

/**
 * What an apply would do to make PlanetScale match the desired state, computed from the desired state, what the
 * owner owns (the inventory) and what the outputs file holds. The same plan is printed by `planetscale-cdktf plan`
 * and carried out by an apply or `planetscale-cdktf reconcile`, so what is shown is what is done.
 */

/** Why a credential is created. */
export type CreateReason =
  /** Never existed. */
  | 'new'
  /** A field fixed at creation changed (role, TTL, ..., rotation label): the previous generation goes afterwards. */
  | 'new generation'
  /** It existed (its entry is in the outputs file) but is gone: deleted outside code. */
  | 'missing'
  /** It expired: a password past its TTL cannot be renewed. */
  | 'expired'
  /** Its create was interrupted before its secret was recorded: the orphan is deleted first. */
  | 'interrupted';

export interface CreatePassword {
  readonly kind: 'create-password';
  readonly path: string;
  readonly declaration: PasswordDeclaration;
  readonly name: string;
  readonly reason: CreateReason;
  /** Instances whose secret never arrived: deleted before the create. */
  readonly orphans: readonly LivePassword[];
  /** The role of the generation it replaces, to tell a raised role. */
  readonly previousRole?: PasswordRole;
  /** The allow-list of the generation it replaces. */
  readonly previousCidrs?: readonly string[];
  /** Whether the generation it replaces lived on a production branch. */
  readonly previousProduction?: boolean;
  /** The database of the generation it replaces. */
  readonly previousDatabase?: string;
  /** Whether its branch is a production branch. */
  readonly production: boolean;
}

/** A Postgres branch role (a `DatabasePassword` on a Postgres database). */
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

/**
 * Where a dropped Postgres role's objects go: a role name or id known when planning, or the role of a construct
 * path that this run creates (resolved once created).
 */
export type Successor = { readonly role: string } | { readonly path: string };

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

export interface CreateRule {
  readonly kind: 'create-rule';
  readonly path: string;
  readonly declaration: IpRuleDeclaration;
  readonly marker: string;
  readonly settings: RuleSettings;
  /** The rule names the role of this password path, which this run creates: its username is known once created. */
  readonly rolePath?: string;
}

export interface UpdateCidrs {
  readonly kind: 'update-cidrs';
  readonly path: string;
  readonly live: LivePassword;
  readonly from: readonly string[];
  readonly to: readonly string[];
}

export interface RenamePassword {
  readonly kind: 'rename-password';
  readonly path: string;
  readonly live: LivePassword;
  readonly to: string;
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

export interface RenewPassword {
  readonly kind: 'renew-password';
  readonly path: string;
  readonly live: LivePassword;
  readonly expiresAt: string;
}

export interface UpdateGrants {
  readonly kind: 'update-grants';
  readonly path: string;
  readonly live: LiveToken;
  readonly steps: readonly GrantStep[];
}

export interface RuleSettings {
  readonly schema: string;
  readonly role: string;
  readonly cidrs: readonly string[];
  readonly description: string;
}

export interface UpdateRule {
  readonly kind: 'update-rule';
  readonly path: string;
  readonly live: LiveRule;
  readonly from: RuleSettings;
  readonly to: RuleSettings;
  /** As for CreateRule: `to.role` is the username of the role this run creates for this path. */
  readonly rolePath?: string;
}

/**
 * A credential created and recorded by a run that stopped before the sink confirmed it (its name is still pending):
 * the recorded secret goes to the sink again. Same credential, same secret.
 */
export interface Redeliver {
  readonly kind: 'redeliver';
  readonly path: string;
  readonly name: string;
  readonly entry: OutputEntry;
}

export type DeleteTarget =
  | { readonly kind: 'password'; readonly live: LivePassword }
  | { readonly kind: 'role'; readonly live: LiveRole; readonly successor: Successor }
  | { readonly kind: 'service token'; readonly live: LiveToken }
  | { readonly kind: 'IP rule'; readonly live: LiveRule };

export interface Delete {
  readonly kind: 'delete';
  /** The construct path it belonged to, when still declared; else its managed name. */
  readonly path: string;
  readonly target: DeleteTarget;
  readonly reason: 'previous generation' | 'no longer declared' | 'duplicate' | 'expired' | 'stack destroyed';
  /** Deleted only once the object at this path has been created (a new generation goes live first). */
  readonly after?: string;
}

export type Change =
  | CreatePassword
  | CreateRole
  | RenameRole
  | RenewRole
  | RecordSuccessor
  | CreateToken
  | CreateRule
  | UpdateCidrs
  | RenamePassword
  | RenewPassword
  | UpdateGrants
  | UpdateRule
  | Redeliver
  | Delete;

/** Something to know that an apply does not change. */
export interface Notice {
  readonly path: string;
  readonly kind: 'secret-held-nowhere' | 'expiring' | 'unlisted' | 'grants-unreadable';
  readonly message: string;
}

/** A declared object the run cannot act on, with the one line that says why. */
export interface Problem {
  readonly path: string;
  readonly message: string;
}

export interface Plan {
  readonly changes: readonly Change[];
  readonly notices: readonly Notice[];
  readonly problems: readonly Problem[];
  /**
   * Pending-journal names an apply may forget: their secret is recorded (and there is no sink to confirm), or nothing
   * of that name exists anywhere the run could see.
   */
  readonly settled: readonly string[];
}

/** The deploy service token and what it holds: it may grant no more. */
export interface Deployer {
  readonly id: string;
  readonly holds: GrantMap;
}

export interface PlanInput {
  readonly desired: DesiredState;
  readonly inventory: Inventory;
  /** The stack's entries in the outputs file. */
  readonly entries: Readonly<Record<string, OutputEntry>>;
  /** Managed names whose create was interrupted (the pending journal). */
  readonly pending: ReadonlySet<string>;
  /** Whether a sink receives every new secret (then a secret missing from the outputs file is not "held nowhere"). */
  readonly hasSink: boolean;
  /** Current grants of a live token; undefined when they cannot be read, with the reason. */
  readonly grantsOf: (token: LiveToken) => Promise<GrantMap | { unreadable: string }>;
  readonly now: Date;
  /** Report credentials that expire within this many seconds. */
  readonly expiringWithinSeconds: number;
  /** Delete everything the owner owns. */
  readonly destroy: boolean;
  /** Places where the stack has objects (at destroy): a refused listing there is a problem, not a notice. */
  readonly mustSee?: StackPlaces;
  /** What the deploy service token holds, asked only when a grant is to be given (undefined: not a service token, or unreadable). */
  readonly deployer?: () => Promise<Deployer | undefined>;
  /** The outputs file, for messages. */
  readonly outputsPath: string;
}

const ROLE_RANK: Record<PasswordRole, number> = { reader: 0, writer: 1, readwriter: 2, admin: 3 };

export function roleRaised(from: PasswordRole | undefined, to: PasswordRole): boolean {
  return from !== undefined && ROLE_RANK[to] > ROLE_RANK[from];
}

function expiresWithin(expiresAt: string | null, now: Date, seconds: number): boolean {
  return expiresAt !== null && new Date(expiresAt).getTime() - now.getTime() <= seconds * 1000;
}

/**
 * Whether a credential is worth a warning: within the window, and in the last quarter of its life (a 7-day password
 * is not "expiring" the day it is made, whatever the window).
 */
function nearingExpiry(credential: { readonly created_at: string; readonly expires_at: string | null }, now: Date, windowSeconds: number): boolean {
  if (credential.expires_at === null) return false;
  const lifetime = new Date(credential.expires_at).getTime() - new Date(credential.created_at).getTime();
  return expiresWithin(credential.expires_at, now, Math.min(windowSeconds, lifetime / 4000));
}

function hasExpired(expiresAt: string | null, now: Date): boolean {
  return expiresAt !== null && new Date(expiresAt).getTime() <= now.getTime();
}

function days(expiresAt: string, now: Date): string {
  const left = (new Date(expiresAt).getTime() - now.getTime()) / 86_400_000;
  return left < 1 ? 'in less than a day' : `in ${Math.floor(left)} day${Math.floor(left) === 1 ? '' : 's'}`;
}

/**
 * Of the live instances of one declared credential (same construct, this generation), which one to keep: the one
 * whose secret the outputs file holds; else, when none is recorded and the journal does not name it, the oldest that
 * has not expired (its secret may be in use somewhere: it is reported, never replaced silently; an expired one is of
 * use to no one). The others, and any whose create the journal shows interrupted, are orphans whose secret never
 * arrived.
 */
function choose<T extends { readonly value: { readonly id: string; readonly created_at: string; readonly expires_at: string | null } }>(
  instances: readonly T[],
  recorded: OutputEntry | undefined,
  interrupted: boolean,
  now: Date,
): { kept?: T; orphans: T[] } {
  const held = instances.find((i) => recorded?.id === i.value.id);
  if (held) return { kept: held, orphans: instances.filter((i) => i !== held) };
  if (interrupted || instances.length === 0) return { orphans: [...instances] };
  const expired = (i: T) => (hasExpired(i.value.expires_at, now) ? 1 : 0);
  const [best, ...others] = [...instances].sort((a, b) => expired(a) - expired(b) || a.value.created_at.localeCompare(b.value.created_at));
  return { kept: best, orphans: others };
}

function newest<T extends { readonly value: { readonly created_at: string } }>(instances: readonly T[]): T | undefined {
  return [...instances].sort((a, b) => b.value.created_at.localeCompare(a.value.created_at))[0];
}

function byObject<T>(items: readonly T[], objectOf: (item: T) => string): ReadonlyMap<string, readonly T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const list = map.get(objectOf(item));
    if (list) list.push(item);
    else map.set(objectOf(item), [item]);
  }
  return map;
}

function sameSuccessor(a: Successor | null | undefined, b: Successor | null): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b);
}

/**
 * One line when a declaration cannot work on a database of this kind: props only the other engine has. Synth refuses
 * them where it knows the kind; here the kind is PlanetScale's answer. A password without such props works on either,
 * whatever the stack's other constructs made synth believe (their own lines say what is wrong with them).
 */
function engineMismatch(declaration: PasswordDeclaration, kind: 'mysql' | 'postgresql', organization: string): string | undefined {
  const where = `database ${declaration.database} in organization ${organization}`;
  if (kind === 'postgresql') {
    const mysqlOnly = [
      ...(declaration.replica ? ['replica'] : []),
      ...(declaration.direct_vtgate ? ['directVtgate'] : []),
      ...(declaration.cidrs.length > 0 ? ['an IpRestriction({ password }) allow-list'] : []),
    ];
    if (mysqlOnly.length > 0) {
      return (
        `${where} is a Postgres database; ${applyTo(mysqlOnly)} MySQL/Vitess passwords only ` +
        '(on Postgres, restrict a role with IpRestriction({ database, role: password }))'
      );
    }
    return undefined;
  }
  const postgresOnly = [...(declaration.inherited_roles ? ['inheritedRoles'] : []), ...(declaration.successor ? ['successor'] : [])];
  if (postgresOnly.length > 0) return `${where} is a MySQL/Vitess database; ${applyTo(postgresOnly)} Postgres roles only`;
  return undefined;
}

/** "replica applies to", "directVtgate and replica apply to". */
function applyTo(props: readonly string[]): string {
  return `${props.join(' and ')} ${props.length > 1 ? 'apply' : 'applies'} to`;
}

/** Whether a listing that could not be made covers one of the stack's places. */
function placesCover(places: StackPlaces, unlisted: Unlisted): boolean {
  const { database, branch } = unlisted;
  if (unlisted.tokens) return places.service_tokens;
  if (database === undefined) return false;
  if (unlisted.rules) return places.rule_databases.includes(database);
  if (branch !== undefined) return places.branches.includes(`${database}/${branch}`);
  const onBranches = places.branches.some((b) => b.startsWith(`${database}/`));
  // Its branch list, or the whole database (its lookup).
  return unlisted.branches ? onBranches : onBranches || places.rule_databases.includes(database);
}

/** Where the credential of an outputs entry lives could not be listed: the unlisted location, if so. */
function entryUnlisted(inventory: Inventory, entry: OutputEntry) {
  return entry.kind === 'password' ? unlistedAt(inventory, { database: entry.database, branch: entry.branch }) : unlistedAt(inventory, { tokens: true });
}

/** Builds the plan. Reads current grants of kept tokens through `grantsOf`; everything else is in the inventory. */
export async function planChanges(input: PlanInput): Promise<Plan> {
  const { desired, inventory, entries, now } = input;
  const changes: Change[] = [];
  const notices: Notice[] = [];
  const problems: Problem[] = [];
  const owner = desired.owner;
  const declared = {
    passwords: input.destroy ? [] : desired.passwords,
    tokens: input.destroy ? [] : desired.service_tokens,
    rules: input.destroy ? [] : desired.ip_rules,
  };
  const removal = input.destroy ? 'stack destroyed' : 'no longer declared';
  const heldNowhere = (path: string, what: string, name: string) =>
    notices.push({
      path,
      kind: 'secret-held-nowhere',
      message:
        `${what} ${name} exists but its secret is held nowhere: it is not in ${input.outputsPath} and no sink is configured; ` +
        'if nothing that uses it still has it, change its `rotation` label to issue a new one',
    });

  // ---- passwords ----------------------------------------------------------------------------------------------
  const settled = new Set<string>();
  /**
   * A kept instance whose secret is recorded: still pending (under the name it was created with, which a rename since
   * does not change), it is delivered again when there is a sink; without one, its name is settled.
   */
  const recordedKept = (path: string, recorded: OutputEntry) => {
    if (!input.pending.has(recorded.name)) return;
    if (input.hasSink) changes.push({ kind: 'redeliver', path, name: recorded.name, entry: recorded });
    else settled.add(recorded.name);
  };
  const deployerLacks = async (wanted: GrantMap): Promise<string | undefined> => {
    const deployer = wanted.size > 0 ? await input.deployer?.() : undefined;
    const missing = deployer ? lacking(deployer.holds, wanted) : new Map();
    if (!deployer || missing.size === 0) return undefined;
    return (
      `the deploy service token ${deployer.id} does not hold ${describeGrants(missing)}, and a credential may only grant accesses it holds ` +
      `itself; give the deploy token those accesses, or ${USE_ACCESS_TOKEN}, or set the grants in the PlanetScale console`
    );
  };

  const passwordObjects = new Set(declared.passwords.map((p) => p.object));
  const passwordsByObject = byObject(inventory.passwords, (p) => p.name.object);
  const rolesByObject = byObject(inventory.roles, (r) => r.name.object);
  /** Postgres passwords by path: the id of the role kept, or undefined while a new generation is being created. */
  const roleOfPath = new Map<string, { id: string; base_username: string } | undefined>();
  const declaredPasswords = new Map(declared.passwords.map((p) => [p.path, p]));
  const previousDelete = (path: string, target: DeleteTarget) => changes.push({ kind: 'delete', path, target, reason: 'previous generation', after: path });
  for (const declaration of declared.passwords) {
    const { path, database, branch } = declaration;
    const name = managedNameOf(declaration, owner);
    const current = (p: { database: string; branch: string; name: { generation: string } }) =>
      p.database === database && p.branch === branch && p.name.generation === declaration.generation;
    const passwordInstances = passwordsByObject.get(declaration.object) ?? [];
    const roleInstances = rolesByObject.get(declaration.object) ?? [];
    const db = inventory.databases.get(database);
    const unlisted = unlistedAt(inventory, { database, branch });
    let problem: string | undefined;
    if (unlisted) {
      problem = `cannot see ${unlisted.what}: ${unlisted.reason}`;
    } else if (!db) {
      problem = `database ${database} not found in organization ${desired.organization}, or the credential cannot see it`;
    } else if (!inventory.branches.get(database)?.some((b) => b.name === branch)) {
      problem = `branch ${branch} not found in database ${database} (organization ${desired.organization})`;
    } else {
      problem = engineMismatch(declaration, db.kind, desired.organization);
    }
    if (problem || !db) {
      problems.push({ path, message: problem! });
      continue;
    }
    const recorded = entries[path];
    const production = inventory.branches.get(database)?.find((b) => b.name === branch)?.production ?? false;
    const reasonFor = (expired: boolean, orphans: number, elsewhere: number): CreateReason =>
      expired ? 'expired' : orphans > 0 ? 'interrupted' : elsewhere > 0 ? 'new generation' : recorded ? 'missing' : 'new';
    const window = declaration.renew_before_seconds;
    const expiring = (what: string, live: { created_at: string; expires_at: string | null }, renewable: boolean) => {
      if (window !== null && live.expires_at !== null && expiresWithin(live.expires_at, now, window) && renewable) return true;
      if (live.expires_at !== null && nearingExpiry(live, now, input.expiringWithinSeconds)) {
        const renewal = window === null ? 'set `renewBefore` to renew it, or change its `rotation` label' : 'it cannot be renewed: change its `rotation` label';
        notices.push({ path, kind: 'expiring', message: `${what} ${name} expires ${live.expires_at} (${days(live.expires_at, now)}); ${renewal}` });
      }
      return false;
    };

    if (db.kind === 'mysql') {
      const here = passwordInstances.filter(current);
      const elsewhere = passwordInstances.filter((p) => !here.includes(p));
      const { kept, orphans } = choose(here, recorded, input.pending.has(name), now);
      const expired = kept && hasExpired(kept.value.expires_at, now);
      if (!kept || expired) {
        const previous = newest(elsewhere) ?? (expired ? kept : undefined);
        const previousRecorded = recorded?.kind === 'password' && recorded.engine !== 'postgresql' ? recorded : undefined;
        changes.push({
          kind: 'create-password',
          path,
          declaration,
          name,
          reason: reasonFor(Boolean(expired), orphans.length, elsewhere.length + roleInstances.length),
          orphans,
          // A password deleted outside code is compared with what the outputs file recorded of it.
          previousRole: previous?.value.role ?? previousRecorded?.role,
          previousCidrs: previous ? (previous.value.cidrs ?? []) : undefined,
          previousProduction: previous?.production,
          previousDatabase: previous?.database ?? (recorded?.kind === 'password' ? recorded.database : undefined),
          production,
        });
        if (expired) changes.push({ kind: 'delete', path, target: { kind: 'password', live: kept }, reason: 'expired', after: path });
      } else {
        for (const orphan of orphans) changes.push({ kind: 'delete', path, target: { kind: 'password', live: orphan }, reason: 'duplicate' });
        const live = kept.value;
        if (!sameAddresses(live.cidrs ?? [], declaration.cidrs)) {
          changes.push({ kind: 'update-cidrs', path, live: kept, from: live.cidrs ?? [], to: declaration.cidrs });
        }
        if (kept.name.display !== declaration.display) changes.push({ kind: 'rename-password', path, live: kept, to: name });
        if (expiring('password', live, live.renewable)) changes.push({ kind: 'renew-password', path, live: kept, expiresAt: live.expires_at! });
        if (recorded?.id === live.id) recordedKept(path, recorded);
        else if (!input.hasSink) heldNowhere(path, 'password', name);
      }
      for (const previous of elsewhere) previousDelete(path, { kind: 'password', live: previous });
      // The same construct on a Postgres database before: its roles go to the branch's default role.
      for (const previous of roleInstances) previousDelete(path, { kind: 'role', live: previous, successor: { role: DEFAULT_SUCCESSOR } });
      continue;
    }

    // Postgres: a branch role. A new generation inherits the objects of the one it replaces (its successor).
    const here = roleInstances.filter(current);
    const elsewhere = roleInstances.filter((r) => !here.includes(r));
    const { kept, orphans } = choose(here, recorded, input.pending.has(name), now);
    const expired = kept && hasExpired(kept.value.expires_at, now);
    const inherited = inheritedRolesOf(declaration);
    // The generation that inherits: the one this run creates (known once created), or the live one.
    let toNewGeneration: Successor = { path };
    if (!kept || expired) {
      const onThisBranch = elsewhere.filter((r) => r.database === database && r.branch === branch);
      const previous = newest(onThisBranch) ?? newest(elsewhere) ?? (expired ? kept : undefined);
      changes.push({
        kind: 'create-role',
        path,
        declaration,
        name,
        reason: reasonFor(Boolean(expired), orphans.length, elsewhere.length + passwordInstances.length),
        orphans,
        inherited,
        previousInherited: previous?.value.inherited_roles ?? (recorded?.kind === 'password' && recorded.engine === 'postgresql' ? recorded.inherited_roles : undefined),
        previousProduction: previous?.production,
        previousDatabase: previous?.database ?? (recorded?.kind === 'password' ? recorded.database : undefined),
        production,
      });
      roleOfPath.set(path, undefined);
      if (expired) changes.push({ kind: 'delete', path, target: { kind: 'role', live: kept, successor: toNewGeneration }, reason: 'expired', after: path });
    } else {
      roleOfPath.set(path, { id: kept.value.id, base_username: kept.value.base_username });
      toNewGeneration = { role: kept.value.id };
      for (const orphan of orphans) changes.push({ kind: 'delete', path, target: { kind: 'role', live: orphan, successor: { role: DEFAULT_SUCCESSOR } }, reason: 'duplicate' });
      const live = kept.value;
      if (kept.name.display !== declaration.display) changes.push({ kind: 'rename-role', path, live: kept, to: name });
      const renewable = live.expires_at !== null && (live.ttl ?? 0) > 0 && !live.expired;
      if (expiring('role', live, renewable)) changes.push({ kind: 'renew-role', path, live: kept, expiresAt: live.expires_at! });
      if (recorded?.id === live.id) {
        recordedKept(path, recorded);
        if (recorded.kind === 'password' && recorded.engine === 'postgresql' && !sameSuccessor(recorded.successor, declaration.successor)) {
          changes.push({ kind: 'record-successor', path, from: recorded.successor, to: declaration.successor });
        }
      } else if (!input.hasSink) {
        heldNowhere(path, 'role', name);
      }
    }
    // Previous generations on this branch hand their objects to the new one; elsewhere, objects stay on their branch.
    for (const previous of elsewhere) {
      const sameBranch = previous.database === database && previous.branch === branch;
      previousDelete(path, { kind: 'role', live: previous, successor: sameBranch ? toNewGeneration : { role: DEFAULT_SUCCESSOR } });
    }
    for (const previous of passwordInstances) previousDelete(path, { kind: 'password', live: previous });
  }
  for (const live of inventory.passwords) {
    if (passwordObjects.has(live.name.object)) continue;
    changes.push({ kind: 'delete', path: live.value.name, target: { kind: 'password', live }, reason: removal });
  }
  for (const live of inventory.roles) {
    if (passwordObjects.has(live.name.object)) continue;
    // Its objects go where the outputs file says the construct wanted them, while that still exists; else to the
    // branch's default role. A destroy hands everything to the default role: every other role goes too.
    const recorded = Object.values(entries).find((e) => e.id === live.value.id);
    const wanted = !input.destroy && recorded?.kind === 'password' && recorded.engine === 'postgresql' ? recorded.successor : null;
    let successor: Successor = { role: DEFAULT_SUCCESSOR };
    let after: string | undefined;
    const heirDeclaration = wanted && 'path' in wanted ? declaredPasswords.get(wanted.path) : undefined;
    if (wanted && 'role' in wanted) {
      successor = wanted;
    } else if (heirDeclaration && heirDeclaration.database === live.database && heirDeclaration.branch === live.branch) {
      // The heir's role on this branch: live, being created (wait for it), or unavailable (its own line says why; wait).
      const heir = roleOfPath.get(heirDeclaration.path);
      successor = heir ? { role: heir.id } : { path: heirDeclaration.path };
      after = heir ? undefined : heirDeclaration.path;
    }
    changes.push({ kind: 'delete', path: live.value.name, target: { kind: 'role', live, successor }, reason: removal, ...(after ? { after } : {}) });
  }

  // ---- service tokens -----------------------------------------------------------------------------------------
  const tokensUnlisted = unlistedAt(inventory, { tokens: true });
  const tokenObjects = new Set(declared.tokens.map((t) => t.object));
  const tokensByObject = byObject(inventory.tokens, (t) => t.name.object);
  for (const declaration of declared.tokens) {
    const { path } = declaration;
    if (tokensUnlisted) {
      if (tokensUnlisted.refused) problems.push({ path, message: `cannot see the organization's service tokens: ${tokensUnlisted.reason}` });
      continue;
    }
    const name = managedNameOf(declaration, owner);
    const instances = tokensByObject.get(declaration.object) ?? [];
    // A token cannot be renamed: another display name is another token.
    const here = instances.filter((t) => t.value.name === name);
    const elsewhere = instances.filter((t) => !here.includes(t));
    const recorded = entries[path];
    const { kept, orphans } = choose(here, recorded, input.pending.has(name), now);
    const grants = declaredGrants(declaration);
    const expired = kept && hasExpired(kept.value.expires_at, now);
    if (!kept || expired) {
      const lacks = await deployerLacks(grants);
      if (lacks) {
        problems.push({ path, message: lacks });
        continue;
      }
      const previous = newest(elsewhere) ?? (expired ? kept : undefined);
      const previousGrants = previous ? await input.grantsOf(previous) : undefined;
      const reason: CreateReason = expired ? 'expired' : orphans.length > 0 ? 'interrupted' : elsewhere.length > 0 ? 'new generation' : recorded ? 'missing' : 'new';
      changes.push({
        kind: 'create-token',
        path,
        declaration,
        name,
        reason,
        orphans,
        grants,
        previousGrants: previousGrants && !('unreadable' in previousGrants) ? (previousGrants as GrantMap) : undefined,
      });
      if (expired) changes.push({ kind: 'delete', path, target: { kind: 'service token', live: kept }, reason: 'expired', after: path });
    } else {
      for (const orphan of orphans) changes.push({ kind: 'delete', path, target: { kind: 'service token', live: orphan }, reason: 'duplicate' });
      const current = await input.grantsOf(kept);
      if ('unreadable' in current) {
        if (grants.size > 0) problems.push({ path, message: `cannot read the grants of service token ${name}: ${current.unreadable}` });
        else notices.push({ path, kind: 'grants-unreadable', message: `the grants of service token ${name} cannot be read (${current.unreadable}); none are declared` });
      } else {
        const steps = grantDifference(grants, current as GrantMap);
        const lacks = await deployerLacks(additionsOf(steps));
        if (lacks) problems.push({ path, message: lacks });
        else if (steps.length > 0) changes.push({ kind: 'update-grants', path, live: kept, steps });
      }
      const expiresAt = kept.value.expires_at;
      if (expiresAt !== null && nearingExpiry(kept.value, now, input.expiringWithinSeconds)) {
        notices.push({ path, kind: 'expiring', message: `service token ${name} expires ${expiresAt} (${days(expiresAt, now)}); tokens cannot be renewed: change its \`rotation\` label` });
      }
      if (recorded?.id === kept.value.id) recordedKept(path, recorded);
      else if (!input.hasSink) heldNowhere(path, 'service token', name);
    }
    for (const previous of elsewhere) changes.push({ kind: 'delete', path, target: { kind: 'service token', live: previous }, reason: 'previous generation', after: path });
  }
  if (!tokensUnlisted) {
    for (const live of inventory.tokens) {
      if (tokenObjects.has(live.name.object)) continue;
      changes.push({ kind: 'delete', path: live.value.name ?? live.value.id, target: { kind: 'service token', live }, reason: removal });
    }
  }

  // ---- Postgres IP rules --------------------------------------------------------------------------------------
  const ruleObjects = new Set(declared.rules.map((r) => r.object));
  const rulesByObject = byObject(inventory.rules, (r) => r.marker.object);
  for (const declaration of declared.rules) {
    const { path, database } = declaration;
    const db = inventory.databases.get(database);
    const unlisted = unlistedAt(inventory, { database, rules: true });
    if (unlisted) {
      if (unlisted.refused) problems.push({ path, message: `cannot see ${unlisted.what}: ${unlisted.reason}` });
      continue;
    }
    if (!db) {
      problems.push({ path, message: `database ${database} not found in organization ${desired.organization}, or the credential cannot see it` });
      continue;
    }
    if (db.kind !== 'postgresql') {
      problems.push({
        path,
        message: `database ${database} is a MySQL/Vitess database; database IP rules are for Postgres (restrict a password with IpRestriction({ password }) instead)`,
      });
      continue;
    }
    // A rule on a password's role names the role PostgreSQL knows (its username without the branch suffix, as
    // PlanetScale documents for IP restrictions); a new generation has a new one, known once created.
    let role = declaration.role;
    let rolePath: string | undefined;
    if (declaration.role_path !== null) {
      if (!roleOfPath.has(declaration.role_path)) {
        problems.push({ path, message: `its role is that of ${declaration.role_path}, which has no role to restrict (see the line for ${declaration.role_path})` });
        continue;
      }
      const heir = roleOfPath.get(declaration.role_path);
      if (heir) role = heir.base_username;
      else rolePath = declaration.role_path;
    }
    const marker = ruleMarkerOf(declaration.display, owner, declaration.object);
    const instances = rulesByObject.get(declaration.object) ?? [];
    const [kept, ...duplicates] = instances.filter((r) => r.database === database);
    const { schema, cidrs } = declaration;
    const to: RuleSettings = { schema, role, cidrs, description: describeRule(declaration.description, marker) };
    const pending = rolePath ? { rolePath } : {};
    if (!kept) {
      changes.push({ kind: 'create-rule', path, declaration, marker, settings: to, ...pending });
    } else {
      const rule = kept.value;
      const from: RuleSettings = { schema: rule.schema, role: rule.role, cidrs: rule.cidrs, description: rule.description ?? '' };
      const differs =
        from.schema !== to.schema || from.role !== to.role || from.description !== to.description || !sameAddresses(from.cidrs, to.cidrs);
      if (rolePath || differs) {
        changes.push({ kind: 'update-rule', path, live: kept, from, to, ...pending });
      }
    }
    for (const extra of duplicates) changes.push({ kind: 'delete', path, target: { kind: 'IP rule', live: extra }, reason: 'duplicate' });
    for (const moved of instances.filter((r) => r.database !== database)) {
      changes.push({ kind: 'delete', path, target: { kind: 'IP rule', live: moved }, reason: 'previous generation', after: path });
    }
  }
  for (const live of inventory.rules) {
    if (ruleObjects.has(live.marker.object)) continue;
    changes.push({ kind: 'delete', path: ruleMarkerOf(live.marker.display, owner, live.marker.object), target: { kind: 'IP rule', live }, reason: removal });
  }

  // A credential the outputs file records where nothing could be listed: the run cannot tell whether it still exists,
  // so it cannot delete it (at destroy, or once undeclared). The run fails rather than claim a clean result.
  const problemPaths = new Set(problems.map((p) => p.path));
  for (const [path, entry] of Object.entries(entries)) {
    const unlisted = entryUnlisted(inventory, entry);
    if (!unlisted || problemPaths.has(path)) continue;
    const what = entry.kind === 'password' ? 'password' : 'service token';
    problems.push({
      path,
      message:
        `cannot see ${unlisted.what}, where its ${what} ${entry.name} (${entry.id}) lives: ${unlisted.reason} ` +
        `(if that ${what} no longer exists, remove the entry ${path} from ${input.outputsPath})`,
    });
    problemPaths.add(path);
  }
  for (const unlisted of inventory.unlisted) {
    // A refusal is the credential's scope (reported, that part skipped), unless the stack has objects there; any
    // other failure fails the run.
    if (unlisted.refused && !(input.mustSee && placesCover(input.mustSee, unlisted))) notices.push({ path: unlisted.what, kind: 'unlisted', message: `could not list ${unlisted.what} (${unlisted.reason}); objects there are left as they are` });
    else if (unlisted.refused) problems.push({ path: unlisted.what, message: `cannot see ${unlisted.what}, where the stack has objects: ${unlisted.reason}` });
    else problems.push({ path: unlisted.what, message: `could not list ${unlisted.what}: ${unlisted.reason}` });
  }

  // Journal names of creates nobody will finish: nothing of that name exists anywhere (when everything was listed).
  const carried = new Set(changes.flatMap((c) => (c.kind === 'create-password' || c.kind === 'create-role' || c.kind === 'create-token' || c.kind === 'redeliver' ? [c.name] : [])));
  if (inventory.unlisted.length === 0) {
    const tokenNames = inventory.tokens.flatMap((t) => (t.value.name ? [t.value.name] : []));
    const live = new Set<string>([...inventory.passwords.map((p) => p.value.name), ...inventory.roles.map((r) => r.value.name), ...tokenNames]);
    for (const name of input.pending) if (!carried.has(name) && !live.has(name)) settled.add(name);
  }
  return { changes, notices, problems, settled: [...settled] };
}
