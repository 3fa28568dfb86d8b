import { Construct } from 'constructs';
import { declareObject } from './declaration';
import { PlanetScale } from './planetscale';
import { checkConstructPath, checkDisplayName, checkResourceName, checkRotation, checkTtl, invalidProp } from './validation';
import { ALL_ACCESSES, DATABASE_ACCESSES, isOrganizationAccess, suggestName } from '../model/accesses';
import type { TokenDeclaration } from '../model/desired-state';
import { managedNameOf } from '../model/naming';

export interface ServiceTokenProps {
  /**
   * Time to live: whole seconds, or a duration such as '30d', '12h'. Changing it creates a new token first, then
   * deletes the old one.
   * @default - the token does not expire
   */
  readonly ttl?: number | string;
  /**
   * Display name (1-32 letters, digits, '-' or '_'); the managed name adds the ownership key and hashes to it.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Rotation label: changing it creates a new token first, then deletes the old one.
   * @default ''
   */
  readonly rotation?: string;
}

/**
 * An organization service token with its access grants. The token's id and value are written to the outputs file
 * (with the PLANETSCALE_SERVICE_TOKEN_ID / PLANETSCALE_SERVICE_TOKEN pair a pipeline needs), never to Terraform
 * state. Grant changes are applied to the same token, by exactly the difference.
 */
export class ServiceToken extends Construct {
  /** The name the token has in PlanetScale. */
  readonly managedName: string;
  readonly ttlSeconds?: number;
  private readonly databaseGrants = new Map<string, Set<string>>();
  private readonly organizationGrants = new Set<string>();

  constructor(scope: Construct, id: string, props: ServiceTokenProps = {}) {
    super(scope, id);
    checkConstructPath(this);
    const planetscale = PlanetScale.of(this);
    this.ttlSeconds = checkTtl(this, 'ttl', props.ttl);
    const display = checkDisplayName(this, props.name, id);
    const rotation = checkRotation(this, props.rotation);
    // The fields fixed at creation (the generation hash covers exactly these); a token cannot be renamed either.
    const fixed = { ttl_seconds: this.ttlSeconds ?? null, rotation };
    const identity = planetscale.identity(this, fixed);
    const grants = () => ({
      databases: Object.fromEntries([...this.databaseGrants].sort(([a], [b]) => a.localeCompare(b)).map(([db, set]) => [db, [...set].sort()])),
      organization_accesses: [...this.organizationGrants].sort(),
    });
    const declaration = (): TokenDeclaration => ({ kind: 'service-token', ...identity, display, ...fixed, ...grants() });
    this.managedName = managedNameOf(declaration(), planetscale.owner);
    planetscale.declare(this, declaration);
    declareObject(this, planetscale, () => ({
      replace: { name: display, ...fixed },
      inPlace: grants(),
    }));
  }

  /** Grants accesses on one database, e.g. `grant('shop', ['read_branch', 'create_deploy_request'])`. */
  grant(database: string, accesses: string[]): this {
    checkResourceName(this, 'grant database', database);
    const checked = this.checkAccesses(`grant('${database}')`, accesses, DATABASE_ACCESSES, (name) =>
      isOrganizationAccess(name) ? `${name} is an organization access: grant it with grantOrganization()` : undefined,
    );
    const set = this.databaseGrants.get(database) ?? new Set<string>();
    for (const access of checked) set.add(access);
    this.databaseGrants.set(database, set);
    return this;
  }

  /**
   * Grants accesses on the organization: organization accesses such as `read_databases`, or database accesses that
   * then apply to every database.
   */
  grantOrganization(accesses: string[]): this {
    for (const access of this.checkAccesses('grantOrganization()', accesses, ALL_ACCESSES, () => undefined)) this.organizationGrants.add(access);
    return this;
  }

  private checkAccesses(where: string, accesses: string[], allowed: readonly string[], explain: (name: string) => string | undefined): string[] {
    if (!Array.isArray(accesses) || accesses.length === 0) throw invalidProp(this, where, 'needs at least one access');
    for (const access of accesses) {
      if (typeof access === 'string' && allowed.includes(access)) continue;
      const text = JSON.stringify(access);
      const reason = typeof access === 'string' ? explain(access) : undefined;
      if (reason) throw invalidProp(this, where, reason);
      const suggestion = typeof access === 'string' ? suggestName(access, allowed) : undefined;
      const list = allowed === DATABASE_ACCESSES ? 'DATABASE_ACCESSES' : 'DATABASE_ACCESSES and ORGANIZATION_ACCESSES';
      throw invalidProp(
        this,
        where,
        `${text} is not a service token access PlanetScale documents` +
          (suggestion ? `; did you mean "${suggestion}"?` : `; the documented names are exported as ${list}`),
      );
    }
    return accesses;
  }
}
