import { issuesCredential, type Plan, type PlanInput } from './changes';
import { planDatabasePasswords } from './kinds/database-password';
import { planRules } from './kinds/ip-rule';
import { planTokens } from './kinds/service-token';
import { Planning } from './planning';
import { entryUnlisted, placesCover } from './unlisted';

/**
 * What an apply would do to make PlanetScale match the desired state, computed from the desired state, what the
 * owner owns (the inventory) and what the outputs file holds. The same plan is printed by `planetscale-cdktf plan`
 * and carried out by an apply or `planetscale-cdktf reconcile`, so what is shown is what is done.
 *
 * Each kind of credential plans its own objects (src/engine/kinds/); passwords come first, since IP rules may name a
 * password's role and removed roles may hand their objects to a declared password. What is left here is what no kind
 * owns: listings that could not be made, and the pending journal.
 */

export type { Change, ChangeOf, CreateReason, Issue, Delete, DeleteReason, DeleteTarget, Deployer, Notice, Plan, PlanInput, Problem, Redeliver } from './changes';
export type { CreatePassword, RenamePassword, RenewPassword, UpdateCidrs } from './kinds/mysql-password';
export type { CreateRole, RecordSuccessor, RenameRole, RenewRole, Successor } from './kinds/postgres-role';
export type { CreateToken, UpdateGrants } from './kinds/service-token';
export type { CreateRule, RuleSettings, UpdateRule } from './kinds/ip-rule';

/** Builds the plan. Reads current grants of kept tokens through `grantsOf`; everything else is in the inventory. */
export async function planChanges(input: PlanInput): Promise<Plan> {
  const planning = new Planning(input);
  const { desired } = input;
  planDatabasePasswords(planning, input.destroy ? [] : desired.passwords);
  await planTokens(planning, input.destroy ? [] : desired.service_tokens);
  planRules(planning, input.destroy ? [] : desired.ip_rules);
  reportUnlisted(planning);
  settleJournal(planning);
  return { changes: planning.changes, notices: planning.notices, problems: planning.problems, settled: [...planning.settled] };
}

/**
 * A credential the outputs file records where nothing could be listed: the run cannot tell whether it still exists,
 * so it cannot delete it (at destroy, or once undeclared); the run fails rather than claim a clean result. A refused
 * listing elsewhere is the credential's scope (reported, that part skipped), unless the stack has objects there; any
 * other failure fails the run.
 */
function reportUnlisted(planning: Planning): void {
  const { inventory, entries, mustSee, outputsPath } = planning.input;
  const problemPaths = new Set(planning.problems.map((p) => p.path));
  for (const [path, entry] of Object.entries(entries)) {
    const unlisted = entryUnlisted(inventory, entry);
    if (!unlisted || problemPaths.has(path)) continue;
    const what = entry.kind === 'password' ? 'password' : 'service token';
    planning.problem(
      path,
      `cannot see ${unlisted.what}, where its ${what} ${entry.name} (${entry.id}) lives: ${unlisted.reason} ` +
        `(if that ${what} no longer exists, remove the entry ${path} from ${outputsPath})`,
    );
    problemPaths.add(path);
  }
  for (const unlisted of inventory.unlisted) {
    if (unlisted.refused && !(mustSee && placesCover(mustSee, unlisted))) {
      planning.notices.push({ path: unlisted.what, kind: 'unlisted', message: `could not list ${unlisted.what} (${unlisted.reason}); objects there are left as they are` });
    } else if (unlisted.refused) {
      planning.problem(unlisted.what, `cannot see ${unlisted.what}, where the stack has objects: ${unlisted.reason}`);
    } else {
      planning.problem(unlisted.what, `could not list ${unlisted.what}: ${unlisted.reason}`);
    }
  }
}

/** Journal names of creates nobody will finish: nothing of that name exists anywhere (when everything was listed). */
function settleJournal(planning: Planning): void {
  const { inventory, pending } = planning.input;
  if (inventory.unlisted.length > 0) return;
  const carried = new Set(planning.changes.flatMap((c) => (issuesCredential(c) || c.kind === 'redeliver' ? [c.name] : [])));
  const tokenNames = inventory.tokens.flatMap((t) => (t.value.name ? [t.value.name] : []));
  const live = new Set<string>([...inventory.passwords.map((p) => p.value.name), ...inventory.roles.map((r) => r.value.name), ...tokenNames]);
  for (const name of pending) if (!carried.has(name) && !live.has(name)) planning.settled.add(name);
}
