/**
 * The parts of PlanetScale API objects this package reads. The API sends more; only these fields are relied on and
 * checked when a response arrives (see response-schemas.ts).
 */

import type { DatabaseKind, PasswordRole } from '../model/planetscale-enums';

export { DATABASE_KINDS, PASSWORD_ROLES, type DatabaseKind, type PasswordRole } from '../model/planetscale-enums';

export interface Organization {
  readonly id: string;
  readonly name: string;
}

export interface Database {
  readonly id: string;
  readonly name: string;
  readonly kind: DatabaseKind;
  readonly state: string;
}

export interface Branch {
  readonly id: string;
  readonly name: string;
  readonly production: boolean;
  readonly kind: DatabaseKind;
}

export interface Password {
  readonly id: string;
  readonly name: string;
  readonly role: PasswordRole;
  readonly cidrs: string[] | null;
  readonly created_at: string;
  readonly expires_at: string | null;
  readonly expired: boolean;
  readonly ttl_seconds: number | null;
  readonly replica: boolean;
  readonly direct_vtgate: boolean;
  readonly renewable: boolean;
  readonly username: string;
  readonly access_host_url: string;
  readonly plain_text: string | null;
  readonly database_branch: { readonly name: string; readonly production: boolean };
}

/** A password as returned by create: the only time `plain_text` is set. */
export interface CreatedPassword extends Password {
  readonly plain_text: string;
}

export interface CreatePasswordRequest {
  readonly name?: string;
  readonly role?: PasswordRole;
  readonly replica?: boolean;
  readonly ttl?: number;
  readonly cidrs?: string[];
  readonly direct_vtgate?: boolean;
}

export interface UpdatePasswordRequest {
  readonly name?: string;
  readonly cidrs?: string[];
}

/**
 * A PlanetScale Postgres branch role: the Postgres credential (list_roles, create_role in the OpenAPI description).
 * `username` carries the branch routing suffix (`pscale_api_<id>.<branch id>`); `base_username` is the role as
 * PostgreSQL knows it, what IP rules name. The secret is `password`, set only in the answer to create (and reset).
 */
export interface PostgresRole {
  readonly id: string;
  readonly name: string;
  readonly username: string;
  readonly base_username: string;
  readonly access_host_url: string;
  readonly database_name: string;
  readonly created_at: string;
  readonly expires_at: string | null;
  readonly expired: boolean;
  readonly default: boolean;
  readonly ttl: number | null;
  readonly inherited_roles: string[];
  readonly password?: string | null;
}

/** A role as returned by create: the only time `password` is set. */
export interface CreatedPostgresRole extends PostgresRole {
  readonly password: string;
}

export interface CreateRoleRequest {
  readonly name?: string;
  readonly ttl?: number;
  readonly inherited_roles?: string[];
  readonly with_replication?: boolean;
}

export interface UpdateRoleRequest {
  readonly name?: string;
}

/**
 * One access of a service token, as `/service-tokens/{id}/access` answers it (planetscale-go service_tokens.go
 * ServiceTokenAccess: `{id, type, access, resource: {id, name, type}}`; its test fixture has type "DatabaseAccess"
 * and resource type "Database"). Older answers carried the resource as flat `resource_*` fields; both are read.
 */
export interface ServiceTokenAccess {
  readonly id: string;
  readonly access: string;
  readonly resource: {
    readonly id: string;
    readonly name: string;
    /** `Database` or `Organization`. */
    readonly type: string;
  };
}

export interface OrganizationServiceToken {
  readonly id: string;
  readonly name: string | null;
  readonly display_name: string;
  readonly created_at: string;
  readonly expires_at: string | null;
  readonly token?: string | null;
  readonly service_token_accesses?: ServiceTokenAccess[] | null;
}

/** A service token as returned by create: the only time `token` is set. */
export interface CreatedServiceToken extends OrganizationServiceToken {
  readonly token: string;
}

export interface CreateServiceTokenRequest {
  readonly name?: string;
  readonly ttl?: number;
}

/** Accesses to add or remove: on one database, or on the organization when `database` is omitted or empty. */
export interface ServiceTokenAccessRequest {
  readonly database?: string;
  readonly access: string[];
}

/**
 * The database a grant or access is on, or '' for the organization. PlanetScale's SDK shows only `Database` as a
 * resource type; what organization-level items carry is not documented, so anything that is not a database is read as
 * the organization (docs/api-fidelity.md, row 4).
 */
export function grantTarget(resource: { readonly type: string; readonly name: string }): string {
  return resource.type === 'Database' ? resource.name : '';
}

/** A token's accesses on one resource, as `/service-tokens/{id}/grants` answers it (planetscale-go ServiceTokenGrant). */
export interface ServiceTokenGrant {
  readonly id: string;
  readonly resource_name: string;
  readonly resource_type: string;
  readonly resource_id: string;
  readonly accesses: { readonly access: string; readonly description: string }[];
}

export interface PostgresIpRule {
  readonly id: string;
  readonly schema: string;
  readonly role: string;
  readonly cidrs: string[];
  readonly description: string | null;
  readonly created_at: string;
  readonly updated_at: string;
}

export interface PostgresIpRuleRequest {
  readonly schema?: string;
  readonly role?: string;
  readonly cidrs?: string[];
  readonly description?: string;
}

export interface Page<T> {
  readonly current_page: number;
  readonly next_page: number | null;
  readonly total_count: number;
  readonly data: T[];
}
