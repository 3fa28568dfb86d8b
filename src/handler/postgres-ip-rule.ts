import type { HandlerContext } from './context';
import { deleteIpRule, explainScopeError } from './lookup';
import type { PostgresIpRule } from '../api/types';
import { sameAddresses } from '../spec/cidr';
import { describeRule, ruleMarker } from '../spec/naming';
import type { PostgresIpRuleSpec } from '../spec/resource-specs';

/** Rules on the database tagged with `marker`; a missing or non-Postgres database is reported as such. */
async function rulesMarked(context: HandlerContext, spec: PostgresIpRuleSpec): Promise<PostgresIpRule[]> {
  try {
    return (await context.client.listPostgresIpRules(spec.database)).filter((rule) => ruleMarker(rule.description) === spec.marker);
  } catch (error) {
    throw await explainScopeError(context.client, error, { database: spec.database, needs: 'postgresql' });
  }
}

function sameRule(rule: PostgresIpRule, spec: PostgresIpRuleSpec, description: string): boolean {
  const sameCidrs = sameAddresses(rule.cidrs, spec.cidrs);
  return rule.schema === spec.schema && rule.role === spec.role && rule.description === description && sameCidrs;
}

/** Creates the rule, or updates the existing one in place to exactly the declared settings. */
export async function applyPostgresIpRule(context: HandlerContext, spec: PostgresIpRuleSpec): Promise<void> {
  const { client, log } = context;
  const description = describeRule(spec.description, spec.marker);
  const [rule, ...duplicates] = await rulesMarked(context, spec);
  for (const extra of duplicates) {
    await deleteIpRule(client, extra, spec.database);
    log(`deleted duplicate IP rule ${extra.id} on ${spec.database}`);
  }
  const settings = { schema: spec.schema, role: spec.role, cidrs: spec.cidrs, description };
  const summary = `${spec.cidrs.join(', ')} for schema ${spec.schema || '(all)'}, role ${spec.role || '(all)'}`;
  if (!rule) {
    const created = await client.createPostgresIpRule(spec.database, settings);
    log(`created IP rule ${created.id} on ${spec.database}: ${summary}`);
  } else if (!sameRule(rule, spec, description)) {
    await client.updatePostgresIpRule(spec.database, rule.id, settings);
    log(`updated IP rule ${rule.id} on ${spec.database}: ${summary}`);
  } else {
    log(`IP rule ${rule.id} on ${spec.database} already matches`);
  }
}

export async function destroyPostgresIpRule(context: HandlerContext, spec: PostgresIpRuleSpec): Promise<void> {
  const found = await rulesMarked(context, spec);
  for (const rule of found) {
    await deleteIpRule(context.client, rule, spec.database);
    context.log(`deleted IP rule ${rule.id} on ${spec.database}`);
  }
  if (found.length === 0) context.log(`IP rule ${spec.marker} on ${spec.database} is already gone`);
}
