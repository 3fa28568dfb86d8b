import { forEachBounded } from './bounded';
import type { PlanetScaleClient } from '../api/client';
import { SERVICE_TOKENS_REFUSED, USE_ACCESS_TOKEN } from '../api/credentials';
import { ConnectionError, PlanetScaleApiError } from '../api/errors';
import type { Branch, Database, OrganizationServiceToken, Password, PostgresIpRule, PostgresRole } from '../api/types';
import { parseOwnedName, ruleMarker, type ManagedName } from '../model/naming';

/** A password the owner owns, where it lives, and its parsed name. */
export interface LivePassword {
  readonly value: Password;
  readonly database: string;
  readonly branch: string;
  readonly production: boolean;
  readonly name: ManagedName;
}

/** A Postgres role the owner owns (a `DatabasePassword` on a Postgres database), where it lives, and its parsed name. */
export interface LiveRole {
  readonly value: PostgresRole;
  readonly database: string;
  readonly branch: string;
  readonly production: boolean;
  readonly name: ManagedName;
}

export interface LiveToken {
  readonly value: OrganizationServiceToken;
  readonly name: ManagedName;
}

export interface LiveRule {
  readonly value: PostgresIpRule;
  readonly database: string;
  readonly marker: ManagedName;
}

/** A listing that could not be made: refused (404/403, a missing access) or failed. */
export interface Unlisted {
  /** "database shop", "shop/main", "IP rules of analytics", "service tokens", "databases". */
  readonly what: string;
  readonly database?: string;
  readonly branch?: string;
  readonly tokens?: boolean;
  /** The IP rules of a Postgres database. */
  readonly rules?: boolean;
  /** The branches of a database. */
  readonly branches?: boolean;
  readonly refused: boolean;
  readonly reason: string;
}

/** Everything the owner owns, as far as the credential can list it. */
export interface Inventory {
  /** Visible databases by name. */
  readonly databases: ReadonlyMap<string, Database>;
  /** Branches of each database whose branches were listed. */
  readonly branches: ReadonlyMap<string, readonly Branch[]>;
  readonly passwords: readonly LivePassword[];
  readonly roles: readonly LiveRole[];
  readonly tokens: readonly LiveToken[];
  readonly rules: readonly LiveRule[];
  readonly unlisted: readonly Unlisted[];
  /** Known databases proven gone: nothing of the stack's can live there, and their outputs entries are stale. */
  readonly gone: ReadonlySet<string>;
}

/**
 * What could not be listed at a location, if anything: the most specific listing (a database-wide entry covers its
 * branches; the database list covers databases it would have shown).
 */
export function unlistedAt(
  inventory: Inventory,
  location: { database?: string; branch?: string; tokens?: boolean; rules?: boolean },
): Unlisted | undefined {
  if (location.tokens) return inventory.unlisted.find((u) => u.tokens === true);
  const covers = (u: Unlisted) =>
    location.rules
      ? u.rules === true || (u.branch === undefined && !u.branches)
      : !u.rules && (u.branch === undefined || u.branch === location.branch);
  const here = inventory.unlisted.find((u) => u.database !== undefined && u.database === location.database && covers(u));
  if (here) return here;
  return inventory.unlisted.find((u) => u.what === 'databases' && location.database !== undefined && !inventory.databases.has(location.database));
}

function refusal(error: unknown): { refused: boolean; reason: string } | undefined {
  if (error instanceof PlanetScaleApiError) return { refused: error.status === 404 || error.status === 403, reason: error.message };
  if (error instanceof ConnectionError) return { refused: false, reason: error.message };
  return undefined;
}

export interface InventoryRequest {
  readonly owner: string;
  /** Databases the stack knows of: looked up one by one when the database list is refused or may leave them out. */
  readonly knownDatabases: readonly string[];
  readonly concurrency: number;
  /**
   * Whether the database list, when it may be read, shows every database there is. An OAuth token may list databases
   * only with `read_databases` on the organization, which lets it see them all; a service token is shown only the
   * databases it holds an access on.
   */
  readonly listShowsAll: boolean;
  /**
   * Whether the credential would see `database` if it existed (its grants cover it): a 404 on its lookup then means
   * the database is gone, not hidden. Asked only for a known database the list left out.
   */
  readonly wouldSee: (database: string) => Promise<boolean>;
}

/**
 * Lists what the owner owns: passwords on every branch of every visible MySQL/Vitess database, roles on every branch
 * and IP rules of every visible Postgres database, and the organization's service tokens; only names of this owner
 * count. A listing that is
 * refused (PlanetScale answers 404 to a missing access) or fails is recorded as unlisted: the engine then creates and
 * deletes nothing it cannot see there.
 */
export async function takeInventory(client: PlanetScaleClient, request: InventoryRequest): Promise<Inventory> {
  const databases = new Map<string, Database>();
  const branches = new Map<string, Branch[]>();
  const passwords: LivePassword[] = [];
  const roles: LiveRole[] = [];
  const tokens: LiveToken[] = [];
  const rules: LiveRule[] = [];
  const unlisted: Unlisted[] = [];
  const gone = new Set<string>();
  const owned = (name: string | null | undefined) => (typeof name === 'string' ? parseOwnedName(name, request.owner) : undefined);

  async function listing<T>(where: Omit<Unlisted, 'refused' | 'reason'>, list: () => Promise<T>): Promise<T | undefined> {
    try {
      return await list();
    } catch (error) {
      const why = refusal(error);
      if (!why) throw error;
      unlisted.push({ ...where, ...why });
      return undefined;
    }
  }

  const all = await listing({ what: 'databases' }, () => client.listDatabases());
  for (const database of all ?? []) databases.set(database.name, database);
  // A credential scoped to some databases may be refused the list, or (a service token) be shown only the databases it
  // has access on: a known database the list did not show is looked up, so one it cannot see is reported (404), never
  // taken for a database without credentials. Where the credential would see it, a 404 means it is gone.
  const missing = request.knownDatabases.filter((name) => !databases.has(name));
  if (all && request.listShowsAll) for (const name of missing) gone.add(name);
  const refusedList = !all && unlisted.some((u) => u.what === 'databases' && u.refused);
  const unseen = refusedList || (all && !request.listShowsAll) ? missing : [];
  await forEachBounded(unseen, request.concurrency, async (name) => {
    try {
      const found = await client.getDatabase(name);
      databases.set(found.name, found);
    } catch (error) {
      const why = refusal(error);
      if (!why) throw error;
      if (error instanceof PlanetScaleApiError && error.isNotFound && (await request.wouldSee(name))) {
        gone.add(name);
        return;
      }
      unlisted.push({ what: `database ${name}`, database: name, ...why });
    }
  });

  const tokenListing = listing({ what: 'service tokens', tokens: true }, () =>
    client.listServiceTokens().catch((error: unknown) => {
      // A service token may be refused these routes altogether (planetscale/cli PR #758): say what to do about it.
      if (error instanceof PlanetScaleApiError && error.isNotFound && !client.usesAccessToken) {
        throw new PlanetScaleApiError(
          `${error.message}; or PlanetScale does not let service tokens manage service tokens (${SERVICE_TOKENS_REFUSED}): grant the deploy ` +
            `token read_service_tokens, write_service_tokens and delete_service_tokens on the organization, or ${USE_ACCESS_TOKEN}`,
          error.status,
          error.code,
          error.context,
          error.apiMessage,
        );
      }
      throw error;
    }),
  );
  await forEachBounded([...databases.values()], request.concurrency, async (database) => {
    const postgres = database.kind === 'postgresql';
    const ruleListing = postgres
      ? listing({ what: `IP rules of ${database.name}`, database: database.name, rules: true }, () => client.listPostgresIpRules(database.name))
      : undefined;
    const found = await listing({ what: `branches of ${database.name}`, database: database.name, branches: true }, () => client.listBranches(database.name));
    if (found) branches.set(database.name, found);
    await forEachBounded(found ?? [], request.concurrency, async (branch) => {
      const where = { what: `${database.name}/${branch.name}`, database: database.name, branch: branch.name };
      const place = { database: database.name, branch: branch.name, production: branch.production };
      if (postgres) {
        for (const role of (await listing(where, () => client.listRoles(database.name, branch.name))) ?? []) {
          const name = owned(role.name);
          if (name && !role.default) roles.push({ value: role, ...place, name });
        }
      } else {
        for (const password of (await listing(where, () => client.listPasswords(database.name, branch.name))) ?? []) {
          const name = owned(password.name);
          if (name) passwords.push({ value: password, ...place, name });
        }
      }
    });
    for (const rule of (await ruleListing) ?? []) {
      const marker = owned(ruleMarker(rule.description));
      if (marker) rules.push({ value: rule, database: database.name, marker });
    }
  });
  for (const token of (await tokenListing) ?? []) {
    const name = owned(token.name);
    if (name) tokens.push({ value: token, name });
  }
  return { databases, branches, passwords, roles, tokens, rules, unlisted, gone };
}
