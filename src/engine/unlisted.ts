import type { Inventory } from './inventory';
import type { StackPlaces } from '../model/desired-state';
import type { OutputEntry } from '../outputs/entries';

/**
 * Listings that could not be made. Where the engine could not list, it creates and deletes nothing: a credential it
 * cannot see may exist and be in use.
 */

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
  // The database list covers only databases it would have shown: not one seen by its lookup, nor one proven gone.
  const { database } = location;
  if (database === undefined || inventory.databases.has(database) || inventory.gone.has(database)) return undefined;
  return inventory.unlisted.find((u) => u.what === 'databases');
}

/** Where the credential of an outputs entry lives could not be listed: the unlisted location, if so. */
export function entryUnlisted(inventory: Inventory, entry: OutputEntry): Unlisted | undefined {
  return entry.kind === 'password' ? unlistedAt(inventory, { database: entry.database, branch: entry.branch }) : unlistedAt(inventory, { tokens: true });
}

/** Whether a listing that could not be made covers one of the stack's places. */
export function placesCover(places: StackPlaces, unlisted: Unlisted): boolean {
  const { database, branch } = unlisted;
  if (unlisted.tokens) return places.service_tokens;
  if (database === undefined) return false;
  if (unlisted.rules) return places.rule_databases.includes(database);
  if (branch !== undefined) return places.branches.includes(`${database}/${branch}`);
  const onBranches = places.branches.some((b) => b.startsWith(`${database}/`));
  // Its branch list, or the whole database (its lookup).
  return unlisted.branches ? onBranches : onBranches || places.rule_databases.includes(database);
}
