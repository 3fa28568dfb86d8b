import type { HandlerContext } from './context';
import { ensureCredential, removeCredential, type CredentialKind } from './credential';
import { deletePassword, explainScopeError, passwordsNamed } from './lookup';
import { explainCidrRefusal } from './password-cidrs';
import type { CreatedPassword, Password } from '../api/types';
import { connectionStrings } from '../outputs/connection-strings';
import type { PasswordSpec } from '../spec/resource-specs';

function passwordKind(context: HandlerContext, spec: PasswordSpec, cidrs: string[] = []): CredentialKind<Password, CreatedPassword> {
  const { client } = context;
  const { database, branch } = spec;
  return {
    noun: 'password',
    path: spec.path,
    name: spec.name,
    find: () => passwordsNamed(client, database, branch, spec.name),
    create: () =>
      client
        .createPassword(database, branch, {
          name: spec.name,
          role: spec.role,
          ttl: spec.ttl_seconds ?? undefined,
          replica: spec.replica,
          direct_vtgate: spec.direct_vtgate,
          // Set at creation: the password is never usable from everywhere, not even for a moment.
          cidrs,
        })
        .catch(async (error: unknown) => {
          // The database or branch first (a 422 for a Postgres database is not about the CIDRs), then IPv6.
          const scoped = await explainScopeError(client, error, { database, branch, needs: 'mysql' });
          throw scoped !== error ? scoped : (explainCidrRefusal(error, spec.name, cidrs) ?? error);
        }),
    remove: (password) => deletePassword(client, password, database, branch),
    entry: (created) => ({
      kind: 'password',
      id: created.id,
      name: created.name,
      username: created.username,
      host: created.access_host_url,
      database,
      branch,
      role: created.role,
      expires_at: created.expires_at,
      password: created.plain_text,
      connection_strings: connectionStrings({ host: created.access_host_url, username: created.username, password: created.plain_text, database }),
    }),
  };
}

export async function createPassword(context: HandlerContext, spec: PasswordSpec, cidrs: string[]): Promise<void> {
  const created = await ensureCredential(context, passwordKind(context, spec, cidrs));
  if (!created) return;
  const allowed = cidrs.length > 0 ? cidrs.join(', ') : 'any address';
  context.log(`created password ${spec.name} (${created.id}) on ${spec.database}/${spec.branch}: role ${spec.role}, allowed from ${allowed}`);
}

export function destroyPassword(context: HandlerContext, spec: PasswordSpec): Promise<void> {
  return removeCredential(context, passwordKind(context, spec), ` on ${spec.database}/${spec.branch}`);
}
