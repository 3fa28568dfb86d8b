import type { GrantMap } from './grants';
import type { Inventory } from './inventory';
import type { CreateRule, RuleTarget, UpdateRule } from './kinds/ip-rule';
import type { CreatePassword, PasswordTarget, RenamePassword, RenewPassword, UpdateCidrs } from './kinds/mysql-password';
import type { CreateRole, RecordSuccessor, RenameRole, RenewRole, RoleTarget } from './kinds/postgres-role';
import type { CreateToken, LiveToken, TokenTarget, UpdateGrants } from './kinds/service-token';
import type { DesiredState, StackPlaces } from '../model/desired-state';
import type { OutputEntry } from '../outputs/entries';

/**
 * The vocabulary of a plan: what an apply would do to make PlanetScale match the desired state. Each kind of
 * credential owns its changes (src/engine/kinds/); this module joins them into one union, so that every place that
 * dispatches on a change is checked by the compiler to handle all of them.
 */

/** Why a credential is created. */
export type CreateReason =
  /** Never existed. */
  | 'new'
  /** A field fixed at creation changed (role, TTL, ..., rotation label): the previous generation goes afterwards. */
  | 'new generation'
  /** It existed (its entry is in the outputs file) but is gone: deleted outside code. */
  | 'missing'
  /** It expired: a password past its TTL cannot be renewed. */
  | 'expired'
  /** Its create was interrupted before its secret was recorded: the orphan is deleted first. */
  | 'interrupted';

/**
 * A credential created and recorded by a run that stopped before the sink confirmed it (its name is still pending):
 * the recorded secret goes to the sink again. Same credential, same secret.
 */
export interface Redeliver {
  readonly kind: 'redeliver';
  readonly path: string;
  readonly name: string;
  readonly entry: OutputEntry;
}

/** An object to delete, by kind. */
export type DeleteTarget = PasswordTarget | RoleTarget | TokenTarget | RuleTarget;

export type DeleteReason = 'previous generation' | 'no longer declared' | 'duplicate' | 'expired' | 'stack destroyed';

export interface Delete {
  readonly kind: 'delete';
  /** The construct path it belonged to, when still declared; else its managed name. */
  readonly path: string;
  readonly target: DeleteTarget;
  readonly reason: DeleteReason;
  /** Deleted only once the object at this path has been created (a new generation goes live first). */
  readonly after?: string;
}

export type Change =
  | CreatePassword
  | UpdateCidrs
  | RenamePassword
  | RenewPassword
  | CreateRole
  | RenameRole
  | RenewRole
  | RecordSuccessor
  | CreateToken
  | UpdateGrants
  | CreateRule
  | UpdateRule
  | Redeliver
  | Delete;

/** The change of one `kind`. */
export type ChangeOf<K extends Change['kind']> = Extract<Change, { readonly kind: K }>;

/** Something to know that an apply does not change. */
export interface Notice {
  readonly path: string;
  readonly kind: 'secret-held-nowhere' | 'expiring' | 'unlisted' | 'grants-unreadable';
  readonly message: string;
}

/** A declared object the run cannot act on, with the one line that says why. */
export interface Problem {
  readonly path: string;
  readonly message: string;
}

export interface Plan {
  readonly changes: readonly Change[];
  readonly notices: readonly Notice[];
  readonly problems: readonly Problem[];
  /**
   * Pending-journal names an apply may forget: their secret is recorded (and there is no sink to confirm), or nothing
   * of that name exists anywhere the run could see.
   */
  readonly settled: readonly string[];
}

/** The deploy service token and what it holds: it may grant no more. */
export interface Deployer {
  readonly id: string;
  readonly holds: GrantMap;
}

export interface PlanInput {
  readonly desired: DesiredState;
  readonly inventory: Inventory;
  /** The stack's entries in the outputs file. */
  readonly entries: Readonly<Record<string, OutputEntry>>;
  /** Managed names whose create was interrupted (the pending journal). */
  readonly pending: ReadonlySet<string>;
  /** Whether a sink receives every new secret (then a secret missing from the outputs file is not "held nowhere"). */
  readonly hasSink: boolean;
  /** Current grants of a live token; undefined when they cannot be read, with the reason. */
  readonly grantsOf: (token: LiveToken) => Promise<GrantMap | { unreadable: string }>;
  readonly now: Date;
  /** Report credentials that expire within this many seconds. */
  readonly expiringWithinSeconds: number;
  /** Delete everything the owner owns. */
  readonly destroy: boolean;
  /** Places where the stack has objects (at destroy): a refused listing there is a problem, not a notice. */
  readonly mustSee?: StackPlaces;
  /** What the deploy service token holds, asked only when a grant is to be given (undefined: not a service token, or unreadable). */
  readonly deployer?: () => Promise<Deployer | undefined>;
  /** The outputs file, for messages. */
  readonly outputsPath: string;
}

/** The changes that issue a credential: a new secret, under a managed name the pending journal holds until it is. */
export type Issue = CreatePassword | CreateRole | CreateToken;

export function issuesCredential(change: Change): change is Issue {
  return change.kind === 'create-password' || change.kind === 'create-role' || change.kind === 'create-token';
}

/** Compile-time proof that a dispatch handled every case; at run time, a clear error instead of a silent skip. */
export function unreachable(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}
