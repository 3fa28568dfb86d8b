import type { DatabaseKind, PasswordRole } from '../model/planetscale-enums';

/** Emulator records: what the emulated service stores. Secrets are kept only as hashes. */

export interface OrganizationRecord {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
}

export interface DatabaseRecord {
  readonly id: string;
  readonly organization: string;
  readonly name: string;
  readonly kind: DatabaseKind;
  readonly createdAt: string;
}

export interface BranchRecord {
  readonly id: string;
  readonly organization: string;
  readonly database: string;
  readonly name: string;
  readonly production: boolean;
  readonly createdAt: string;
}

export interface ActorRecord {
  readonly id: string;
  readonly displayName: string;
}

export interface PasswordRecord {
  readonly id: string;
  readonly organization: string;
  readonly database: string;
  readonly branch: string;
  name: string;
  readonly role: PasswordRole;
  cidrs: string[];
  readonly createdAt: string;
  readonly ttlSeconds: number | null;
  expiresAt: string | null;
  readonly replica: boolean;
  readonly directVtgate: boolean;
  readonly username: string;
  readonly secretHash: string;
  readonly actor: ActorRecord;
}

/**
 * A Postgres branch role. `username` is the role as PostgreSQL knows it (`pscale_api_<12>`; the API shows it with
 * the branch id as suffix too); the default role is `postgres`. `ownedObjects` stands in for the tables and other
 * objects the application created under the role: deleting a role that owns objects needs a successor.
 */
export interface RoleRecord {
  readonly id: string;
  readonly organization: string;
  readonly database: string;
  readonly branch: string;
  name: string;
  readonly username: string;
  readonly inheritedRoles: string[];
  readonly withReplication: boolean;
  readonly ttlSeconds: number | null;
  expiresAt: string | null;
  readonly createdAt: string;
  updatedAt: string;
  secretHash: string;
  readonly isDefault: boolean;
  ownedObjects: string[];
  readonly actor: ActorRecord;
}

/** A dropped role, kept so tests can see where its objects went. */
export interface RoleDeletionRecord {
  readonly id: string;
  readonly organization: string;
  readonly database: string;
  readonly branch: string;
  readonly name: string;
  readonly username: string;
  /** The successor as the request named it, or null. */
  readonly successor: string | null;
  /** The id of the role its objects went to, or null when it owned none. */
  readonly successorId: string | null;
  /** The objects it owned, reassigned to the successor. */
  readonly reassigned: string[];
  readonly deletedAt: string;
}

export interface AccessRecord {
  readonly id: string;
  readonly access: string;
  readonly resourceType: 'Database' | 'Organization';
  readonly resourceId: string;
  readonly resourceName: string;
  readonly createdAt: string;
}

export interface ServiceTokenRecord {
  readonly id: string;
  readonly organization: string;
  readonly name: string | null;
  readonly secretHash: string;
  readonly createdAt: string;
  updatedAt: string;
  readonly expiresAt: string | null;
  accesses: AccessRecord[];
}

/**
 * An OAuth access token (a user's, as `pscale auth login` gets one). It holds scopes per level: on the organization,
 * on databases, on branches (`database/branch`).
 */
export interface OAuthTokenRecord {
  readonly id: string;
  readonly organization: string;
  readonly displayName: string;
  readonly secretHash: string;
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly scopes: OAuthScopes;
  /**
   * Whether the user is an organization administrator: what lets a user token use the routes whose OAuth scopes
   * PlanetScale does not document (the service-token routes) and grant any access.
   */
  readonly admin: boolean;
}

export interface OAuthScopes {
  readonly user?: readonly string[];
  readonly organization?: readonly string[];
  readonly databases?: Readonly<Record<string, readonly string[]>>;
  readonly branches?: Readonly<Record<string, readonly string[]>>;
}

export interface IpRuleRecord {
  readonly id: string;
  readonly organization: string;
  readonly database: string;
  schema: string;
  role: string;
  cidrs: string[];
  description: string | null;
  readonly createdAt: string;
  updatedAt: string;
  readonly actor: ActorRecord;
}

export interface EmulatorState {
  organizations: OrganizationRecord[];
  databases: DatabaseRecord[];
  branches: BranchRecord[];
  passwords: PasswordRecord[];
  serviceTokens: ServiceTokenRecord[];
  ipRules: IpRuleRecord[];
  oauthTokens: OAuthTokenRecord[];
  roles: RoleRecord[];
  roleDeletions: RoleDeletionRecord[];
}

export function emptyState(): EmulatorState {
  return {
    organizations: [],
    databases: [],
    branches: [],
    passwords: [],
    serviceTokens: [],
    ipRules: [],
    oauthTokens: [],
    roles: [],
    roleDeletions: [],
  };
}
