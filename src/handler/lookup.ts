import { HandlerError } from './context';
import { deleteConfirmed } from './deletion';
import type { PlanetScaleClient } from '../api/client';
import { SERVICE_TOKENS_REFUSED, USE_ACCESS_TOKEN } from '../api/credentials';
import { PlanetScaleApiError } from '../api/errors';
import type { DatabaseKind, OrganizationServiceToken, Password, PostgresIpRule } from '../api/types';

/** Where an object lives, and which kind of database it needs. */
export interface Scope {
  readonly database: string;
  readonly branch?: string;
  readonly needs: DatabaseKind;
}

const WRONG_KIND: Record<DatabaseKind, (database: string, organization: string) => string> = {
  mysql: (database, organization) =>
    `database ${database} in organization ${organization} is a Postgres database; branch passwords need a MySQL/Vitess database ` +
    '(for Postgres, use IpRestriction with `database` for IP rules)',
  postgresql: (database) =>
    `database ${database} is a MySQL/Vitess database; database IP rules are for Postgres (restrict a password with IpRestriction({ password }) instead)`,
};

/**
 * Turns a 404 or 422 on a database- or branch-scoped call into a message saying which part does not exist, or that
 * the database is of the wrong kind and what to use instead. Other errors pass through unchanged.
 */
export async function explainScopeError(client: PlanetScaleClient, error: unknown, scope: Scope): Promise<unknown> {
  const is404 = error instanceof PlanetScaleApiError && error.isNotFound;
  const is422 = error instanceof PlanetScaleApiError && error.status === 422;
  if (!is404 && !is422) return error;
  const { database, branch } = scope;
  const org = client.organization;
  let kind: DatabaseKind;
  try {
    kind = (await client.getDatabase(database)).kind;
  } catch (lookup) {
    if (lookup instanceof PlanetScaleApiError && lookup.isNotFound) {
      return new HandlerError(
        `database ${database} not found in organization ${org}, or the ${client.credentialName} cannot see it ` +
          `(check the name, and that it holds ${client.describeNeeds('get_database', { database })})`,
      );
    }
    return error;
  }
  if (kind !== scope.needs) return new HandlerError(WRONG_KIND[scope.needs](database, org));
  if (is404 && branch !== undefined) {
    try {
      await client.getBranch(database, branch);
    } catch (lookup) {
      if (lookup instanceof PlanetScaleApiError && lookup.isNotFound) {
        return new HandlerError(
          `branch ${branch} not found in database ${database} (organization ${org}), or the ${client.credentialName} lacks ` +
            client.describeNeeds('get_branch', { database }),
        );
      }
    }
  }
  return error;
}

/**
 * Passwords on the branch whose name is exactly `name` (the API's `q` narrows the list; equality decides). A missing
 * database or branch, or a Postgres database, is reported as such.
 */
export async function passwordsNamed(client: PlanetScaleClient, database: string, branch: string, name: string): Promise<Password[]> {
  try {
    return (await client.listPasswords(database, branch, { q: name })).filter((p) => p.name === name);
  } catch (error) {
    throw await explainScopeError(client, error, { database, branch, needs: 'mysql' });
  }
}

/** Deletes a password, proving it gone when the API answers 404 (see deletion.ts). */
export function deletePassword(client: PlanetScaleClient, password: Password, database: string, branch: string): Promise<'deleted' | 'already-gone'> {
  const kind = password.database_branch.production ? 'production' : 'development';
  return deleteConfirmed({
    what: `password ${password.name} (${password.id}) on ${database}/${branch}`,
    remove: () => client.deletePassword(database, branch, password.id),
    stillExists: async () => (await client.listPasswords(database, branch, { q: password.name })).some((p) => p.id === password.id),
    needs: client.describeNeeds('delete_password', { database, kind }),
    credential: client.credentialName,
  });
}

/** Deletes a Postgres database IP rule, proving it gone when the API answers 404. */
export function deleteIpRule(client: PlanetScaleClient, rule: PostgresIpRule, database: string): Promise<'deleted' | 'already-gone'> {
  return deleteConfirmed({
    what: `IP rule ${rule.id} on ${database}`,
    remove: () => client.deletePostgresIpRule(database, rule.id),
    stillExists: async () => (await client.listPostgresIpRules(database)).some((r) => r.id === rule.id),
    needs: client.describeNeeds('delete_database_postgres_cidr', { database }),
    credential: client.credentialName,
  });
}

/** Deletes a service token, proving it gone when the API answers 404. */
export function deleteServiceToken(client: PlanetScaleClient, token: { id: string; name: string | null }): Promise<'deleted' | 'already-gone'> {
  return deleteConfirmed({
    what: `service token ${token.name ?? '(unnamed)'} (${token.id})`,
    remove: () => client.deleteServiceToken(token.id),
    stillExists: async () => (await client.listServiceTokens()).some((t) => t.id === token.id),
    needs: client.describeNeeds('delete_service_token'),
    credential: client.credentialName,
  });
}

/**
 * Service tokens of the organization named exactly `name`. A refused listing says what may be the cause: service
 * tokens were once refused every service-token route (planetscale/cli PR #758).
 */
export async function tokensNamed(context: { readonly client: PlanetScaleClient }, name: string): Promise<OrganizationServiceToken[]> {
  const { client } = context;
  try {
    return (await client.listServiceTokens()).filter((t) => t.name === name);
  } catch (error) {
    if (!(error instanceof PlanetScaleApiError) || !error.isNotFound || client.usesAccessToken) throw error;
    throw new HandlerError(
      `could not list the organization's service tokens (HTTP 404): the deploy service token lacks ${client.describeNeeds('list_service_tokens')}, ` +
        `or PlanetScale does not let service tokens manage service tokens (${SERVICE_TOKENS_REFUSED}); grant it read_service_tokens, ` +
        `write_service_tokens and delete_service_tokens, or ${USE_ACCESS_TOKEN}`,
    );
  }
}

