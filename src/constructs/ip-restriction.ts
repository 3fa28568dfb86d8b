import { Construct } from 'constructs';
import { DatabasePassword } from './database-password';
import { declareObject } from './declaration';
import { PlanetScale } from './planetscale';
import { checkConstructPath, checkDisplayName, checkResourceName, deferredCheck, invalidProp } from './validation';
import { stackOf } from '../framework';
import { compareCidrs, normalizeCidr } from '../model/cidr';
import { MAX_RULE_DESCRIPTION, POSTGRES_IDENTIFIER_PATTERN } from '../model/contract';
import type { IpRuleDeclaration } from '../model/desired-state';

export interface IpRestrictionProps {
  /**
   * MySQL/Vitess: the password whose connections are restricted. Exactly one of `password` and `database`.
   * @default - none; set `database` instead
   */
  readonly password?: DatabasePassword;
  /**
   * Postgres: the database that gets a database-level IP rule. Exactly one of `password` and `database`.
   * @default - none; set `password` instead
   */
  readonly database?: string;
  /**
   * Allowed addresses or CIDR ranges. Bare addresses become /32 or /128; duplicates are dropped. Several restrictions
   * on one password allow the union of their ranges. Postgres rules accept IPv4 only.
   */
  readonly cidrs: string[];
  /**
   * Postgres only: the schema the rule applies to.
   * @default '' (all schemas)
   */
  readonly schema?: string;
  /**
   * Postgres only: the role the rule applies to: a role name, or a `DatabasePassword` of this stack on the same
   * database, whose role the rule then follows across rotations (by its username without the branch suffix).
   * @default '' (all roles)
   */
  readonly role?: string | DatabasePassword;
  /**
   * Postgres only: a description; the rule's description is this plus an ownership tag `[cdktf:<managed name>]`.
   * @default ''
   */
  readonly description?: string;
  /**
   * Postgres only: display name used in the ownership tag.
   * @default - the construct id
   */
  readonly name?: string;
}

/**
 * Restricts where a database may be reached from.
 *
 * With `password` (MySQL/Vitess): the password's allow-list. Changes patch the password in place (same secret);
 * removing the last restriction of a password makes it usable from any address again.
 *
 * With `database` (Postgres): a database-level IP rule with the given schema, role and description. Every change
 * updates the same rule in place; removing the construct deletes it; rules this stack does not own are never touched.
 */
export class IpRestriction extends Construct {
  /** The normalized CIDRs this restriction allows. */
  readonly cidrs: string[];

  constructor(scope: Construct, id: string, props: IpRestrictionProps) {
    super(scope, id);
    checkConstructPath(this);
    if ((props.password === undefined) === (props.database === undefined)) {
      throw invalidProp(this, 'password', 'or `database`: set exactly one (password for MySQL/Vitess, database for a Postgres database rule)');
    }
    if (props.password !== undefined && !DatabasePassword.isDatabasePassword(props.password)) {
      throw invalidProp(this, 'password', 'must be a DatabasePassword of this stack');
    }
    if (props.password !== undefined) this.checkSameStack('password', props.password);
    if (!Array.isArray(props.cidrs) || props.cidrs.length === 0) {
      throw invalidProp(this, 'cidrs', 'must list at least one address or range (remove the IpRestriction to allow all addresses)');
    }
    const normalized = props.cidrs.map((cidr, index) => {
      const result = typeof cidr === 'string' ? normalizeCidr(cidr) : { ok: false as const, reason: `${JSON.stringify(cidr)} is not a string` };
      if (!result.ok) throw invalidProp(this, `cidrs[${index}]`, result.reason);
      if (props.database !== undefined && result.family !== 'ipv4') {
        throw invalidProp(this, `cidrs[${index}]`, `"${cidr}" is IPv6; Postgres database IP rules accept IPv4 only`);
      }
      return result.cidr;
    });
    this.cidrs = [...new Set(normalized)];

    if (props.password) {
      for (const field of ['schema', 'role', 'description', 'name'] as const) {
        if (props[field] !== undefined) throw invalidProp(this, field, 'applies to Postgres database rules only (set `database`, not `password`)');
      }
      // An allow-list is a MySQL/Vitess password's: on Postgres, restrictions are database rules.
      PlanetScale.of(this).declareDatabase(
        this,
        props.password.database,
        'mysql',
        `IpRestriction ${this.node.path} restricts password ${props.password.node.path}; for a Postgres role use IpRestriction({ database, role: password })`,
      );
      props.password.allow(this.cidrs);
      return;
    }
    this.definePostgresRule(id, props);
  }

  private definePostgresRule(id: string, props: IpRestrictionProps): void {
    const planetscale = PlanetScale.of(this);
    const database = checkResourceName(this, 'database', props.database);
    planetscale.declareDatabase(this, database, 'postgresql', `IpRestriction ${this.node.path} is a database IP rule`);
    const rolePath = this.checkRolePassword(props.role, database);
    for (const field of ['schema', 'role'] as const) {
      const value = field === 'role' && rolePath !== null ? '' : (props[field] ?? '');
      if (typeof value !== 'string' || !POSTGRES_IDENTIFIER_PATTERN.test(value)) {
        throw invalidProp(this, field, `${JSON.stringify(value)} is not a PostgreSQL identifier (letters, digits, '_' or '$', at most 63, not starting with a digit)`);
      }
    }
    const description = props.description ?? '';
    if (typeof description !== 'string' || description.length > MAX_RULE_DESCRIPTION || /[\n\r]|\[cdktf:/.test(description)) {
      throw invalidProp(this, 'description', `must be one line of at most ${MAX_RULE_DESCRIPTION} characters, without "[cdktf:"`);
    }
    const display = checkDisplayName(this, props.name, id);
    // Every field of a rule but its database can be changed in place, so its generation never changes.
    const identity = planetscale.identity(this, {});
    const role = rolePath === null ? ((props.role as string | undefined) ?? '') : '';
    const fields = { schema: props.schema ?? '', role, role_path: rolePath, cidrs: [...this.cidrs].sort(compareCidrs), description };
    const declaration: IpRuleDeclaration = { kind: 'postgres-ip-rule', path: identity.path, object: identity.object, display, database, ...fields };
    planetscale.declare(this, () => declaration);
    // role_path only when set: null_resource triggers keep every key, and existing ones must not change.
    const { role_path: _rolePath, ...unchanged } = fields;
    declareObject(this, planetscale, () => ({
      replace: { database },
      inPlace: { name: display, ...unchanged, ...(rolePath !== null ? { role_path: rolePath } : {}) },
    }));
  }

  /**
   * A password of another stack is another run's, applied with that stack: restricting it from here would change that
   * stack's declaration behind its back (or, for a rule's role, follow a role this stack's run never sees).
   */
  private checkSameStack(prop: 'password' | 'role', password: DatabasePassword): void {
    const there = stackOf(password);
    if (there !== stackOf(this)) throw invalidProp(this, prop, `must be a DatabasePassword of this stack; ${password.node.path} is in stack ${there.node.id}`);
  }

  /** The path of the password whose role the rule follows, when `role` is a DatabasePassword; null otherwise. */
  private checkRolePassword(role: IpRestrictionProps['role'], database: string): string | null {
    if (!DatabasePassword.isDatabasePassword(role)) return null;
    this.checkSameStack('role', role);
    deferredCheck(this, () =>
      role.database !== database ? [`role is password ${role.node.path} of database ${role.database}; a rule on ${database} can only name a role of ${database}`] : [],
    );
    return role.node.path;
  }
}
