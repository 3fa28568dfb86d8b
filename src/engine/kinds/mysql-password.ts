import type { PlanetScaleClient } from '../../api/client';
import { PlanetScaleApiError } from '../../api/errors';
import type { Password } from '../../api/types';
import { aggregateCidrs, cidrFamily, sameAddresses } from '../../model/cidr';
import type { PasswordDeclaration } from '../../model/desired-state';
import { parseOwnedName, type ManagedName } from '../../model/naming';
import type { PasswordRole } from '../../model/planetscale-enums';
import { connectionStrings } from '../../outputs/connection-strings';
import type { OutputEntry } from '../../outputs/entries';
import type { CreateReason } from '../changes';
import { allowedFrom, recordRenewal, type ChangeHandlers, type Deletion, type Execution } from '../execution';
import { choose, createReason, hasExpired, newest } from '../generations';
import { CREATE_REASON_TEXT, issueCredential, orphansDeleted, reasonSuffix } from '../issue';
import type { Planning } from '../planning';

/**
 * A MySQL/Vitess branch password (a `DatabasePassword` on a MySQL database): how it is listed, planned, carried out
 * and shown. Role, TTL, replica and direct VTGate are fixed at creation (a change is a new generation, a new secret);
 * the name and the allow-list change in place.
 */

/** A password the owner owns, where it lives, and its parsed name. */
export interface LivePassword {
  readonly value: Password;
  readonly database: string;
  readonly branch: string;
  readonly production: boolean;
  readonly name: ManagedName;
}

export interface PasswordTarget {
  readonly kind: 'password';
  readonly live: LivePassword;
}

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

export interface RenewPassword {
  readonly kind: 'renew-password';
  readonly path: string;
  readonly live: LivePassword;
  readonly expiresAt: string;
}

export type PasswordChange = CreatePassword | UpdateCidrs | RenamePassword | RenewPassword;

// ---- listing -----------------------------------------------------------------------------------------------------

/** The owner's passwords on one branch. */
export async function listOwnedPasswords(client: PlanetScaleClient, place: Omit<LivePassword, 'value' | 'name'>, owner: string): Promise<LivePassword[]> {
  const owned: LivePassword[] = [];
  for (const password of await client.listPasswords(place.database, place.branch)) {
    const name = parseOwnedName(password.name, owner);
    if (name) owned.push({ value: password, ...place, name });
  }
  return owned;
}

// ---- planning ----------------------------------------------------------------------------------------------------

/** A declared password on a MySQL/Vitess branch: its instances of this construct, and what the plan knows of it. */
export interface PasswordPlacement {
  readonly declaration: PasswordDeclaration;
  readonly name: string;
  readonly production: boolean;
  /** Live passwords of this construct, every generation, anywhere. */
  readonly instances: readonly LivePassword[];
  /** How many instances of this construct exist as Postgres roles (an earlier life on a Postgres database). */
  readonly otherEngineInstances: number;
}

/**
 * Plans one declared password: keeps the instance of its generation whose secret is held (or creates one), brings
 * its name and allow-list in line, renews it when due; previous generations go once it is live.
 */
export function planPassword(planning: Planning, placement: PasswordPlacement): void {
  const { declaration, name, production } = placement;
  const { path, database, branch } = declaration;
  const { now } = planning;
  const recorded = planning.input.entries[path];
  const here = placement.instances.filter((p) => p.database === database && p.branch === branch && p.name.generation === declaration.generation);
  const elsewhere = placement.instances.filter((p) => !here.includes(p));
  const { kept, orphans } = choose(here, recorded, planning.input.pending.has(name), now);
  const expired = kept !== undefined && hasExpired(kept.value.expires_at, now);
  if (!kept || expired) {
    const previous = newest(elsewhere) ?? (expired ? kept : undefined);
    const previousRecorded = recorded?.kind === 'password' && recorded.engine !== 'postgresql' ? recorded : undefined;
    planning.changes.push({
      kind: 'create-password',
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
      // A password deleted outside code is compared with what the outputs file recorded of it.
      previousRole: previous?.value.role ?? previousRecorded?.role,
      previousCidrs: previous ? (previous.value.cidrs ?? []) : undefined,
      previousProduction: previous?.production,
      previousDatabase: previous?.database ?? (recorded?.kind === 'password' ? recorded.database : undefined),
      production,
    });
    if (expired) planning.changes.push({ kind: 'delete', path, target: { kind: 'password', live: kept }, reason: 'expired', after: path });
  } else {
    for (const orphan of orphans) planning.changes.push({ kind: 'delete', path, target: { kind: 'password', live: orphan }, reason: 'duplicate' });
    const live = kept.value;
    if (!sameAddresses(live.cidrs ?? [], declaration.cidrs)) {
      planning.changes.push({ kind: 'update-cidrs', path, live: kept, from: live.cidrs ?? [], to: declaration.cidrs });
    }
    if (kept.name.display !== declaration.display) planning.changes.push({ kind: 'rename-password', path, live: kept, to: name });
    if (planning.dueForRenewal(path, { ...live, what: 'password', name }, declaration.renew_before_seconds, live.renewable)) {
      planning.changes.push({ kind: 'renew-password', path, live: kept, expiresAt: live.expires_at! });
    }
    planning.kept(path, live.id, recorded, 'password', name);
  }
  for (const previous of elsewhere) planning.changes.push({ kind: 'delete', path, target: { kind: 'password', live: previous }, reason: 'previous generation', after: path });
}

// ---- carrying out ------------------------------------------------------------------------------------------------

/**
 * A 422 for a list holding IPv6 ranges, as one line: whether PlanetScale accepts IPv6 on passwords is not established
 * (the official provider's IPv6 tests wait "when the API supports ipv6"), so it is allowed and a refusal explained.
 */
function explainCidrRefusal(error: unknown, password: string, cidrs: readonly string[]): unknown {
  const ipv6 = cidrs.filter((c) => cidrFamily(c) === 'ipv6');
  if (!(error instanceof PlanetScaleApiError) || error.status !== 422 || ipv6.length === 0) return error;
  if (error.apiMessage && !/cidr|ipv6|ip address|range/i.test(error.apiMessage)) return error;
  return new Error(
    `PlanetScale refused the allow-list of password ${password} (HTTP 422${error.apiMessage ? `: ${error.apiMessage}` : ''}); ` +
      `it holds IPv6 ranges (${ipv6.join(', ')}), which this API may not accept on passwords: remove them, or allow the IPv4 ranges your clients use`,
  );
}

async function createPassword(change: CreatePassword, run: Execution): Promise<void> {
  const { declaration: d, name, production } = change;
  const { client } = run;
  const owned = parseOwnedName(name, run.owner)!;
  const target = (value: Password) => ({ kind: 'password' as const, live: { value, database: d.database, branch: d.branch, production, name: owned } });
  const request = {
    name,
    role: d.role,
    ttl: d.ttl_seconds ?? undefined,
    replica: d.replica,
    direct_vtgate: d.direct_vtgate,
    // Set at creation: the password is never usable from everywhere, not even for a moment.
    cidrs: d.cidrs,
  };
  const created = await issueCredential(run, {
    what: 'password',
    name,
    orphans: change.orphans.map((live) => ({ kind: 'password' as const, live })),
    create: () =>
      client.createPassword(d.database, d.branch, request).catch((error: unknown) => Promise.reject(explainCidrRefusal(error, name, d.cidrs))),
    findByName: async () => (await client.listPasswords(d.database, d.branch, { q: name })).filter((p) => p.name === name).map(target),
  });
  const entry: OutputEntry = {
    kind: 'password',
    id: created.id,
    name: created.name,
    username: created.username,
    host: created.access_host_url,
    database: d.database,
    branch: d.branch,
    role: created.role,
    expires_at: created.expires_at,
    password: created.plain_text,
    connection_strings: connectionStrings({
      host: created.access_host_url,
      username: created.username,
      password: created.plain_text,
      database: d.database,
      caBundle: run.caBundle,
    }),
  };
  const undo = async () => {
    await run.delete(target(created));
    // The credential is gone: a journal write failing now only leaves a name the next run settles.
    await run.outputs.clearPending([name]).catch(() => undefined);
  };
  run.deliver(change.path, entry, undo, () =>
    run.log(`created password ${name} (${created.id}) on ${d.database}/${d.branch}: role ${d.role}, allowed from ${allowedFrom(d.cidrs)}${reasonSuffix(change.reason)}`),
  );
}

async function updateCidrs(change: UpdateCidrs, run: Execution): Promise<void> {
  const { value, database, branch } = change.live;
  await run.client
    .updatePassword(database, branch, value.id, { cidrs: [...change.to] })
    .catch((error: unknown) => Promise.reject(explainCidrRefusal(error, value.name, change.to)));
  run.counts.changed += 1;
  run.log(`set CIDRs of ${value.name} (${value.id}) to ${change.to.length > 0 ? change.to.join(', ') : 'none (any address may connect)'}; was ${change.from.length > 0 ? change.from.join(', ') : 'none'}`);
}

async function renamePassword(change: RenamePassword, run: Execution): Promise<void> {
  const { value, database, branch } = change.live;
  await run.client.updatePassword(database, branch, value.id, { name: change.to });
  run.counts.changed += 1;
  run.log(`renamed password ${value.name} (${value.id}) to ${change.to}`);
}

async function renewPassword(change: RenewPassword, run: Execution): Promise<void> {
  const { value, database, branch } = change.live;
  const renewed = await run.client.renewPassword(database, branch, value.id);
  await recordRenewal(run, change.path, value, renewed.expires_at);
  run.log(`renewed password ${value.name} (${value.id}): expires ${renewed.expires_at} (was ${change.expiresAt})`);
}

// ---- reporting ---------------------------------------------------------------------------------------------------

/** The CIDRs of `to` that `from` did not allow, or that every address is now allowed. */
export function cidrWidening(from: readonly string[], to: readonly string[]): string[] {
  if (to.length === 0) return from.length > 0 ? ['all IP restrictions removed: usable from any address'] : [];
  if (from.length === 0 || sameAddresses([...from, ...to], from)) return [];
  return [`CIDR added: ${to.filter((c) => !sameAddresses([...from, c], from)).join(', ')}`];
}

function createWidening(change: CreatePassword): string[] {
  const d = change.declaration;
  const reasons: string[] = [];
  if (change.reason === 'new') reasons.push(`new ${d.role} password on ${d.database}/${d.branch}, usable from ${allowedFrom(d.cidrs)}`);
  if (change.previousRole !== undefined && ROLE_RANK[d.role] > ROLE_RANK[change.previousRole]) reasons.push(`role raised from ${change.previousRole} to ${d.role}`);
  if (change.previousDatabase !== undefined && change.previousDatabase !== d.database) reasons.push(`moved from database ${change.previousDatabase} to ${d.database}`);
  if (change.production && change.previousProduction === false) reasons.push(`moved to production branch ${d.database}/${d.branch}`);
  if (d.role === 'admin' && change.production && change.reason !== 'interrupted') reasons.push(`admin password on production branch ${d.database}/${d.branch}`);
  if (change.previousCidrs) reasons.push(...cidrWidening(change.previousCidrs, d.cidrs));
  return reasons;
}

/** Roles by how much they may do: a new generation with a higher one widens access. */
const ROLE_RANK: Readonly<Record<PasswordRole, number>> = { reader: 0, writer: 1, readwriter: 2, admin: 3 };

function describeCidrUpdate(change: UpdateCidrs): string {
  const from = aggregateCidrs(change.from);
  const to = aggregateCidrs(change.to);
  const added = to.filter((c) => !from.includes(c)).map((c) => `+ ${c}`);
  const removed = from.filter((c) => !to.includes(c)).map((c) => `- ${c}`);
  const none = change.to.length === 0 ? ' (none left: any address)' : '';
  return `update CIDRs of ${change.path} (same password, same secret): ${[...added, ...removed].join(', ') || 'rewritten'}${none}`;
}

export const PASSWORD_CHANGES: ChangeHandlers<PasswordChange['kind']> = {
  'create-password': {
    phase: 'issue',
    sign: '+',
    carryOut: createPassword,
    describe: (change) => {
      const d = change.declaration;
      return `create password ${change.path} on ${d.database}/${d.branch} (${d.role}, allowed from ${allowedFrom(d.cidrs)}): ${CREATE_REASON_TEXT[change.reason]}; new secret${orphansDeleted(change.orphans.length)}`;
    },
    widening: createWidening,
  },
  'update-cidrs': {
    phase: 'in-place',
    sign: '~',
    carryOut: updateCidrs,
    describe: describeCidrUpdate,
    widening: (change) => cidrWidening(change.from, change.to),
  },
  'rename-password': {
    phase: 'in-place',
    sign: '~',
    carryOut: renamePassword,
    describe: (change) => `rename password ${change.path} to ${change.to}`,
    widening: () => [],
  },
  'renew-password': {
    phase: 'in-place',
    sign: '~',
    carryOut: renewPassword,
    describe: (change) => `renew password ${change.path} (expires ${change.expiresAt}; same secret)`,
    widening: () => [],
  },
};

// ---- deletion ----------------------------------------------------------------------------------------------------

/** How a password is deleted, and looked for again after a 404. */
export function passwordDeletion(client: PlanetScaleClient, target: PasswordTarget): Deletion {
  const { value, database, branch, production } = target.live;
  return {
    remove: () => client.deletePassword(database, branch, value.id),
    stillExists: async () => (await client.listPasswords(database, branch, { q: value.name })).some((p) => p.id === value.id),
    needs: client.describeNeeds('delete_password', { database, kind: production ? 'production' : 'development' }),
  };
}

export function describePasswordTarget(target: PasswordTarget): string {
  return `password ${target.live.value.name} (${target.live.value.id}) on ${target.live.database}/${target.live.branch}`;
}
