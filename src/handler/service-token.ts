import type { HandlerContext } from './context';
import { ensureCredential, removeCredential, type CredentialKind } from './credential';
import type { CreatedServiceToken, OrganizationServiceToken } from '../api/types';
import type { ServiceTokenSpec } from '../spec/resource-specs';

/** Service tokens of the organization named exactly `name`. */
export async function tokensNamed(context: HandlerContext, name: string): Promise<OrganizationServiceToken[]> {
  return (await context.client.listServiceTokens()).filter((t) => t.name === name);
}

function tokenKind(context: HandlerContext, spec: ServiceTokenSpec): CredentialKind<CreatedServiceToken> {
  const { client } = context;
  return {
    noun: 'service token',
    path: spec.path,
    name: spec.name,
    find: () => tokensNamed(context, spec.name),
    create: () => client.createServiceToken({ name: spec.name, ttl: spec.ttl_seconds ?? undefined }),
    remove: (id) => client.deleteServiceToken(id),
    entry: (created) => ({
      kind: 'service-token',
      id: created.id,
      name: spec.name,
      organization: spec.organization,
      expires_at: created.expires_at,
      token: created.token,
      env: { PLANETSCALE_SERVICE_TOKEN_ID: created.id, PLANETSCALE_SERVICE_TOKEN: created.token },
    }),
  };
}

/** Creates the token (see ensureCredential); its grants are applied by the grants resource. */
export async function createServiceToken(context: HandlerContext, spec: ServiceTokenSpec): Promise<void> {
  const created = await ensureCredential(context, tokenKind(context, spec));
  if (created) context.log(`created service token ${spec.name} (${created.id})${created.expires_at ? `, expires ${created.expires_at}` : ''}`);
}

export function destroyServiceToken(context: HandlerContext, spec: ServiceTokenSpec): Promise<void> {
  return removeCredential(context, tokenKind(context, spec));
}
