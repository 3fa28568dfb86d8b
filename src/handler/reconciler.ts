import type { HandlerContext } from './context';
import { deletePasswordIfPresent } from './lookup';
import { PlanetScaleApiError } from '../api/errors';
import { parseOwnedName } from '../spec/naming';
import type { ReconcilerSpec } from '../spec/resource-specs';

/** Runs a listing that may be refused for one database; a refusal is reported and that database skipped. */
async function listOrSkip<T>(context: HandlerContext, what: string, list: () => Promise<T[]>): Promise<T[]> {
  try {
    return await list();
  } catch (error) {
    if (error instanceof PlanetScaleApiError && error.status === 403) {
      context.log(`skipping ${what}: the service token cannot list it`);
      return [];
    }
    throw error;
  }
}

/**
 * Deletes every object the owner owns that is not declared: removed constructs, previous generations (replaced
 * create-before-destroy, whose own destroy step Terraform skips), and leftovers of interrupted runs. Objects whose
 * names are not owned by this owner are never touched. With `declared` empty (stack destroy) it deletes all owned.
 */
export async function sweepOwned(
  context: HandlerContext,
  spec: ReconcilerSpec,
  declaredPasswords: readonly string[],
  reason = 'no longer declared',
): Promise<void> {
  const { client, outputs, settings, log } = context;
  const declared = new Set(declaredPasswords);
  const deleted: string[] = [];
  for (const database of await client.listDatabases()) {
    if (database.kind !== 'mysql') continue;
    const branches = await listOrSkip(context, `database ${database.name}`, () => client.listBranches(database.name));
    for (const branch of branches) {
      const passwords = await listOrSkip(context, `${database.name}/${branch.name}`, () => client.listPasswords(database.name, branch.name));
      for (const password of passwords) {
        if (!parseOwnedName(password.name, spec.owner) || declared.has(password.name)) continue;
        await deletePasswordIfPresent(client, database.name, branch.name, password.id);
        deleted.push(password.id);
        log(`deleted password ${password.name} (${password.id}) on ${database.name}/${branch.name}: ${reason}`);
      }
    }
  }
  await outputs.removeIds(settings.stack, deleted);
  log(`reconciled owner ${spec.owner}: ${declared.size} password(s) declared, ${deleted.length} undeclared deleted`);
}
