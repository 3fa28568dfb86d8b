import { hasExpired } from './expiry';
import { HttpError } from './http-error';
import { secretMatches } from './identifiers';
import type { ActorRecord, OAuthTokenRecord, ServiceTokenRecord } from './model';
import type { Store } from './store';
import { ENDPOINTS, type Requirement } from '../api/endpoints';

/** Where a call acts: the organization, a database, or a branch of it. */
export interface CallScope {
  readonly database?: string;
  readonly branch?: string;
}

/** The authenticated credential of a request: what it may call, see and grant. */
export interface Caller {
  readonly kind: 'service-token' | 'oauth';
  readonly organization: string;
  readonly actor: ActorRecord;
  /** Whether the caller meets `requirement` for a call in `scope`. */
  allows(requirement: Requirement, scope: CallScope): boolean;
  /** Whether a database shows up in the caller's database list. */
  sees(database: string): boolean;
  /** Whether the caller holds `access` itself on the database (or, without one, the organization): what it may grant. */
  holds(access: string, database?: string): boolean;
}

const DATABASE_VISIBLE = ENDPOINTS.get_database.requires;

export function serviceTokenCaller(record: ServiceTokenRecord): Caller {
  const holds = (access: string, database?: string) =>
    record.accesses.some((a) => a.access === access && (a.resourceType === 'Organization' || (database !== undefined && a.resourceName === database)));
  return {
    kind: 'service-token',
    organization: record.organization,
    actor: { id: record.id, displayName: record.name ?? record.id },
    allows: (requirement, scope) => requirement.accesses.length === 0 || requirement.accesses.some((access) => holds(access, scope.database)),
    // A database is listed when the token holds any database access on it (planetscale/cli issue #556: a token with
    // no grants lists no databases).
    sees: (database) => DATABASE_VISIBLE.accesses.some((access) => holds(access, database)),
    holds,
  };
}

/**
 * An OAuth token: a route's documented scopes on the organization, the database or the branch. Routes whose OAuth
 * scopes PlanetScale does not document (the service-token routes) accept the token of an organization administrator
 * only: PlanetScale's CLI sends people to `pscale auth login` for them (planetscale/cli internal/cmd/token/token.go,
 * checkServiceToken). An administrator's token may grant any access. Both are inferences (docs/api-fidelity.md).
 */
export function oauthCaller(record: OAuthTokenRecord): Caller {
  const { scopes } = record;
  const has = (list: readonly string[] | undefined, wanted: readonly string[] | undefined) => Boolean(wanted?.some((s) => list?.includes(s)));
  return {
    kind: 'oauth',
    organization: record.organization,
    actor: { id: record.id, displayName: record.displayName },
    allows: (requirement, scope) => {
      const { oauth } = requirement;
      if (oauth === 'undocumented') return record.admin;
      if (has(scopes.user, oauth.user) || has(scopes.organization, oauth.organization)) return true;
      if (scope.database !== undefined && has(scopes.databases?.[scope.database], oauth.database)) return true;
      return scope.database !== undefined && scope.branch !== undefined && has(scopes.branches?.[`${scope.database}/${scope.branch}`], oauth.branch);
    },
    sees: (database) => Boolean(scopes.organization?.includes('read_databases') || scopes.databases?.[database]?.length),
    holds: () => record.admin,
  };
}

/**
 * The caller an Authorization header names, or 401. `Authorization: <id>:<token>` is a service token; `Bearer <token>`
 * an OAuth access token (planetscale-go client.go: serviceTokenTransport, and oauth2.StaticTokenSource for access tokens).
 */
export function authenticate(header: string | undefined, store: Store, now: Date): Caller {
  const unexpired = (expiresAt: string | null) => !hasExpired(expiresAt, now);
  const bearer = /^Bearer (\S+)$/.exec(header ?? '')?.[1];
  if (bearer) {
    const record = store.state.oauthTokens.find((t) => secretMatches(bearer, t.secretHash));
    if (!record) throw new HttpError(401, 'unauthorized', 'The access token is invalid, expired or revoked');
    if (!unexpired(record.expiresAt)) throw new HttpError(401, 'unauthorized', 'The access token has expired');
    return oauthCaller(record);
  }
  const [id, secret, ...rest] = (header ?? '').split(':');
  const record = id && secret && rest.length === 0 ? store.state.serviceTokens.find((t) => t.id === id) : undefined;
  if (!record || !secretMatches(secret, record.secretHash)) {
    throw new HttpError(401, 'unauthorized', 'The access token is invalid, expired or revoked');
  }
  if (!unexpired(record.expiresAt)) throw new HttpError(401, 'unauthorized', 'The access token has expired');
  return serviceTokenCaller(record);
}
