/**
 * The one table of the PlanetScale API routes this package uses: method, path, and what a credential needs to call
 * each one. The client builds its requests and its error advice from it; the emulator serves and guards exactly these
 * routes from it; the contract test checks it against PlanetScale's OpenAPI description (operation id, method, path,
 * "Service Token Accesses" and "OAuth Scopes"), so the three cannot drift apart.
 *
 * Branch kind (an inference, see docs/api-fidelity.md): the OpenAPI description lists, for password and role routes,
 * the accesses of every branch kind in one list. Their names say which kind each is for, so the table splits them:
 * a production branch needs the `*_production_branch*` access, a development branch the plain one. The
 * `*_production_read_only_branch*` accesses are for read-only regions, which this package does not use.
 */

/** OAuth scopes that allow a route, per level of the resource they are granted on. */
export interface ScopeTable {
  readonly user?: readonly string[];
  readonly organization?: readonly string[];
  readonly database?: readonly string[];
  readonly branch?: readonly string[];
}

/** What a credential needs for a route: one of `accesses` (service tokens) or one of the `oauth` scopes. */
export interface Requirement {
  readonly accesses: readonly string[];
  /** `undocumented`: the OpenAPI description names no OAuth scope (service-token routes). */
  readonly oauth: ScopeTable | 'undocumented';
}

export type BranchKind = 'production' | 'development';

/** A requirement that depends on the kind of the branch in the path. */
export interface BranchRequirement {
  readonly production: Requirement;
  readonly development: Requirement;
  /** Read-only regions of production branches: listed by the API, never used by this package. */
  readonly readOnlyRegion: Requirement;
}

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface Endpoint {
  /** The OpenAPI operationId, or our own name for the routes the file lacks. */
  readonly operation: string;
  readonly method: HttpMethod;
  /** Path under /v1, written as the OpenAPI description writes it: `/organizations/{organization}/...`. */
  readonly path: string;
  readonly requires: Requirement | BranchRequirement;
  /**
   * Where the route is documented: `openapi` (checked by the contract test), or the source the emulator follows for
   * routes the OpenAPI description lacks.
   */
  readonly source: 'openapi' | string;
}

export function isBranchRequirement(requires: Requirement | BranchRequirement): requires is BranchRequirement {
  return 'production' in requires;
}

/** The requirement for a call, given the kind of its branch (ignored for routes that do not depend on it). */
export function requirementFor(endpoint: Endpoint, kind?: BranchKind): Requirement {
  const { requires } = endpoint;
  if (!isBranchRequirement(requires)) return requires;
  return requires[kind ?? 'development'];
}

/** Every access the route lists, whatever the branch kind: what the OpenAPI description shows. */
export function allAccesses(endpoint: Endpoint): string[] {
  const { requires } = endpoint;
  const parts = isBranchRequirement(requires) ? [requires.production, requires.development, requires.readOnlyRegion] : [requires];
  return [...new Set(parts.flatMap((p) => p.accesses))];
}

/** Fills `{name}` placeholders with URL-encoded values. */
export function endpointPath(endpoint: Endpoint, params: Readonly<Record<string, string>>): string {
  return endpoint.path.replace(/\{([a-z_]+)\}/g, (_whole, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${endpoint.operation}: no value for {${name}}`);
    return encodeURIComponent(value);
  });
}

// ---- requirements, named once ----------------------------------------------------------------------------------

const ORG = '/organizations/{organization}';
const DATABASE = `${ORG}/databases/{database}`;
const BRANCH = `${DATABASE}/branches/{branch}`;
const PASSWORDS = `${BRANCH}/passwords`;
const TOKENS = `${ORG}/service-tokens`;
const CIDRS = `${DATABASE}/cidrs`;
const ROLES = `${BRANCH}/roles`;

const DATABASE_READ_ACCESSES = [
  'read_database', 'delete_database', 'write_database', 'read_branch', 'delete_branch', 'create_branch', 'promote_branches',
  'demote_branches', 'delete_production_branch', 'connect_branch', 'connect_production_branch', 'connect_production_read_only_branch',
  'delete_branch_password', 'delete_production_branch_password', 'delete_production_read_only_branch_password', 'read_deploy_request',
  'create_deploy_request', 'approve_deploy_request', 'read_comment', 'create_comment', 'restore_backup', 'restore_production_branch_backup',
  'read_backups', 'write_backups', 'delete_backups', 'delete_production_branch_backups', 'write_branch_vschema', 'write_production_branch_vschema',
];

const BRANCH_READ: Requirement = {
  accesses: ['read_branch', 'delete_branch', 'create_branch', 'connect_production_branch', 'connect_branch'],
  oauth: { organization: ['read_branches'], database: ['read_branches'], branch: ['read_branch'] },
};

/** The branch-password scopes: production passwords need the production scope, others the plain one (inference). */
const PASSWORD_SCOPES: Record<keyof BranchRequirement, ScopeTable> = {
  production: { organization: ['manage_production_branch_passwords'], database: ['manage_production_branch_passwords'] },
  development: { organization: ['manage_passwords'], database: ['manage_passwords'], branch: ['manage_passwords'] },
  readOnlyRegion: {
    organization: ['manage_read_only_passwords', 'manage_production_read_only_passwords'],
    database: ['manage_read_only_passwords', 'manage_production_read_only_passwords'],
    branch: ['manage_read_only_passwords'],
  },
};

function byBranchKind(accesses: Record<keyof BranchRequirement, readonly string[]>, scopes = PASSWORD_SCOPES): BranchRequirement {
  return {
    production: { accesses: accesses.production, oauth: scopes.production },
    development: { accesses: accesses.development, oauth: scopes.development },
    readOnlyRegion: { accesses: accesses.readOnlyRegion, oauth: scopes.readOnlyRegion },
  };
}

const PASSWORD_READ = byBranchKind({
  production: ['read_branch', 'delete_branch', 'create_branch', 'connect_production_branch'],
  development: ['read_branch', 'delete_branch', 'create_branch', 'connect_branch'],
  readOnlyRegion: ['connect_production_read_only_branch'],
});
const PASSWORD_WRITE = byBranchKind({
  production: ['connect_production_branch'],
  development: ['connect_branch'],
  readOnlyRegion: ['connect_production_read_only_branch'],
});
const PASSWORD_DELETE = byBranchKind({
  production: ['delete_production_branch_password'],
  development: ['delete_branch_password'],
  readOnlyRegion: ['delete_production_read_only_branch_password'],
});

/**
 * Postgres branch roles: read with the branch accesses, created, renamed and renewed with `create_*branch_password`,
 * deleted, reassigned and reset with `delete_*branch_password` (the OpenAPI description, create_role and delete_role).
 */
const ROLE_READ = PASSWORD_READ;
const ROLE_WRITE = byBranchKind({
  production: ['create_production_branch_password'],
  development: ['create_branch_password'],
  readOnlyRegion: ['create_production_read_only_branch_password'],
});
const ROLE_DELETE = PASSWORD_DELETE;

const TOKENS_READ: Requirement = { accesses: ['read_service_tokens'], oauth: 'undocumented' };
const TOKENS_WRITE: Requirement = { accesses: ['write_service_tokens'], oauth: 'undocumented' };
const TOKENS_DELETE: Requirement = { accesses: ['delete_service_tokens'], oauth: 'undocumented' };

const RULES_READ: Requirement = { accesses: ['read_database', 'read_databases'], oauth: { organization: ['read_databases'], database: ['read_database'] } };
const RULES_WRITE: Requirement = { accesses: ['write_database'], oauth: { organization: ['write_databases'], database: ['write_database'] } };

/** The service-token grant routes are not in the OpenAPI description; their shapes come from PlanetScale's Go SDK. */
const SDK_SERVICE_TOKENS = 'planetscale/planetscale-go planetscale/service_tokens.go (GetAccess, AddAccess, DeleteAccess, ListGrants)';

export const ENDPOINTS = {
  get_organization: {
    operation: 'get_organization',
    method: 'GET',
    path: ORG,
    requires: { accesses: ['read_organization'], oauth: { user: ['read_organizations'], organization: ['read_organization'] } },
    source: 'openapi',
  },
  list_databases: {
    operation: 'list_databases',
    method: 'GET',
    path: `${ORG}/databases`,
    // The list holds the databases the credential can see (any access on them); the call itself needs none.
    requires: { accesses: [], oauth: { organization: ['read_databases'] } },
    source: 'openapi',
  },
  get_database: {
    operation: 'get_database',
    method: 'GET',
    path: DATABASE,
    requires: { accesses: DATABASE_READ_ACCESSES, oauth: { organization: ['read_databases'], database: ['read_database'] } },
    source: 'openapi',
  },
  list_branches: { operation: 'list_branches', method: 'GET', path: `${DATABASE}/branches`, requires: BRANCH_READ, source: 'openapi' },
  get_branch: { operation: 'get_branch', method: 'GET', path: BRANCH, requires: BRANCH_READ, source: 'openapi' },

  list_passwords: { operation: 'list_passwords', method: 'GET', path: PASSWORDS, requires: PASSWORD_READ, source: 'openapi' },
  create_password: { operation: 'create_password', method: 'POST', path: PASSWORDS, requires: PASSWORD_WRITE, source: 'openapi' },
  get_password: { operation: 'get_password', method: 'GET', path: `${PASSWORDS}/{id}`, requires: PASSWORD_READ, source: 'openapi' },
  update_password: { operation: 'update_password', method: 'PATCH', path: `${PASSWORDS}/{id}`, requires: PASSWORD_WRITE, source: 'openapi' },
  delete_password: { operation: 'delete_password', method: 'DELETE', path: `${PASSWORDS}/{id}`, requires: PASSWORD_DELETE, source: 'openapi' },
  renew_password: { operation: 'renew_password', method: 'POST', path: `${PASSWORDS}/{id}/renew`, requires: PASSWORD_WRITE, source: 'openapi' },

  list_roles: { operation: 'list_roles', method: 'GET', path: ROLES, requires: ROLE_READ, source: 'openapi' },
  create_role: { operation: 'create_role', method: 'POST', path: ROLES, requires: ROLE_WRITE, source: 'openapi' },
  get_default_role: { operation: 'get_default_role', method: 'GET', path: `${ROLES}/default`, requires: ROLE_READ, source: 'openapi' },
  reset_default_role: { operation: 'reset_default_role', method: 'POST', path: `${ROLES}/reset-default`, requires: ROLE_DELETE, source: 'openapi' },
  get_role: { operation: 'get_role', method: 'GET', path: `${ROLES}/{id}`, requires: ROLE_READ, source: 'openapi' },
  update_role: { operation: 'update_role', method: 'PATCH', path: `${ROLES}/{id}`, requires: ROLE_WRITE, source: 'openapi' },
  delete_role: { operation: 'delete_role', method: 'DELETE', path: `${ROLES}/{id}`, requires: ROLE_DELETE, source: 'openapi' },
  reassign_role_objects: { operation: 'reassign_role_objects', method: 'POST', path: `${ROLES}/{id}/reassign`, requires: ROLE_DELETE, source: 'openapi' },
  renew_role: { operation: 'renew_role', method: 'POST', path: `${ROLES}/{id}/renew`, requires: ROLE_WRITE, source: 'openapi' },
  reset_role: { operation: 'reset_role', method: 'POST', path: `${ROLES}/{id}/reset`, requires: ROLE_DELETE, source: 'openapi' },

  list_service_tokens: { operation: 'list_service_tokens', method: 'GET', path: TOKENS, requires: TOKENS_READ, source: 'openapi' },
  create_service_token: { operation: 'create_service_token', method: 'POST', path: TOKENS, requires: TOKENS_WRITE, source: 'openapi' },
  get_service_token: { operation: 'get_service_token', method: 'GET', path: `${TOKENS}/{id}`, requires: TOKENS_READ, source: 'openapi' },
  delete_service_token: { operation: 'delete_service_token', method: 'DELETE', path: `${TOKENS}/{id}`, requires: TOKENS_DELETE, source: 'openapi' },
  get_service_token_accesses: {
    operation: 'get_service_token_accesses',
    method: 'GET',
    path: `${TOKENS}/{id}/access`,
    requires: TOKENS_READ,
    source: SDK_SERVICE_TOKENS,
  },
  add_service_token_accesses: {
    operation: 'add_service_token_accesses',
    method: 'POST',
    path: `${TOKENS}/{id}/access`,
    requires: TOKENS_WRITE,
    source: SDK_SERVICE_TOKENS,
  },
  delete_service_token_accesses: {
    operation: 'delete_service_token_accesses',
    method: 'DELETE',
    path: `${TOKENS}/{id}/access`,
    requires: TOKENS_WRITE,
    source: SDK_SERVICE_TOKENS,
  },
  get_service_token_grants: {
    operation: 'get_service_token_grants',
    method: 'GET',
    path: `${TOKENS}/{id}/grants`,
    requires: TOKENS_READ,
    source: SDK_SERVICE_TOKENS,
  },

  list_database_postgres_cidrs: { operation: 'list_database_postgres_cidrs', method: 'GET', path: CIDRS, requires: RULES_READ, source: 'openapi' },
  create_database_postgres_cidr: { operation: 'create_database_postgres_cidr', method: 'POST', path: CIDRS, requires: RULES_WRITE, source: 'openapi' },
  get_database_postgres_cidr: { operation: 'get_database_postgres_cidr', method: 'GET', path: `${CIDRS}/{id}`, requires: RULES_READ, source: 'openapi' },
  update_database_postgres_cidr: {
    operation: 'update_database_postgres_cidr',
    method: 'PATCH',
    path: `${CIDRS}/{id}`,
    requires: RULES_WRITE,
    source: 'openapi',
  },
  delete_database_postgres_cidr: {
    operation: 'delete_database_postgres_cidr',
    method: 'DELETE',
    path: `${CIDRS}/{id}`,
    requires: RULES_WRITE,
    source: 'openapi',
  },
} as const satisfies Record<string, Endpoint>;

export type Operation = keyof typeof ENDPOINTS;

/** Every endpoint, in the order the emulator matches them. */
export const ALL_ENDPOINTS: readonly Endpoint[] = Object.values(ENDPOINTS);

/** The scopes an OAuth token of an organization administrator holds on the organization: every one named above. */
export function organizationScopes(): string[] {
  const scopes = new Set<string>();
  for (const endpoint of ALL_ENDPOINTS) {
    const { requires } = endpoint;
    for (const requirement of isBranchRequirement(requires) ? [requires.production, requires.development] : [requires]) {
      if (requirement.oauth !== 'undocumented') for (const scope of requirement.oauth.organization ?? []) scopes.add(scope);
    }
  }
  return [...scopes].sort();
}

/**
 * "on a production branch: a; on a development branch: b" or "a, b": the accesses a call needs, for messages.
 * With `kind`, only that kind's.
 */
export function describeAccesses(endpoint: Endpoint, kind?: BranchKind): string {
  const { requires } = endpoint;
  if (!isBranchRequirement(requires)) return requires.accesses.join(', ');
  if (kind) return `${requires[kind].accesses.join(' or ')} (${kind} branch)`;
  return `${requires.production.accesses.join(' or ')} on a production branch, ${requires.development.accesses.join(' or ')} on a development branch`;
}

/** The same for OAuth scopes: "manage_passwords on the organization, or … (development branch)". */
export function describeScopes(endpoint: Endpoint, kind?: BranchKind): string {
  const { requires } = endpoint;
  if (isBranchRequirement(requires) && !kind) {
    return `${scopeTable(requires.production.oauth)} on a production branch; ${scopeTable(requires.development.oauth)} on a development branch`;
  }
  return scopeTable(requirementFor(endpoint, kind).oauth);
}

function scopeTable(oauth: Requirement['oauth']): string {
  if (oauth === 'undocumented') return 'the token of an organization administrator (PlanetScale documents no OAuth scope for this route)';
  const levels = (['organization', 'database', 'branch'] as const).filter((level) => oauth[level]?.length);
  return `scope ${levels.map((level) => `${oauth[level]!.join(' or ')} on the ${level}`).join(', or ')}`;
}
