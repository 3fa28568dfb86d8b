import type { PlanetScaleClient } from '../../api/client';
import type { PostgresIpRule } from '../../api/types';
import { sameAddresses } from '../../model/cidr';
import type { IpRuleDeclaration } from '../../model/desired-state';
import { describeRule, parseOwnedName, ruleMarker, ruleMarkerOf, type ManagedName } from '../../model/naming';
import type { ChangeHandlers, Deletion, Execution } from '../execution';
import { byObject } from '../generations';
import type { Planning } from '../planning';
import { unlistedAt } from '../unlisted';

/**
 * A Postgres database IP rule (an `IpRestriction({ database })`): how it is listed, planned, carried out and shown.
 * Rules carry no secret and have no name: their managed name travels as a tag in the description. Every field but
 * the database changes in place; a rule on a password's role follows that role across its generations.
 */

export interface LiveRule {
  readonly value: PostgresIpRule;
  readonly database: string;
  readonly marker: ManagedName;
}

export interface RuleTarget {
  readonly kind: 'IP rule';
  readonly live: LiveRule;
}

export interface RuleSettings {
  readonly schema: string;
  readonly role: string;
  readonly cidrs: readonly string[];
  readonly description: string;
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

export interface UpdateRule {
  readonly kind: 'update-rule';
  readonly path: string;
  readonly live: LiveRule;
  readonly from: RuleSettings;
  readonly to: RuleSettings;
  /** As for CreateRule: `to.role` is the username of the role this run creates for this path. */
  readonly rolePath?: string;
}

export type RuleChange = CreateRule | UpdateRule;

// ---- listing -----------------------------------------------------------------------------------------------------

/** The owner's IP rules on one Postgres database, found by the tag in their description. */
export async function listOwnedRules(client: PlanetScaleClient, database: string, owner: string): Promise<LiveRule[]> {
  return (await client.listPostgresIpRules(database)).flatMap((value) => {
    const tag = ruleMarker(value.description);
    const marker = tag === undefined ? undefined : parseOwnedName(tag, owner);
    return marker ? [{ value, database, marker }] : [];
  });
}

// ---- planning ----------------------------------------------------------------------------------------------------

/** Plans every declared rule (after the passwords: a rule may name a password's role), and the removal of the rest. */
export function planRules(planning: Planning, declared: readonly IpRuleDeclaration[]): void {
  const { inventory } = planning.input;
  const byConstruct = byObject(inventory.rules, (r) => r.marker.object);
  for (const declaration of declared) planRule(planning, declaration, byConstruct.get(declaration.object) ?? []);
  const objects = new Set(declared.map((r) => r.object));
  for (const live of inventory.rules) {
    if (objects.has(live.marker.object)) continue;
    const path = ruleMarkerOf(live.marker.display, planning.owner, live.marker.object);
    planning.changes.push({ kind: 'delete', path, target: { kind: 'IP rule', live }, reason: planning.removal });
  }
}

/** Where the rule lives, and the role it names; undefined (with a problem recorded) when it cannot be planned. */
function placeRule(planning: Planning, declaration: IpRuleDeclaration): { role: string; rolePath?: string } | undefined {
  const { path, database } = declaration;
  const { inventory, desired } = planning.input;
  const unlisted = unlistedAt(inventory, { database, rules: true });
  if (unlisted) {
    if (unlisted.refused) planning.problem(path, `cannot see ${unlisted.what}: ${unlisted.reason}`);
    return undefined;
  }
  const db = inventory.databases.get(database);
  if (!db) {
    planning.problem(path, `database ${database} not found in organization ${desired.organization}, or the credential cannot see it`);
    return undefined;
  }
  if (db.kind !== 'postgresql') {
    planning.problem(path, `database ${database} is a MySQL/Vitess database; database IP rules are for Postgres (restrict a password with IpRestriction({ password }) instead)`);
    return undefined;
  }
  if (declaration.role_path === null) return { role: declaration.role };
  // A rule on a password's role names the role PostgreSQL knows (its username without the branch suffix, as
  // PlanetScale documents for IP restrictions); a new generation has a new one, known once created.
  if (!planning.roleOfPath.has(declaration.role_path)) {
    planning.problem(path, `its role is that of ${declaration.role_path}, which has no role to restrict (see the line for ${declaration.role_path})`);
    return undefined;
  }
  const heir = planning.roleOfPath.get(declaration.role_path);
  return heir ? { role: heir.base_username } : { role: declaration.role, rolePath: declaration.role_path };
}

function planRule(planning: Planning, declaration: IpRuleDeclaration, instances: readonly LiveRule[]): void {
  const placed = placeRule(planning, declaration);
  if (!placed) return;
  const { path, database, schema, cidrs } = declaration;
  const { changes } = planning;
  const marker = ruleMarkerOf(declaration.display, planning.owner, declaration.object);
  const [kept, ...duplicates] = instances.filter((r) => r.database === database);
  const to: RuleSettings = { schema, role: placed.role, cidrs, description: describeRule(declaration.description, marker) };
  const pending = placed.rolePath ? { rolePath: placed.rolePath } : {};
  if (!kept) {
    changes.push({ kind: 'create-rule', path, declaration, marker, settings: to, ...pending });
  } else {
    const rule = kept.value;
    const from: RuleSettings = { schema: rule.schema, role: rule.role, cidrs: rule.cidrs, description: rule.description ?? '' };
    const differs = from.schema !== to.schema || from.role !== to.role || from.description !== to.description || !sameAddresses(from.cidrs, to.cidrs);
    if (placed.rolePath || differs) changes.push({ kind: 'update-rule', path, live: kept, from, to, ...pending });
  }
  for (const extra of duplicates) changes.push({ kind: 'delete', path, target: { kind: 'IP rule', live: extra }, reason: 'duplicate' });
  for (const moved of instances.filter((r) => r.database !== database)) {
    changes.push({ kind: 'delete', path, target: { kind: 'IP rule', live: moved }, reason: 'previous generation', after: path });
  }
}

// ---- carrying out ------------------------------------------------------------------------------------------------

/** The role a rule names: the declared one, or the username of the role this run created for a password path. */
function ruleRole(run: Execution, change: RuleChange, declared: string): string {
  if (!change.rolePath) return declared;
  const role = run.createdRoles.get(change.rolePath);
  if (!role) throw new Error(`the rule applies to the role of ${change.rolePath}, which this run could not create (see the line for ${change.rolePath})`);
  return role.base_username;
}

async function createRule(change: CreateRule, run: Execution): Promise<void> {
  const d = change.declaration;
  const settings = { ...change.settings, role: ruleRole(run, change, change.settings.role), cidrs: [...change.settings.cidrs] };
  const created = await run.client.createPostgresIpRule(d.database, settings);
  run.counts.created += 1;
  run.log(`created IP rule ${created.id} on ${d.database}: ${d.cidrs.join(', ')} for schema ${d.schema || '(all)'}, role ${settings.role || '(all)'}`);
}

async function updateRule(change: UpdateRule, run: Execution): Promise<void> {
  const { value, database } = change.live;
  const role = ruleRole(run, change, change.to.role);
  await run.client.updatePostgresIpRule(database, value.id, { ...change.to, role, cidrs: [...change.to.cidrs] });
  run.counts.changed += 1;
  run.log(`updated IP rule ${value.id} on ${database}: ${change.to.cidrs.join(', ')} for schema ${change.to.schema || '(all)'}, role ${role || '(all)'}`);
}

// ---- reporting ---------------------------------------------------------------------------------------------------

/** The role a rule covers, as a reader sees it. */
function roleText(change: RuleChange): string {
  if (change.rolePath) return `(the new role of ${change.rolePath})`;
  const role = change.kind === 'create-rule' ? change.settings.role : change.to.role;
  return role || '(all)';
}

function updateWidening(change: UpdateRule): string[] {
  const { from, to } = change;
  const reasons: string[] = [];
  if (!sameAddresses([...from.cidrs, ...to.cidrs], from.cidrs)) reasons.push(`CIDR added: ${to.cidrs.filter((c) => !sameAddresses([...from.cidrs, c], from.cidrs)).join(', ')}`);
  // Narrowing is from all ('') to one; any other change of schema or role admits something not admitted before.
  if (from.schema !== to.schema && from.schema !== '') reasons.push(to.schema === '' ? 'rule now covers all schemas' : `rule now covers schema ${to.schema}`);
  // A rule following a password's role to its new generation covers the same credential.
  if (from.role !== to.role && from.role !== '' && !change.rolePath) reasons.push(to.role === '' ? 'rule now covers all roles' : `rule now covers role ${to.role}`);
  return reasons;
}

export const RULE_CHANGES: ChangeHandlers<RuleChange['kind']> = {
  'create-rule': {
    // In place: a rule carries no secret, and may name the role of a password this run issues first.
    phase: 'in-place',
    sign: '+',
    carryOut: createRule,
    describe: (change) => `create IP rule ${change.path} on ${change.declaration.database}: ${change.declaration.cidrs.join(', ')} for role ${roleText(change)}`,
    widening: (change) => [`database IP rule added: ${change.declaration.cidrs.join(', ')} for schema ${change.declaration.schema || '(all)'}, role ${roleText(change)}`],
  },
  'update-rule': {
    phase: 'in-place',
    sign: '~',
    carryOut: updateRule,
    describe: (change) =>
      `update IP rule ${change.path} on ${change.live.database}: ${change.to.cidrs.join(', ')} for schema ${change.to.schema || '(all)'}, role ${roleText(change)}`,
    widening: updateWidening,
  },
};

// ---- deletion ----------------------------------------------------------------------------------------------------

export function ruleDeletion(client: PlanetScaleClient, target: RuleTarget): Deletion {
  const { value, database } = target.live;
  return {
    remove: () => client.deletePostgresIpRule(database, value.id),
    stillExists: async () => (await client.listPostgresIpRules(database)).some((r) => r.id === value.id),
    needs: client.describeNeeds('delete_database_postgres_cidr', { database }),
  };
}

export function describeRuleTarget(target: RuleTarget): string {
  return `IP rule ${target.live.value.id} (${target.live.marker.display}) on ${target.live.database}`;
}
