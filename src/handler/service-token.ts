import type { HandlerContext } from './context';
import { deliverSecret } from './secret-delivery';
import { OutcomeUnknownError, PlanetScaleApiError } from '../api/errors';
import type { CreatedServiceToken, OrganizationServiceToken } from '../api/types';
import type { ServiceTokenEntry } from '../outputs/entries';
import type { ServiceTokenSpec } from '../spec/resource-specs';

/** Service tokens of the organization named exactly `name`. */
export async function tokensNamed(context: HandlerContext, name: string): Promise<OrganizationServiceToken[]> {
  return (await context.client.listServiceTokens()).filter((t) => t.name === name);
}

export async function deleteTokenIfPresent(context: HandlerContext, id: string): Promise<boolean> {
  try {
    await context.client.deleteServiceToken(id);
    return true;
  } catch (error) {
    if (error instanceof PlanetScaleApiError && error.isNotFound) return false;
    throw error;
  }
}

async function createRecovering(context: HandlerContext, spec: ServiceTokenSpec): Promise<CreatedServiceToken> {
  const request = { name: spec.name, ttl: spec.ttl_seconds ?? undefined };
  try {
    return await context.client.createServiceToken(request);
  } catch (error) {
    if (!(error instanceof OutcomeUnknownError)) throw error;
    context.log(`${error.message}; looking it up`);
  }
  for (const orphan of await tokensNamed(context, spec.name)) {
    context.log(`deleting service token ${orphan.id} created by the lost request (its value never arrived)`);
    await deleteTokenIfPresent(context, orphan.id);
  }
  return context.client.createServiceToken(request);
}

/**
 * Creates the token unless this very token already exists with its value recorded (a re-run); tokens of this name
 * whose value nobody holds (an interrupted run) are deleted first. Grants are applied by the grants resource.
 */
export async function createServiceToken(context: HandlerContext, spec: ServiceTokenSpec): Promise<void> {
  const { outputs, settings, log } = context;
  const existing = await tokensNamed(context, spec.name);
  const recorded = outputs.entry(settings.stack, spec.path);
  const kept = existing.find((t) => recorded?.id === t.id && recorded.name === spec.name);
  for (const stale of existing.filter((t) => t !== kept)) {
    log(`deleting service token ${stale.id} (${spec.name}) left by an interrupted run; its value was never recorded`);
    await deleteTokenIfPresent(context, stale.id);
  }
  if (kept) {
    log(`service token ${spec.name} (${kept.id}) already exists and its value is in ${outputs.path}`);
    return;
  }
  const created = await createRecovering(context, spec);
  const entry: ServiceTokenEntry = {
    kind: 'service-token',
    id: created.id,
    name: spec.name,
    organization: spec.organization,
    expires_at: created.expires_at,
    token: created.token,
    env: { PLANETSCALE_SERVICE_TOKEN_ID: created.id, PLANETSCALE_SERVICE_TOKEN: created.token },
  };
  await deliverSecret(context, spec.path, entry, async () => {
    await deleteTokenIfPresent(context, created.id);
  });
  log(`created service token ${spec.name} (${created.id})${created.expires_at ? `, expires ${created.expires_at}` : ''}`);
}

export async function destroyServiceToken(context: HandlerContext, spec: ServiceTokenSpec): Promise<void> {
  const found = await tokensNamed(context, spec.name);
  for (const token of found) {
    await deleteTokenIfPresent(context, token.id);
    context.log(`deleted service token ${spec.name} (${token.id})`);
  }
  await context.outputs.removeIds(context.settings.stack, found.map((t) => t.id));
  if (found.length === 0) context.log(`service token ${spec.name} is already gone`);
}
