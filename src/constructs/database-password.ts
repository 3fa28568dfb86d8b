import { Construct } from 'constructs';
import { declareObject } from './declaration';
import { PlanetScale } from './planetscale';
import { checkConstructPath, checkDisplayName, checkResourceName, checkRotation, checkTtl, invalidProp } from './validation';
import { PASSWORD_ROLES, type PasswordRole } from '../api/types';
import { collapseCidrs } from '../spec/cidr';
import { managedNameOf, type PasswordDeclaration } from '../spec/desired-state';

export interface DatabasePasswordProps {
  /** The MySQL/Vitess database the password belongs to. */
  readonly database: string;
  /**
   * The branch the password can connect to.
   * @default 'main'
   */
  readonly branch?: string;
  /**
   * The database role. Changing it creates a new password first, then deletes the old one.
   * @default 'reader'
   */
  readonly role?: PasswordRole;
  /**
   * Time to live: whole seconds, or a duration such as '90d', '12h', '30m'. Changing it creates a new password.
   * @default - the password does not expire
   */
  readonly ttl?: number | string;
  /**
   * Whether the password connects to read replicas. Changing it creates a new password.
   * @default false
   */
  readonly replica?: boolean;
  /**
   * Whether the password connects directly to a VTGate, bypassing the load balancer. Changing it creates a new
   * password.
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

/**
 * A PlanetScale branch password. Its secret is written to the outputs file, never to Terraform state. Fields fixed
 * at creation (role, TTL, replica, direct VTGate, branch, rotation) make a new password when changed; the CIDR
 * allow-list (from `IpRestriction`s) is patched in place.
 */
export class DatabasePassword extends Construct {
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
    planetscale.declareDatabase(this, this.database, 'mysql');

    // The fields fixed at creation: a change is a new password (the generation hash covers exactly these).
    const fixed = {
      database: this.database,
      branch: this.branch,
      role: this.role,
      ttl_seconds: this.ttlSeconds ?? null,
      replica: props.replica ?? false,
      direct_vtgate: props.directVtgate ?? false,
      rotation,
    };
    const identity = planetscale.identity(this, fixed);
    const declaration = (): PasswordDeclaration => ({
      kind: 'password',
      ...identity,
      display,
      ...fixed,
      cidrs: this.cidrs,
      renew_before_seconds: renewBefore ?? null,
    });
    this.managedName = managedNameOf(declaration(), planetscale.owner);
    planetscale.declare(this, declaration);
    declareObject(this, planetscale, () => ({
      replace: fixed,
      inPlace: { name: display, cidrs: this.cidrs, renew_before_seconds: renewBefore ?? null },
    }));
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
