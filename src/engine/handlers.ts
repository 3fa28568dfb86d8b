import type { Change, Delete, DeleteTarget, Redeliver } from './changes';
import { describeTarget } from './deletion';
import { redeliverSecret } from './deliver';
import type { ChangeHandler, ChangeHandlers, Execution } from './execution';
import { RULE_CHANGES } from './kinds/ip-rule';
import { PASSWORD_CHANGES } from './kinds/mysql-password';
import { ROLE_CHANGES } from './kinds/postgres-role';
import { TOKEN_CHANGES } from './kinds/service-token';

/**
 * Every kind of change, and how it is carried out and shown: the kinds' own tables, plus the two changes the core
 * owns (deleting an object of any kind, and handing a recorded secret to the sink again). The table's type requires a
 * handler for every kind of change: a new one does not compile until it says how it is carried out, described and
 * reviewed.
 */

/** A role whose heir is the role this run created for a path: named by the new role's id. */
function withHeirResolved(target: DeleteTarget, run: Execution): DeleteTarget {
  if (target.kind !== 'role' || !('path' in target.successor)) return target;
  const heir = run.createdRoles.get(target.successor.path);
  return heir ? { ...target, successor: { role: heir.id } } : target;
}

async function deleteObject(change: Delete, run: Execution): Promise<void> {
  // A previous generation stays until its successor is live and its secret delivered.
  if (change.after !== undefined && run.failed(change.after)) return;
  const result = await run.delete(withHeirResolved(change.target, run));
  if (change.target.kind !== 'IP rule') run.deleted(change.target.live.value);
  run.counts.deleted += 1;
  run.log(`${result === 'deleted' ? 'deleted' : 'found already gone:'} ${describeTarget(change.target)}: ${change.reason}`);
}

async function redeliver(change: Redeliver, run: Execution): Promise<void> {
  if (!run.sink) return;
  await redeliverSecret(run, run.sink, change.path, change.entry);
  run.counts.changed += 1;
}

const HANDLERS: ChangeHandlers<Change['kind']> = {
  ...PASSWORD_CHANGES,
  ...ROLE_CHANGES,
  ...TOKEN_CHANGES,
  ...RULE_CHANGES,
  redeliver: {
    phase: 'in-place',
    sign: '~',
    carryOut: redeliver,
    describe: (change) =>
      `deliver ${change.entry.kind === 'password' ? 'password' : 'service token'} ${change.path} to the sink again (a run stopped before the sink confirmed it; same secret)`,
    widening: () => [],
  },
  delete: {
    phase: 'delete',
    sign: '-',
    carryOut: deleteObject,
    describe: (change) => `delete ${describeTarget(change.target)}: ${change.reason}${change.after && change.reason !== 'duplicate' ? ` (of ${change.after}, once its successor is live)` : ''}`,
    widening: () => [],
  },
};

/** The handler of a change's kind. */
export function handlerOf<C extends Change>(change: C): ChangeHandler<C> {
  // Indexing the table with a union of kinds loses which handler goes with which change; the table's type holds it.
  return HANDLERS[change.kind] as unknown as ChangeHandler<C>;
}
