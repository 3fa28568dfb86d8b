import { unreachable } from '../changes';
import { byObject } from '../generations';
import type { Planning } from '../planning';
import { unlistedAt } from '../unlisted';
import { planPassword } from './mysql-password';
import { planRole, planRoleRemoval } from './postgres-role';
import type { PasswordDeclaration } from '../../model/desired-state';
import { managedNameOf } from '../../model/naming';
import type { DatabaseKind } from '../../model/planetscale-enums';
import { DEFAULT_SUCCESSOR } from '../../model/postgres-roles';

/**
 * A `DatabasePassword` is a MySQL/Vitess branch password or a Postgres branch role, whichever the database is: that
 * is PlanetScale's answer at apply, not synth's guess. This module checks where a declared password lives, hands it to
 * its kind's planner, and treats instances of the other kind (the construct's life on a database of the other
 * engine) as previous generations. Owned passwords and roles that no declaration claims go.
 */

/** Plans every declared password, then the removal of the owner's passwords and roles that none claims. */
export function planDatabasePasswords(planning: Planning, declared: readonly PasswordDeclaration[]): void {
  const { inventory } = planning.input;
  const passwordsByObject = byObject(inventory.passwords, (p) => p.name.object);
  const rolesByObject = byObject(inventory.roles, (r) => r.name.object);
  for (const declaration of declared) {
    const placed = placePassword(planning, declaration);
    if (!placed) continue;
    const { path } = declaration;
    const name = managedNameOf(declaration, planning.owner);
    const passwords = passwordsByObject.get(declaration.object) ?? [];
    const roles = rolesByObject.get(declaration.object) ?? [];
    switch (placed.kind) {
      case 'mysql':
        planPassword(planning, { declaration, name, production: placed.production, instances: passwords, otherEngineInstances: roles.length });
        // The same construct on a Postgres database before: its roles' objects go to the branch's default role.
        for (const live of roles) {
          planning.changes.push({ kind: 'delete', path, target: { kind: 'role', live, successor: { role: DEFAULT_SUCCESSOR } }, reason: 'previous generation', after: path });
        }
        break;
      case 'postgresql':
        planRole(planning, { declaration, name, production: placed.production, instances: roles, otherEngineInstances: passwords.length });
        for (const live of passwords) planning.changes.push({ kind: 'delete', path, target: { kind: 'password', live }, reason: 'previous generation', after: path });
        break;
      default:
        unreachable(placed.kind);
    }
  }
  const objects = new Set(declared.map((p) => p.object));
  for (const live of inventory.passwords) {
    if (!objects.has(live.name.object)) planning.changes.push({ kind: 'delete', path: live.value.name, target: { kind: 'password', live }, reason: planning.removal });
  }
  const byPath = new Map(declared.map((p) => [p.path, p]));
  for (const live of inventory.roles) if (!objects.has(live.name.object)) planRoleRemoval(planning, live, byPath);
}

/**
 * The kind of the password's database and whether its branch is a production branch; undefined, with the problem
 * recorded, when the run cannot act on it there.
 */
function placePassword(planning: Planning, declaration: PasswordDeclaration): { kind: DatabaseKind; production: boolean } | undefined {
  const { path, database, branch } = declaration;
  const { inventory, desired } = planning.input;
  const refuse = (message: string) => {
    planning.problem(path, message);
    return undefined;
  };
  const unlisted = unlistedAt(inventory, { database, branch });
  if (unlisted) return refuse(`cannot see ${unlisted.what}: ${unlisted.reason}`);
  const db = inventory.databases.get(database);
  if (!db) return refuse(`database ${database} not found in organization ${desired.organization}, or the credential cannot see it`);
  const live = inventory.branches.get(database)?.find((b) => b.name === branch);
  if (!live) return refuse(`branch ${branch} not found in database ${database} (organization ${desired.organization})`);
  const mismatch = engineMismatch(declaration, db.kind, desired.organization);
  if (mismatch) return refuse(mismatch);
  return { kind: db.kind, production: live.production };
}

/**
 * One line when a declaration cannot work on a database of this kind: props only the other engine has. Synth refuses
 * them where it knows the kind; here the kind is PlanetScale's answer. A password without such props works on either,
 * whatever the stack's other constructs made synth believe (their own lines say what is wrong with them).
 */
function engineMismatch(declaration: PasswordDeclaration, kind: DatabaseKind, organization: string): string | undefined {
  const where = `database ${declaration.database} in organization ${organization}`;
  if (kind === 'postgresql') {
    const mysqlOnly = [
      ...(declaration.replica ? ['replica'] : []),
      ...(declaration.direct_vtgate ? ['directVtgate'] : []),
      ...(declaration.cidrs.length > 0 ? ['an IpRestriction({ password }) allow-list'] : []),
    ];
    if (mysqlOnly.length === 0) return undefined;
    return (
      `${where} is a Postgres database; ${applyTo(mysqlOnly)} MySQL/Vitess passwords only ` +
      '(on Postgres, restrict a role with IpRestriction({ database, role: password }))'
    );
  }
  const postgresOnly = [...(declaration.inherited_roles ? ['inheritedRoles'] : []), ...(declaration.successor ? ['successor'] : [])];
  return postgresOnly.length > 0 ? `${where} is a MySQL/Vitess database; ${applyTo(postgresOnly)} Postgres roles only` : undefined;
}

/** "replica applies to", "directVtgate and replica apply to". */
function applyTo(props: readonly string[]): string {
  return `${props.join(' and ')} ${props.length > 1 ? 'apply' : 'applies'} to`;
}
