import type { HandlerContext } from './context';
import { deletePasswordIfPresent, explainScopeError, passwordsNamed } from './lookup';
import { deliverSecret } from './secret-delivery';
import { OutcomeUnknownError } from '../api/errors';
import type { CreatedPassword } from '../api/types';
import { connectionStrings } from '../outputs/connection-strings';
import type { PasswordEntry } from '../outputs/entries';
import type { PasswordSpec } from '../spec/resource-specs';

function where(spec: PasswordSpec): string {
  return `${spec.database}/${spec.branch}`;
}

async function createOnce(context: HandlerContext, spec: PasswordSpec, cidrs: string[]): Promise<CreatedPassword> {
  return context.client.createPassword(spec.database, spec.branch, {
    name: spec.name,
    role: spec.role,
    ttl: spec.ttl_seconds ?? undefined,
    replica: spec.replica,
    direct_vtgate: spec.direct_vtgate,
    // Set at creation: the password is never usable from everywhere, not even for a moment.
    cidrs,
  });
}

/**
 * Creates the password, unless this very password already exists with its secret recorded (a re-run). A create whose
 * answer was lost may have happened: the password is looked up by its name, deleted (its secret is unknowable), and
 * created once more.
 */
async function createRecovering(context: HandlerContext, spec: PasswordSpec, cidrs: string[]): Promise<CreatedPassword> {
  try {
    return await createOnce(context, spec, cidrs);
  } catch (error) {
    if (!(error instanceof OutcomeUnknownError)) throw await explainScopeError(context.client, error, spec.database, spec.branch);
    context.log(`${error.message}; looking it up`);
  }
  for (const orphan of await passwordsNamed(context.client, spec.database, spec.branch, spec.name)) {
    context.log(`deleting password ${orphan.id} created by the lost request (its secret never arrived)`);
    await deletePasswordIfPresent(context.client, spec.database, spec.branch, orphan.id);
  }
  return createOnce(context, spec, cidrs);
}

export async function createPassword(context: HandlerContext, spec: PasswordSpec, cidrs: string[]): Promise<void> {
  const { client, outputs, settings, log } = context;
  let existing;
  try {
    existing = await passwordsNamed(client, spec.database, spec.branch, spec.name);
  } catch (error) {
    throw await explainScopeError(client, error, spec.database, spec.branch);
  }
  const recorded = outputs.entry(settings.stack, spec.path);
  const kept = existing.find((p) => recorded?.id === p.id && recorded.name === spec.name);
  for (const stale of existing.filter((p) => p !== kept)) {
    // Left by an interrupted run (e.g. a tainted create): nobody holds its secret, so it can only be replaced.
    log(`deleting password ${stale.id} (${spec.name}) left by an interrupted run; its secret was never recorded`);
    await deletePasswordIfPresent(client, spec.database, spec.branch, stale.id);
  }
  if (kept) {
    log(`password ${spec.name} (${kept.id}) on ${where(spec)} already exists and its secret is in ${outputs.path}`);
    return;
  }

  const created = await createRecovering(context, spec, cidrs);
  const entry: PasswordEntry = {
    kind: 'password',
    id: created.id,
    name: created.name,
    username: created.username,
    host: created.access_host_url,
    database: spec.database,
    branch: spec.branch,
    role: created.role,
    expires_at: created.expires_at,
    password: created.plain_text,
    connection_strings: connectionStrings({
      host: created.access_host_url,
      username: created.username,
      password: created.plain_text,
      database: spec.database,
    }),
  };
  await deliverSecret(context, spec.path, entry, async () => {
    await deletePasswordIfPresent(client, spec.database, spec.branch, created.id);
  });
  const cidrText = cidrs.length > 0 ? cidrs.join(', ') : 'any address';
  log(`created password ${spec.name} (${created.id}) on ${where(spec)}: role ${spec.role}, allowed from ${cidrText}`);
}

export async function destroyPassword(context: HandlerContext, spec: PasswordSpec): Promise<void> {
  const { client, outputs, settings, log } = context;
  const found = await passwordsNamed(client, spec.database, spec.branch, spec.name).catch(async (error) => {
    throw await explainScopeError(client, error, spec.database, spec.branch);
  });
  for (const password of found) {
    await deletePasswordIfPresent(client, spec.database, spec.branch, password.id);
    log(`deleted password ${spec.name} (${password.id}) on ${where(spec)}`);
  }
  await outputs.removeIds(settings.stack, found.map((p) => p.id));
  if (found.length === 0) log(`password ${spec.name} on ${where(spec)} is already gone`);
}
