import { forEachBounded } from './bounded';
import { issuesCredential, type Change, type Plan } from './changes';
import { deleteTarget } from './deletion';
import { deliverSecret, type Delivery } from './deliver';
import type { Counts, Execution, Phase } from './execution';
import { handlerOf } from './handlers';
import type { Inventory } from './inventory';
import type { PlanetScaleClient } from '../api/client';
import type { PostgresRole } from '../api/types';

/** What carrying out a plan needs. */
export interface ExecuteContext extends Delivery {
  readonly client: PlanetScaleClient;
  readonly organization: string;
  readonly owner: string;
  readonly inventory: Inventory;
  /** How many objects are worked on at once. */
  readonly concurrency: number;
  /** The CA bundle file the connection strings that need one name. */
  readonly caBundle: string;
}

/** One object the run could not bring to its declared state, as one line. */
export interface Failure {
  readonly path: string;
  readonly message: string;
}

export interface Outcome {
  readonly failures: readonly Failure[];
  readonly counts: Counts;
}

const PHASES: readonly Phase[] = ['issue', 'in-place', 'delete'];

/**
 * Carries out a plan, phase by phase: new credentials first (each new secret delivered), then in-place changes, then
 * deletions, once every new secret is held. Within a phase, changes run side by side; a change that fails is reported
 * against its construct path, and what waits for that path (the previous generation it would replace) stays.
 */
export async function execute(plan: Plan, context: ExecuteContext): Promise<Outcome> {
  const failures: Failure[] = plan.problems.map((p) => ({ ...p }));
  const failedPaths = new Set(failures.map((f) => f.path));
  const fail = (path: string, error: unknown) => {
    failures.push({ path, message: (error as Error).message });
    failedPaths.add(path);
  };
  const deliveries: Promise<void>[] = [];
  const deletedIds: string[] = [];
  const run: Execution = {
    ...context,
    counts: { created: 0, changed: 0, renewed: 0, deleted: 0 },
    knownIds: new Set([...context.inventory.passwords, ...context.inventory.roles, ...context.inventory.tokens].map((l) => l.value.id)),
    createdRoles: new Map<string, PostgresRole>(),
    deliver: (path, entry, undo, held) => {
      const delivery = deliverSecret(context, path, entry, undo).then(() => {
        run.counts.created += 1;
        held();
      });
      deliveries.push(delivery.catch((error: unknown) => fail(path, error)));
    },
    delete: (target) => deleteTarget(context.client, target),
    failed: (path) => failedPaths.has(path),
    deleted: ({ id, name }) => {
      deletedIds.push(id);
      if (name) context.outputs.settle([name]);
    },
  };

  // The names of the credentials about to be created, before any is: a run killed after a create and before its
  // secret is recorded leaves the name behind, and the next run deletes that credential (its secret never arrived).
  await context.outputs.markPending(plan.changes.filter(issuesCredential).map((c) => c.name));
  for (const phase of PHASES) {
    const changes = plan.changes.filter((change) => handlerOf(change).phase === phase);
    await forEachBounded(changes, context.concurrency, async (change: Change) => {
      try {
        await handlerOf(change).carryOut(change, run);
      } catch (error) {
        fail(change.path, error);
      }
    });
    // Every new secret is held (outputs file, sink) before anything depends on it or anything is deleted.
    if (phase === 'issue') await Promise.all(deliveries);
  }
  await context.outputs.removeIds([...deletedIds, ...staleEntries(context, plan, deletedIds)]);
  return { failures, counts: run.counts };
}

/**
 * Outputs entries of this stack whose credential no longer exists: deleted by hand, or gone with its branch. Only
 * where the credential's location was listed: an entry is never dropped on a guess.
 */
function staleEntries(context: ExecuteContext, plan: Plan, deletedIds: readonly string[]): string[] {
  const { inventory, outputs } = context;
  const live = new Set([...inventory.passwords, ...inventory.roles, ...inventory.tokens].map((l) => l.value.id));
  const deleted = new Set(deletedIds);
  const beingCreated = new Set(plan.changes.filter(issuesCredential).map((c) => c.path));
  const stale: string[] = [];
  for (const [path, entry] of Object.entries(outputs.entries)) {
    if (live.has(entry.id) || deleted.has(entry.id) || beingCreated.has(path)) continue;
    const listed =
      entry.kind === 'password'
        ? inventory.gone.has(entry.database) ||
          (inventory.branches.get(entry.database)?.some((b) => b.name === entry.branch) === true &&
            !inventory.unlisted.some((u) => u.database === entry.database && !u.rules && (u.branch === undefined || u.branch === entry.branch)))
        : !inventory.unlisted.some((u) => u.tokens);
    if (listed) stale.push(entry.id);
  }
  return stale;
}
