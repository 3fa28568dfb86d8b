import type { Change, DeleteReason, Notice, PlanInput, Problem } from './changes';
import { expiresWithin, nearingExpiry, timeLeft } from './generations';
import { describeGrants, lacking, type GrantMap } from './grants';
import { USE_ACCESS_TOKEN } from '../api/credentials';
import type { OutputEntry } from '../outputs/entries';

/** The role a Postgres password's path stands for while planning: the one kept, or undefined while a new one is made. */
export interface PlannedRole {
  readonly id: string;
  readonly base_username: string;
}

/**
 * One planning pass: its input, what it has decided so far, and the rules every kind applies the same way (secrets
 * held nowhere, deliveries to finish, renewals and expiry warnings, what the deploy token may grant). Each kind's
 * planner (src/engine/kinds/) adds its changes, notices and problems here.
 */
export class Planning {
  readonly changes: Change[] = [];
  readonly notices: Notice[] = [];
  readonly problems: Problem[] = [];
  /** Pending-journal names an apply may forget. */
  readonly settled = new Set<string>();
  /**
   * Postgres passwords by path, once planned: the role kept, or undefined while a new generation is being created.
   * IP rules that name a password's role, and removed roles whose heir is a password, read it.
   */
  readonly roleOfPath = new Map<string, PlannedRole | undefined>();

  constructor(readonly input: PlanInput) {}

  get owner(): string {
    return this.input.desired.owner;
  }

  get now(): Date {
    return this.input.now;
  }

  /** Why an owned object that is not declared goes. */
  get removal(): DeleteReason {
    return this.input.destroy ? 'stack destroyed' : 'no longer declared';
  }

  problem(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  /** A live credential whose secret is recorded nowhere the run knows of. */
  heldNowhere(path: string, what: string, name: string): void {
    this.notices.push({
      path,
      kind: 'secret-held-nowhere',
      message:
        `${what} ${name} exists but its secret is held nowhere: it is not in ${this.input.outputsPath} and no sink is configured; ` +
        'if nothing that uses it still has it, change its `rotation` label to issue a new one',
    });
  }

  /**
   * A kept credential: held by the outputs file (`recorded` is its entry) or, without an entry, reported as held
   * nowhere unless a sink holds it. A recorded one still pending (under the name it was created with, which a rename
   * since does not change) is delivered to the sink again; without a sink its name is settled.
   */
  kept(path: string, id: string, recorded: OutputEntry | undefined, what: string, name: string): void {
    if (recorded?.id !== id) {
      if (!this.input.hasSink) this.heldNowhere(path, what, name);
      return;
    }
    if (!this.input.pending.has(recorded.name)) return;
    if (this.input.hasSink) this.changes.push({ kind: 'redeliver', path, name: recorded.name, entry: recorded });
    else this.settled.add(recorded.name);
  }

  /**
   * Whether a credential is due for renewal (inside its `renewBefore` window, and renewable); otherwise, when it nears
   * expiry, a notice says what to do.
   */
  dueForRenewal(
    path: string,
    credential: { readonly what: string; readonly name: string; readonly created_at: string; readonly expires_at: string | null },
    window: number | null,
    renewable: boolean,
  ): boolean {
    const { expires_at: expiresAt } = credential;
    if (expiresAt === null) return false;
    if (window !== null && renewable && expiresWithin(expiresAt, this.now, window)) return true;
    if (nearingExpiry(credential, this.now, this.input.expiringWithinSeconds)) {
      const renewal = window === null ? 'set `renewBefore` to renew it, or change its `rotation` label' : 'it cannot be renewed: change its `rotation` label';
      this.expiring(path, `${credential.what} ${credential.name} expires ${expiresAt} (${timeLeft(expiresAt, this.now)}); ${renewal}`);
    }
    return false;
  }

  expiring(path: string, message: string): void {
    this.notices.push({ path, kind: 'expiring', message });
  }

  /** Why the deploy service token may not grant `wanted` (a credential may only grant accesses it holds), if so. */
  async deployerLacks(wanted: GrantMap): Promise<string | undefined> {
    const deployer = wanted.size > 0 ? await this.input.deployer?.() : undefined;
    const missing = deployer ? lacking(deployer.holds, wanted) : new Map();
    if (!deployer || missing.size === 0) return undefined;
    return (
      `the deploy service token ${deployer.id} does not hold ${describeGrants(missing)}, and a credential may only grant accesses it holds ` +
      `itself; give the deploy token those accesses, or ${USE_ACCESS_TOKEN}, or set the grants in the PlanetScale console`
    );
  }
}
