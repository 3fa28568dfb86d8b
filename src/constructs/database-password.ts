import { Construct } from 'constructs';
import { declareObject } from './declaration';
import { PlanetScale } from './planetscale';
import { checkConstructPath, checkDisplayName, checkResourceName, checkRotation, checkTtl, deferredCheck, invalidProp, shown } from './validation';
import { suggestName } from '../model/accesses';
import { collapseCidrs } from '../model/cidr';
import { SUCCESSOR_PATTERN } from '../model/contract';
import type { PasswordDeclaration } from '../model/desired-state';
import { managedNameOf } from '../model/naming';
import { PASSWORD_ROLES, type PasswordRole } from '../model/planetscale-enums';
import { INHERITED_ROLES, sortedRoles, type InheritedRole } from '../model/postgres-roles';

export interface DatabasePasswordProps {
  /**
   * The database: on MySQL/Vitess the credential is a branch password, on Postgres a branch role. The engine asks
   * PlanetScale which kind it is at apply, unless a prop below (or another construct's use of the database) says.
   */
  readonly database: string;
  /**
   * The branch the password can connect to.
   * @default 'main'
   */
  readonly branch?: string;
  /**
   * The database role. Changing it creates a new password first, then deletes the old one. On Postgres it maps to
   * inherited roles: reader → pg_read_all_data, writer → pg_write_all_data, readwriter → both, admin → postgres.
   * @default 'reader'
   */
  readonly role?: PasswordRole;
  /**
   * Postgres only: exactly these inherited roles (PlanetScale's list: pg_read_all_data, pg_write_all_data, postgres,
   * pg_monitor, ...) instead of the mapping of `role`. Changing them creates a new role first.
   * @default - the mapping of `role`
   */
  readonly inheritedRoles?: InheritedRole[];
  /**
   * Postgres only: who gets the objects (tables, sequences, ...) the role owns when this construct is removed: another
   * `DatabasePassword` of the stack on the same branch, or an existing role's id or username (with or without the
   * branch suffix, e.g. `pscale_api_abc123def456`). A rotation always hands them to the new generation.
   * @default - the branch's default role, postgres
   */
  readonly successor?: DatabasePassword | string;
  /**
   * Time to live: whole seconds, or a duration such as '90d', '12h', '30m'. Changing it creates a new password.
   * @default - the password does not expire
   */
  readonly ttl?: number | string;
  /**
   * MySQL/Vitess only: whether the password connects to read replicas. Changing it creates a new password.
   * @default false
   */
  readonly replica?: boolean;
  /**
   * MySQL/Vitess only: whether the password connects directly to a VTGate, bypassing the load balancer. Changing it
   * creates a new password.
   * @default false
   */
  readonly directVtgate?: boolean;
  /**
   * Display name (1-32 letters, digits, '-' or '_'); the managed name adds the ownership key and hashes to it.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Rotation label: changing it (for example to a date) creates a new password first, then deletes the old one.
   * @default ''
   */
  readonly rotation?: string;
  /**
   * Renew the password (same secret, a full TTL again, through PlanetScale's renew route) at any apply or
   * `planetscale-cdktf reconcile` that runs within this long of its expiry: whole seconds or a duration such as
   * '7d'. Needs `ttl`, and must be shorter than it. Changing it changes nothing else.
   * @default - never renewed; `planetscale-cdktf plan` reports it when it nears expiry
   */
  readonly renewBefore?: number | string;
}

const DATABASE_PASSWORD_BRAND = Symbol.for('cdktf-planetscale-credentials.DatabasePassword');

/**
 * A PlanetScale database credential: a branch password on a MySQL/Vitess database, a branch role on a Postgres one.
 * Its secret is written to the outputs file, never to Terraform state. Fields fixed at creation (role, inherited
 * roles, TTL, replica, direct VTGate, branch, rotation) make a new credential when changed, issued before the old one
 * is deleted (a Postgres role's objects go to its successor generation); a MySQL allow-list (from `IpRestriction`s)
 * is patched in place.
 */
export class DatabasePassword extends Construct {
  /** Whether `x` is a DatabasePassword (of any copy of this library: a brand, not `instanceof`). */
  static isDatabasePassword(x: unknown): x is DatabasePassword {
    return typeof x === 'object' && x !== null && DATABASE_PASSWORD_BRAND in x;
  }

  readonly database: string;
  readonly branch: string;
  readonly role: PasswordRole;
  /** TTL in seconds, or undefined for no expiry. */
  readonly ttlSeconds?: number;
  /** The name the password has in PlanetScale. */
  readonly managedName: string;
  private readonly allowed = new Set<string>();

  constructor(scope: Construct, id: string, props: DatabasePasswordProps) {
    super(scope, id);
    Object.defineProperty(this, DATABASE_PASSWORD_BRAND, { value: true });
    checkConstructPath(this);
    const planetscale = PlanetScale.of(this);
    this.database = checkResourceName(this, 'database', props.database);
    this.branch = checkResourceName(this, 'branch', props.branch ?? 'main');
    const role = props.role ?? 'reader';
    if (!PASSWORD_ROLES.includes(role)) {
      throw invalidProp(this, 'role', `${JSON.stringify(role)} is not a password role: use one of ${PASSWORD_ROLES.join(', ')}`);
    }
    this.role = role;
    this.ttlSeconds = checkTtl(this, 'ttl', props.ttl);
    const renewBefore = checkTtl(this, 'renewBefore', props.renewBefore);
    if (renewBefore !== undefined && this.ttlSeconds === undefined) {
      throw invalidProp(this, 'renewBefore', 'needs a `ttl`: a password without one never expires');
    }
    if (renewBefore !== undefined && renewBefore >= this.ttlSeconds!) {
      throw invalidProp(this, 'renewBefore', `(${renewBefore}s) must be shorter than the ttl (${this.ttlSeconds}s), or every apply would renew it`);
    }
    for (const flag of ['replica', 'directVtgate'] as const) {
      if (props[flag] !== undefined && typeof props[flag] !== 'boolean') throw invalidProp(this, flag, 'must be true or false');
    }
    const display = checkDisplayName(this, props.name, id);
    const rotation = checkRotation(this, props.rotation);
    const inheritedRoles = this.checkInheritedRoles(props);
    const successor = this.checkSuccessor(props.successor);

    // A prop only one engine has says which engine this is; both kinds of prop on one password cannot work.
    const mysqlOnly = (['replica', 'directVtgate'] as const).filter((p) => props[p] === true);
    const postgresOnly = (['inheritedRoles', 'successor'] as const).filter((p) => props[p] !== undefined);
    if (mysqlOnly.length > 0 && postgresOnly.length > 0) {
      throw invalidProp(this, postgresOnly[0], `is for Postgres roles and ${mysqlOnly[0]} for MySQL/Vitess passwords: a password has one engine (remove one of them)`);
    }
    if (mysqlOnly.length > 0) planetscale.declareDatabase(this, this.database, 'mysql', `DatabasePassword ${this.node.path} sets ${mysqlOnly[0]}`);
    if (postgresOnly.length > 0) planetscale.declareDatabase(this, this.database, 'postgresql', `DatabasePassword ${this.node.path} sets ${postgresOnly[0]}`);

    // The fields fixed at creation: a change is a new password (the generation hash covers exactly these). Inherited
    // roles are added only when given, so the generation of every password declared without them stays what it was.
    const fixed = {
      database: this.database,
      branch: this.branch,
      role: this.role,
      ttl_seconds: this.ttlSeconds ?? null,
      replica: props.replica ?? false,
      direct_vtgate: props.directVtgate ?? false,
      rotation,
      ...(inheritedRoles ? { inherited_roles: inheritedRoles } : {}),
    };
    const identity = planetscale.identity(this, fixed);
    const declaration = (): PasswordDeclaration => ({
      kind: 'password',
      ...identity,
      display,
      ...fixed,
      inherited_roles: inheritedRoles ?? null,
      successor: successor(),
      cidrs: this.cidrs,
      renew_before_seconds: renewBefore ?? null,
    });
    this.managedName = managedNameOf(declaration(), planetscale.owner);
    planetscale.declare(this, declaration);
    declareObject(this, planetscale, () => ({
      replace: fixed,
      // The successor only when set: null_resource triggers keep every key, and existing ones must not change.
      inPlace: { name: display, cidrs: this.cidrs, renew_before_seconds: renewBefore ?? null, ...(successor() ? { successor: successor() } : {}) },
    }));
  }

  private checkInheritedRoles(props: DatabasePasswordProps): InheritedRole[] | undefined {
    const roles = props.inheritedRoles;
    if (roles === undefined) return undefined;
    if (props.role !== undefined) throw invalidProp(this, 'inheritedRoles', 'and `role` both say what the role may do: set one of them');
    if (!Array.isArray(roles) || roles.length === 0) throw invalidProp(this, 'inheritedRoles', `must list at least one of ${INHERITED_ROLES.join(', ')}`);
    for (const [index, role] of roles.entries()) {
      if (typeof role === 'string' && (INHERITED_ROLES as readonly string[]).includes(role)) continue;
      const suggestion = typeof role === 'string' ? suggestName(role, INHERITED_ROLES) : undefined;
      throw invalidProp(
        this,
        `inheritedRoles[${index}]`,
        `${shown(JSON.stringify(role) ?? String(role))} is not a role PlanetScale lets a role inherit` +
          (suggestion ? `; did you mean "${suggestion}"?` : `; use one of ${INHERITED_ROLES.join(', ')}`),
      );
    }
    return sortedRoles(roles) as InheritedRole[];
  }

  /** The successor prop, checked now; evaluated at synth (a password named as successor may be declared later). */
  private checkSuccessor(successor: DatabasePasswordProps['successor']): () => PasswordDeclaration['successor'] {
    if (successor === undefined) return () => null;
    if (typeof successor === 'string') {
      if (!SUCCESSOR_PATTERN.test(successor)) {
        throw invalidProp(this, 'successor', `${shown(JSON.stringify(successor))} is not a role id or username (letters, digits, '_', '$' or '.')`);
      }
      return () => ({ role: successor });
    }
    if (!DatabasePassword.isDatabasePassword(successor)) throw invalidProp(this, 'successor', 'must be a DatabasePassword of this stack, or a role id or username');
    if (successor === this) throw invalidProp(this, 'successor', 'cannot be the password itself');
    deferredCheck(this, () =>
      successor.database !== this.database || successor.branch !== this.branch
        ? [`successor ${successor.node.path} is on ${successor.database}/${successor.branch}, not ${this.database}/${this.branch}: objects stay on their branch`]
        : [],
    );
    return () => ({ path: successor.node.path });
  }

  /**
   * The allowed CIDRs: the union of this password's `IpRestriction`s, normalized, with duplicates and ranges inside
   * another range dropped (as PlanetScale stores the list, so the declared list is what the API returns), sorted;
   * empty allows all.
   */
  get cidrs(): string[] {
    return collapseCidrs([...this.allowed]);
  }

  /**
   * Adds normalized CIDRs to the allow-list (called by IpRestriction).
   * @internal
   */
  allow(cidrs: readonly string[]): void {
    for (const cidr of cidrs) this.allowed.add(cidr);
  }
}
