import type { HandlerContext } from './context';
import { ensureCredential, removeCredential, type CredentialKind } from './credential';
import { deleteServiceToken, tokensNamed } from './lookup';
import { checkDeployerHolds, reconcileGrants, type GrantMap } from './service-token-grants';
import type { CreatedServiceToken, OrganizationServiceToken } from '../api/types';
import type { ServiceTokenSpec } from '../spec/resource-specs';

type TokenKind = CredentialKind<OrganizationServiceToken, CreatedServiceToken>;

function tokenKind(context: HandlerContext, spec: ServiceTokenSpec, grants: GrantMap = new Map()): TokenKind {
  const { client } = context;
  return {
    noun: 'service token',
    path: spec.path,
    name: spec.name,
    find: () => tokensNamed(context, spec.name),
    create: () => client.createServiceToken({ name: spec.name, ttl: spec.ttl_seconds ?? undefined }),
    // Grants are in place before the value is handed out; if they cannot be, the token is deleted again, so no token
    // exists whose grants differ from the code.
    complete: async (created) => {
      await reconcileGrants(context, { id: created.id, name: spec.name }, grants, new Map());
    },
    remove: (token) => deleteServiceToken(client, token),
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

/** Creates the token with its initial grants (see ensureCredential); later grant edits are applied by the grants resource. */
export async function createServiceToken(context: HandlerContext, spec: ServiceTokenSpec, grants: GrantMap): Promise<void> {
  await checkDeployerHolds(context, grants);
  const created = await ensureCredential(context, tokenKind(context, spec, grants));
  if (created) context.log(`created service token ${spec.name} (${created.id})${created.expires_at ? `, expires ${created.expires_at}` : ''}`);
}

export function destroyServiceToken(context: HandlerContext, spec: ServiceTokenSpec): Promise<void> {
  return removeCredential(context, tokenKind(context, spec));
}
