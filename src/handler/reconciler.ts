import type { HandlerContext } from './context';
import { allSettled } from './deletion';
import { deleteIpRule, deletePassword, deleteServiceToken } from './lookup';
import { PlanetScaleApiError } from '../api/errors';
import { parseOwnedName, ruleMarker } from '../spec/naming';
import type { ReconcilerSpec } from '../spec/resource-specs';

/**
 * Runs a listing that may be refused; a refusal is reported and that part skipped. PlanetScale refuses with 404 (a
 * database the credential cannot see, a route it lacks the access for: planetscale/cli PR #1067), rarely 403.
 */
async function listOrSkip<T>(context: HandlerContext, what: string, list: () => Promise<T[]>): Promise<T[]> {
  try {
    return await list();
  } catch (error) {
    if (error instanceof PlanetScaleApiError && (error.status === 403 || error.status === 404)) {
      context.log(`skipping ${what}: the ${context.client.credentialName} cannot list it (HTTP ${error.status}); objects left there are not deleted`);
      return [];
    }
    throw error;
  }
}

/** What the reconciler keeps; everything else the owner owns is deleted. */
export interface Declared {
  readonly passwords: readonly string[];
  readonly serviceTokens: readonly string[];
  readonly ipRules: readonly string[];
}

export const NOTHING_DECLARED: Declared = { passwords: [], serviceTokens: [], ipRules: [] };

export function declaredIn(spec: ReconcilerSpec): Declared {
  return { passwords: spec.passwords, serviceTokens: spec.service_tokens, ipRules: spec.ip_rules };
}

/**
 * Deletes every object the owner owns that is not declared: removed constructs, previous generations (replaced
 * create-before-destroy, whose own destroy step Terraform skips), and leftovers of interrupted runs. Objects whose
 * names are not owned by this owner are never touched. With nothing declared (stack destroy) it deletes all owned.
 * A deletion that fails (or cannot be proven) does not stop the others; the run then fails naming each.
 */
export async function sweepOwned(context: HandlerContext, spec: ReconcilerSpec, declared: Declared, reason = 'no longer declared'): Promise<void> {
  const { client, outputs, settings, log } = context;
  const owned = (name: string | undefined | null) => typeof name === 'string' && parseOwnedName(name, spec.owner) !== undefined;
  const keep = {
    passwords: new Set(declared.passwords),
    serviceTokens: new Set(declared.serviceTokens),
    ipRules: new Set(declared.ipRules),
  };
  const deletedIds: string[] = [];
  let deletedRules = 0;
  const deletions: (() => Promise<void>)[] = [];

  for (const database of await listOrSkip(context, 'the databases', () => client.listDatabases())) {
    if (database.kind === 'postgresql') {
      const rules = await listOrSkip(context, `IP rules of ${database.name}`, () => client.listPostgresIpRules(database.name));
      for (const rule of rules) {
        const marker = ruleMarker(rule.description);
        if (!owned(marker) || keep.ipRules.has(marker!)) continue;
        deletions.push(async () => {
          await deleteIpRule(client, rule, database.name);
          deletedRules += 1;
          log(`deleted IP rule ${rule.id} (${marker}) on ${database.name}: ${reason}`);
        });
      }
      continue;
    }
    const branches = await listOrSkip(context, `database ${database.name}`, () => client.listBranches(database.name));
    for (const branch of branches) {
      const passwords = await listOrSkip(context, `${database.name}/${branch.name}`, () => client.listPasswords(database.name, branch.name));
      for (const password of passwords) {
        if (!owned(password.name) || keep.passwords.has(password.name)) continue;
        deletions.push(async () => {
          await deletePassword(client, password, database.name, branch.name);
          deletedIds.push(password.id);
          log(`deleted password ${password.name} (${password.id}) on ${database.name}/${branch.name}: ${reason}`);
        });
      }
    }
  }

  for (const token of await listOrSkip(context, 'service tokens', () => client.listServiceTokens())) {
    if (!owned(token.name) || keep.serviceTokens.has(token.name!)) continue;
    deletions.push(async () => {
      await deleteServiceToken(client, token);
      deletedIds.push(token.id);
      log(`deleted service token ${token.name} (${token.id}): ${reason}`);
    });
  }

  try {
    await allSettled(deletions);
  } finally {
    // Only what is proven deleted loses its outputs entry.
    await outputs.removeIds(settings.stack, deletedIds);
  }
  log(
    `reconciled owner ${spec.owner}: declared ${keep.passwords.size} password(s), ${keep.serviceTokens.size} service token(s), ` +
      `${keep.ipRules.size} IP rule(s); deleted ${deletedIds.length} credential(s) and ${deletedRules} IP rule(s)`,
  );
}
