import type { Change, ChangeOf, DeleteTarget } from './changes';
import type { Delivery } from './deliver';
import type { Inventory } from './inventory';
import type { PlanetScaleClient } from '../api/client';
import type { PostgresRole } from '../api/types';
import type { OutputEntry } from '../outputs/entries';

/**
 * The contract between the engine's core and each kind of credential (src/engine/kinds/): what a kind's change may
 * use while it is carried out, and what each kind provides for each of its changes. The core (execute.ts) orders the
 * phases, bounds concurrency and collects failures; a kind only says how one change is done.
 */

export interface Counts {
  created: number;
  changed: number;
  renewed: number;
  deleted: number;
}

/** What carrying out one change may use. */
export interface Execution extends Delivery {
  readonly client: PlanetScaleClient;
  readonly organization: string;
  readonly owner: string;
  readonly inventory: Inventory;
  /** The CA bundle file the connection strings that need one name. */
  readonly caBundle: string;
  readonly counts: Counts;
  /** Ids of everything the run listed: what a lost create made is told apart from them. */
  readonly knownIds: ReadonlySet<string>;
  /** Roles this run created, by construct path: where a previous generation's objects go, and what rules name. */
  readonly createdRoles: Map<string, PostgresRole>;
  /**
   * Hands a new secret to its holders, in the background (the next creates go on meanwhile). Once it is held, `held`
   * runs (count, log); if it cannot be, `undo` deletes the new credential and the path fails.
   */
  deliver(path: string, entry: OutputEntry, undo: () => Promise<void>, held: () => void): void;
  /** Deletes one owned object, proving it gone on a 404 (deletion.ts). */
  delete(target: DeleteTarget): Promise<'deleted' | 'already gone'>;
  /** Whether the change of a construct path failed in this run (what waits for it stays). */
  failed(path: string): boolean;
  /** Records a credential this run deleted: its outputs entry goes at the end of the run, its pending name now. */
  deleted(credential: { readonly id: string; readonly name: string | null }): void;
}

/**
 * When a change is carried out: `issue` creates credentials and delivers their secrets, first; `in-place` changes
 * what exists (and creates rules, which carry no secret and may name a role just issued); `delete` comes last, once
 * every new secret is held.
 */
export type Phase = 'issue' | 'in-place' | 'delete';

/** How one kind of change is carried out and shown. */
export interface ChangeHandler<C extends Change> {
  readonly phase: Phase;
  /** The sign a plan shows it with: + creates, ~ changes, - deletes. */
  readonly sign: '+' | '~' | '-';
  carryOut(change: C, run: Execution): Promise<void>;
  /** One line, without its sign. */
  describe(change: C): string;
  /** How the change gives someone more access than before: what a reviewer must look at first. */
  widening(change: C): string[];
}

/** A handler for each change kind in `K`: the compiler refuses a table that misses one. */
export type ChangeHandlers<K extends Change['kind']> = { readonly [P in K]: ChangeHandler<ChangeOf<P>> };

/** How one object is deleted, and looked for again when the API answers 404 (deletion.ts). */
export interface Deletion {
  readonly remove: () => Promise<void>;
  /** Whether the object still exists, through a listing that shows it; throws when the listing fails. */
  readonly stillExists: () => Promise<boolean>;
  /** What the credential needs to delete it: "delete_branch_password (development branch) on database shop". */
  readonly needs: string;
}

/** "any address" for an empty allow-list. */
export function allowedFrom(cidrs: readonly string[]): string {
  return cidrs.length > 0 ? cidrs.join(', ') : 'any address';
}

/** Same credential, same secret, later expiry: its outputs entry gets the new expiry. */
export async function recordRenewal(run: Execution, path: string, live: { readonly id: string }, expiresAt: string | null): Promise<void> {
  run.counts.renewed += 1;
  const entry = run.outputs.entries[path];
  if (entry?.kind === 'password' && entry.id === live.id) await run.outputs.put(path, { ...entry, expires_at: expiresAt });
}
