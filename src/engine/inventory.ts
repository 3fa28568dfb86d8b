import { forEachBounded } from './bounded';
import { listOwnedRules, type LiveRule } from './kinds/ip-rule';
import { listOwnedPasswords, type LivePassword } from './kinds/mysql-password';
import { listOwnedRoles, type LiveRole } from './kinds/postgres-role';
import { listOwnedTokens, type LiveToken } from './kinds/service-token';
import type { Unlisted } from './unlisted';
import type { PlanetScaleClient } from '../api/client';
import { ConnectionError, PlanetScaleApiError } from '../api/errors';
import type { Branch, Database } from '../api/types';

export type { LivePassword } from './kinds/mysql-password';
export type { LiveRole } from './kinds/postgres-role';
export type { LiveToken } from './kinds/service-token';
export type { LiveRule } from './kinds/ip-rule';
export { unlistedAt, type Unlisted } from './unlisted';

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

  const tokenListing = listing({ what: 'service tokens', tokens: true }, () => listOwnedTokens(client, request.owner));
  await forEachBounded([...databases.values()], request.concurrency, async (database) => {
    const postgres = database.kind === 'postgresql';
    const ruleListing = postgres
      ? listing({ what: `IP rules of ${database.name}`, database: database.name, rules: true }, () => listOwnedRules(client, database.name, request.owner))
      : undefined;
    const found = await listing({ what: `branches of ${database.name}`, database: database.name, branches: true }, () => client.listBranches(database.name));
    if (found) branches.set(database.name, found);
    await forEachBounded(found ?? [], request.concurrency, async (branch) => {
      const where = { what: `${database.name}/${branch.name}`, database: database.name, branch: branch.name };
      const place = { database: database.name, branch: branch.name, production: branch.production };
      if (postgres) roles.push(...((await listing(where, () => listOwnedRoles(client, place, request.owner))) ?? []));
      else passwords.push(...((await listing(where, () => listOwnedPasswords(client, place, request.owner))) ?? []));
    });
    rules.push(...((await ruleListing) ?? []));
  });
  tokens.push(...((await tokenListing) ?? []));
  return { databases, branches, passwords, roles, tokens, rules, unlisted, gone };
}
