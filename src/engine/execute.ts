import { forEachBounded } from './bounded';
import { deleteTarget, describeTarget } from './deletion';
import { deliverSecret, redeliverSecret, undoAfter, type Delivery } from './deliver';
import { describeResource, type GrantStep } from './grants';
import type { Inventory, LivePassword, LiveRole, LiveToken } from './inventory';
import type { Change, CreatePassword, CreateRole, CreateRule, CreateToken, Delete, DeleteTarget, Plan } from './plan';
import type { PlanetScaleClient } from '../api/client';
import { SERVICE_TOKENS_REFUSED, USE_ACCESS_TOKEN } from '../api/credentials';
import { OutcomeUnknownError, PlanetScaleApiError } from '../api/errors';
import type { CreatedPassword, CreatedPostgresRole, CreatedServiceToken, PostgresRole } from '../api/types';
import { cidrFamily } from '../model/cidr';
import { parseOwnedName } from '../model/naming';
import { DEFAULT_SUCCESSOR } from '../model/postgres-roles';
import { connectionStrings } from '../outputs/connection-strings';
import type { OutputEntry } from '../outputs/entries';
import { postgresConnectionStrings } from '../outputs/postgres-connection-strings';

/** What carrying out a plan needs. */
export interface ExecuteContext extends Delivery {
  readonly client: PlanetScaleClient;
  readonly organization: string;
  readonly owner: string;
  readonly inventory: Inventory;
  /** How many objects are worked on at once. */
  readonly concurrency: number;
  /** The CA bundle file the connection strings that need one name. */
  readonly caBundle: string;
}

/** One object the run could not bring to its declared state, as one line. */
export interface Failure {
  readonly path: string;
  readonly message: string;
}

export interface Outcome {
  readonly failures: readonly Failure[];
  readonly counts: { created: number; changed: number; renewed: number; deleted: number };
}

function isRefusal(error: unknown): error is PlanetScaleApiError {
  return error instanceof PlanetScaleApiError && (error.status === 404 || error.status === 403);
}

/**
 * A 422 for a list holding IPv6 ranges, as one line: whether PlanetScale accepts IPv6 on passwords is not established
 * (the official provider's IPv6 tests wait "when the API supports ipv6"), so it is allowed and a refusal explained.
 */
function explainCidrRefusal(error: unknown, password: string, cidrs: readonly string[]): unknown {
  const ipv6 = cidrs.filter((c) => cidrFamily(c) === 'ipv6');
  if (!(error instanceof PlanetScaleApiError) || error.status !== 422 || ipv6.length === 0) return error;
  if (error.apiMessage && !/cidr|ipv6|ip address|range/i.test(error.apiMessage)) return error;
  return new Error(
    `PlanetScale refused the allow-list of password ${password} (HTTP 422${error.apiMessage ? `: ${error.apiMessage}` : ''}); ` +
      `it holds IPv6 ranges (${ipv6.join(', ')}), which this API may not accept on passwords: remove them, or allow the IPv4 ranges your clients use`,
  );
}

/** What to use instead when grants are refused, for the credential in use. */
function instead(client: PlanetScaleClient): string {
  const elsewhere = 'or set the grants in the PlanetScale console';
  return client.usesAccessToken
    ? `deploy as an organization administrator who holds these accesses, ${elsewhere}`
    : `${USE_ACCESS_TOKEN} or with a credential that holds these accesses, ${elsewhere}`;
}

function explainGrantRefusal(client: PlanetScaleClient, error: unknown, change: string): unknown {
  if (!isRefusal(error)) return error;
  const cause = client.usesAccessToken
    ? 'the deploy OAuth access token may not grant them'
    : `the deploy service token may not change service-token grants (${SERVICE_TOKENS_REFUSED}) or does not hold these accesses itself`;
  return new Error(`PlanetScale refused to ${change} (HTTP ${error.status}): ${cause}; ${instead(client)}`);
}

function allowed(cidrs: readonly string[]): string {
  return cidrs.length > 0 ? cidrs.join(', ') : 'any address';
}

/**
 * Carries out a plan: creates first (each new secret delivered), then in-place changes and deliveries again, then
 * deletions.
 */
export async function execute(plan: Plan, context: ExecuteContext): Promise<Outcome> {
  const { client, log, outputs } = context;
  const failures: Failure[] = plan.problems.map((p) => ({ ...p }));
  const failedPaths = new Set(failures.map((f) => f.path));
  const counts = { created: 0, changed: 0, renewed: 0, deleted: 0 };
  const fail = (path: string, error: unknown) => {
    failures.push({ path, message: (error as Error).message });
    failedPaths.add(path);
  };
  const knownIds = new Set([...context.inventory.passwords, ...context.inventory.roles, ...context.inventory.tokens].map((l) => l.value.id));
  /** Roles this run created, by construct path: where a previous generation's objects go, and what rules name. */
  const createdRoles = new Map<string, PostgresRole>();
  const deletedIds: string[] = [];

  async function applyGrantSteps(token: { id: string; name: string }, steps: readonly GrantStep[]): Promise<void> {
    // Removals first: a refused addition then leaves the token narrower than declared, never wider.
    for (const step of ['remove', 'add'] as const) {
      for (const entry of steps) {
        const accesses = entry[step];
        if (accesses.length === 0) continue;
        const where = describeResource(entry.resource);
        const request = { database: entry.resource, access: [...accesses] };
        try {
          if (step === 'add') await client.addServiceTokenAccess(token.id, request);
          else await client.deleteServiceTokenAccess(token.id, request);
        } catch (error) {
          const change = step === 'add' ? `grant ${accesses.join(', ')} on ${where} to service token ${token.name}` : `revoke ${accesses.join(', ')} on ${where} from service token ${token.name}`;
          throw explainGrantRefusal(client, error, change);
        }
        log(`${step === 'add' ? 'granted' : 'revoked'} ${accesses.join(', ')} on ${where} ${step === 'add' ? 'to' : 'from'} ${token.name} (${token.id})`);
      }
    }
  }

  // ---- creates ------------------------------------------------------------------------------------------------
  const deliveries: Promise<void>[] = [];
  const delivered = (path: string, delivery: Promise<void>, done: () => void) => {
    deliveries.push(
      delivery.then(
        () => {
          counts.created += 1;
          done();
        },
        (error: unknown) => fail(path, error),
      ),
    );
  };
  // Credentials first (rules carry no secret, and may name a role created here: they follow as in-place changes).
  const creates = plan.changes.filter((c): c is CreatePassword | CreateRole | CreateToken => c.kind === 'create-password' || c.kind === 'create-role' || c.kind === 'create-token');
  await outputs.markPending(creates.map((c) => c.name));

  async function createPassword(change: CreatePassword): Promise<void> {
    const { declaration: d, name } = change;
    for (const orphan of change.orphans) {
      log(`deleting password ${name} (${orphan.value.id}) left by an interrupted run; its secret was never recorded`);
      await deleteTarget(client, { kind: 'password', live: orphan });
    }
    const { production } = change;
    const request = {
      name,
      role: d.role,
      ttl: d.ttl_seconds ?? undefined,
      replica: d.replica,
      direct_vtgate: d.direct_vtgate,
      // Set at creation: the password is never usable from everywhere, not even for a moment.
      cidrs: d.cidrs,
    };
    const create = () =>
      client.createPassword(d.database, d.branch, request).catch((error: unknown) => Promise.reject(explainCidrRefusal(error, name, d.cidrs)));
    let created: CreatedPassword;
    try {
      created = await create();
    } catch (error) {
      if (!(error instanceof OutcomeUnknownError)) throw error;
      log(`${error.message}; looking it up`);
      for (const lost of (await client.listPasswords(d.database, d.branch, { q: name })).filter((p) => p.name === name && !knownIds.has(p.id))) {
        log(`deleting password ${lost.id} created by the lost request (its secret never arrived)`);
        const live: LivePassword = { value: lost, database: d.database, branch: d.branch, production, name: parseOwnedName(name, context.owner)! };
        await deleteTarget(client, { kind: 'password', live });
      }
      created = await create();
    }
    const entry: OutputEntry = {
      kind: 'password',
      id: created.id,
      name: created.name,
      username: created.username,
      host: created.access_host_url,
      database: d.database,
      branch: d.branch,
      role: created.role,
      expires_at: created.expires_at,
      password: created.plain_text,
      connection_strings: connectionStrings({
        host: created.access_host_url,
        username: created.username,
        password: created.plain_text,
        database: d.database,
        caBundle: context.caBundle,
      }),
    };
    const undo = async () => {
      await deleteTarget(client, { kind: 'password', live: { value: created, database: d.database, branch: d.branch, production, name: parseOwnedName(name, context.owner)! } });
      // The credential is gone: a journal write failing now only leaves a name the next run settles.
      await outputs.clearPending([name]).catch(() => undefined);
    };
    // The secret is delivered while the next creates go on (writes of the outputs file then carry many entries at
    // once); a crash in between is covered by the pending journal, written before any create.
    delivered(change.path, deliverSecret(context, change.path, entry, undo), () =>
      log(`created password ${name} (${created.id}) on ${d.database}/${d.branch}: role ${d.role}, allowed from ${allowed(d.cidrs)}${change.reason === 'new' ? '' : ` (${change.reason})`}`),
    );
  }

  async function createRole(change: CreateRole): Promise<void> {
    const { declaration: d, name } = change;
    const owned = parseOwnedName(name, context.owner)!;
    const live = (value: PostgresRole): LiveRole => ({ value, database: d.database, branch: d.branch, production: change.production, name: owned });
    // A role whose secret never arrived was never used: nothing it could own needs a particular heir.
    const dropUnused = (value: PostgresRole) => deleteTarget(client, { kind: 'role', live: live(value), successor: { role: DEFAULT_SUCCESSOR } });
    for (const orphan of change.orphans) {
      log(`deleting role ${name} (${orphan.value.id}) left by an interrupted run; its secret was never recorded`);
      await dropUnused(orphan.value);
    }
    const request = { name, ttl: d.ttl_seconds ?? undefined, inherited_roles: [...change.inherited] };
    let created: CreatedPostgresRole;
    try {
      created = await client.createRole(d.database, d.branch, request);
    } catch (error) {
      if (!(error instanceof OutcomeUnknownError)) throw error;
      log(`${error.message}; looking it up`);
      for (const lost of (await client.listRoles(d.database, d.branch, { q: name })).filter((r) => r.name === name && !knownIds.has(r.id))) {
        log(`deleting role ${lost.id} created by the lost request (its secret never arrived)`);
        await dropUnused(lost);
      }
      created = await client.createRole(d.database, d.branch, request);
    }
    const entry: OutputEntry = {
      kind: 'password',
      engine: 'postgresql',
      id: created.id,
      name: created.name,
      username: created.username,
      base_username: created.base_username,
      host: created.access_host_url,
      database: d.database,
      branch: d.branch,
      database_name: created.database_name,
      role: d.inherited_roles ? null : d.role,
      inherited_roles: [...created.inherited_roles],
      expires_at: created.expires_at,
      password: created.password,
      connection_strings: postgresConnectionStrings({
        host: created.access_host_url,
        username: created.username,
        password: created.password,
        database: created.database_name,
        caBundle: context.caBundle,
      }),
      successor: d.successor,
    };
    const undo = async () => {
      await dropUnused(created);
      await outputs.clearPending([name]).catch(() => undefined);
    };
    delivered(change.path, deliverSecret(context, change.path, entry, undo), () => {
      createdRoles.set(change.path, created);
      log(`created role ${name} (${created.id}) on ${d.database}/${d.branch}: inherits ${change.inherited.join(', ')}${change.reason === 'new' ? '' : ` (${change.reason})`}`);
    });
  }

  async function createToken(change: CreateToken): Promise<void> {
    const { declaration: d, name } = change;
    for (const orphan of change.orphans) {
      log(`deleting service token ${name} (${orphan.value.id}) left by an interrupted run; its secret was never recorded`);
      await deleteTarget(client, { kind: 'service token', live: orphan });
    }
    const request = { name, ttl: d.ttl_seconds ?? undefined };
    let created: CreatedServiceToken;
    try {
      created = await client.createServiceToken(request);
    } catch (error) {
      if (!(error instanceof OutcomeUnknownError)) throw error;
      log(`${error.message}; looking it up`);
      for (const lost of (await client.listServiceTokens()).filter((t) => t.name === name && !knownIds.has(t.id))) {
        log(`deleting service token ${lost.id} created by the lost request (its secret never arrived)`);
        await deleteTarget(client, { kind: 'service token', live: { value: lost, name: parseOwnedName(name, context.owner)! } });
      }
      created = await client.createServiceToken(request);
    }
    const undo = async () => {
      await deleteTarget(client, { kind: 'service token', live: { value: created, name: parseOwnedName(name, context.owner)! } });
      // The credential is gone: a journal write failing now only leaves a name the next run settles.
      await outputs.clearPending([name]).catch(() => undefined);
    };
    // Grants before the value is handed out: if they cannot be set, no token exists whose grants differ from the code.
    const steps = [...change.grants].map(([resource, accesses]) => ({ resource, add: [...accesses].sort(), remove: [] }));
    try {
      await applyGrantSteps({ id: created.id, name }, steps);
    } catch (error) {
      await undoAfter(undo, (error as Error).message, `service token ${name} (${created.id})`);
    }
    const entry: OutputEntry = {
      kind: 'service-token',
      id: created.id,
      name,
      organization: context.organization,
      expires_at: created.expires_at,
      token: created.token,
      env: { PLANETSCALE_SERVICE_TOKEN_ID: created.id, PLANETSCALE_SERVICE_TOKEN: created.token },
    };
    delivered(change.path, deliverSecret(context, change.path, entry, undo), () =>
      log(`created service token ${name} (${created.id})${created.expires_at ? `, expires ${created.expires_at}` : ''}${change.reason === 'new' ? '' : ` (${change.reason})`}`),
    );
  }

  /** The role a rule names: the declared one, or the username of the role this run created for a password path. */
  function ruleRole(change: { readonly rolePath?: string }, declared: string): string {
    if (!change.rolePath) return declared;
    const role = createdRoles.get(change.rolePath);
    if (!role) throw new Error(`the rule applies to the role of ${change.rolePath}, which this run could not create (see the line for ${change.rolePath})`);
    return role.base_username;
  }

  async function createRule(change: CreateRule): Promise<void> {
    const d = change.declaration;
    const settings = { ...change.settings, role: ruleRole(change, change.settings.role), cidrs: [...change.settings.cidrs] };
    const created = await client.createPostgresIpRule(d.database, settings);
    counts.created += 1;
    log(`created IP rule ${created.id} on ${d.database}: ${d.cidrs.join(', ')} for schema ${d.schema || '(all)'}, role ${settings.role || '(all)'}`);
  }

  await forEachBounded(creates, context.concurrency, async (change) => {
    try {
      if (change.kind === 'create-password') await createPassword(change);
      else if (change.kind === 'create-role') await createRole(change);
      else await createToken(change);
    } catch (error) {
      fail(change.path, error);
    }
  });
  // Every new secret is held (outputs file, sink) before anything is deleted.
  await Promise.all(deliveries);

  // ---- in-place changes ---------------------------------------------------------------------------------------
  const inPlace = plan.changes.filter((c) => c.kind === 'create-rule' || (!c.kind.startsWith('create-') && c.kind !== 'delete'));
  await forEachBounded(inPlace, context.concurrency, async (change) => {
    try {
      await applyInPlace(change);
    } catch (error) {
      fail(change.path, error);
    }
  });

  function renamed(what: string, live: { id: string; name: string }, to: string): void {
    counts.changed += 1;
    log(`renamed ${what} ${live.name} (${live.id}) to ${to}`);
  }

  /** Same credential, same secret, later expiry: the outputs entry gets the new expiry. */
  async function renewed(path: string, what: string, live: { id: string; name: string }, was: string, now: { expires_at: string | null }) {
    counts.renewed += 1;
    const entry = outputs.entries[path];
    if (entry?.kind === 'password' && entry.id === live.id) await outputs.put(path, { ...entry, expires_at: now.expires_at });
    log(`renewed ${what} ${live.name} (${live.id}): expires ${now.expires_at} (was ${was})`);
  }

  async function applyInPlace(change: Change): Promise<void> {
    switch (change.kind) {
      case 'create-rule':
        await createRule(change);
        return;
      case 'rename-role': {
        const { value, database, branch } = change.live;
        await client.updateRole(database, branch, value.id, { name: change.to });
        renamed('role', value, change.to);
        return;
      }
      case 'renew-role': {
        const { value, database, branch } = change.live;
        await renewed(change.path, 'role', value, change.expiresAt, await client.renewRole(database, branch, value.id));
        return;
      }
      case 'record-successor': {
        const entry = outputs.entries[change.path];
        if (entry?.kind === 'password' && entry.engine === 'postgresql') await outputs.put(change.path, { ...entry, successor: change.to });
        counts.changed += 1;
        return;
      }
      case 'update-cidrs': {
        const { value, database, branch } = change.live;
        await client
          .updatePassword(database, branch, value.id, { cidrs: [...change.to] })
          .catch((error: unknown) => Promise.reject(explainCidrRefusal(error, value.name, change.to)));
        counts.changed += 1;
        log(`set CIDRs of ${value.name} (${value.id}) to ${change.to.length > 0 ? change.to.join(', ') : 'none (any address may connect)'}; was ${change.from.length > 0 ? change.from.join(', ') : 'none'}`);
        return;
      }
      case 'rename-password': {
        const { value, database, branch } = change.live;
        await client.updatePassword(database, branch, value.id, { name: change.to });
        renamed('password', value, change.to);
        return;
      }
      case 'renew-password': {
        const { value, database, branch } = change.live;
        await renewed(change.path, 'password', value, change.expiresAt, await client.renewPassword(database, branch, value.id));
        return;
      }
      case 'update-grants': {
        const token = change.live as LiveToken;
        await applyGrantSteps({ id: token.value.id, name: token.value.name ?? token.value.id }, change.steps);
        counts.changed += 1;
        return;
      }
      case 'redeliver':
        if (!context.sink) return;
        await redeliverSecret(context, context.sink, change.path, change.entry);
        counts.changed += 1;
        return;
      case 'update-rule': {
        const { value, database } = change.live;
        const role = ruleRole(change, change.to.role);
        await client.updatePostgresIpRule(database, value.id, { ...change.to, role, cidrs: [...change.to.cidrs] });
        counts.changed += 1;
        log(`updated IP rule ${value.id} on ${database}: ${change.to.cidrs.join(', ')} for schema ${change.to.schema || '(all)'}, role ${role || '(all)'}`);
        return;
      }
      default:
        return;
    }
  }

  // ---- deletions ----------------------------------------------------------------------------------------------
  const deletes = plan.changes.filter((c): c is Delete => c.kind === 'delete');
  await forEachBounded(deletes, context.concurrency, async (change) => {
    // A previous generation stays until its successor is live and its secret delivered.
    if (change.after !== undefined && failedPaths.has(change.after)) return;
    try {
      const result = await deleteTarget(client, resolved(change.target));
      if (change.target.kind !== 'IP rule') {
        deletedIds.push(change.target.live.value.id);
        if (change.target.live.value.name) outputs.settle([change.target.live.value.name]);
      }
      counts.deleted += 1;
      log(`${result === 'deleted' ? 'deleted' : 'found already gone:'} ${describeTarget(change.target)}: ${change.reason}`);
    } catch (error) {
      fail(change.path, error);
    }
  });

  /** A role whose heir is the role this run created for a path: named by the new role's id. */
  function resolved(target: DeleteTarget): DeleteTarget {
    if (target.kind !== 'role' || !('path' in target.successor)) return target;
    const heir = createdRoles.get(target.successor.path);
    return heir ? { ...target, successor: { role: heir.id } } : target;
  }

  await outputs.removeIds([...deletedIds, ...staleEntries(context, plan, deletedIds)]);
  return { failures, counts };
}

/**
 * Outputs entries of this stack whose credential no longer exists: deleted by hand, or gone with its branch. Only
 * where the credential's location was listed: an entry is never dropped on a guess.
 */
function staleEntries(context: ExecuteContext, plan: Plan, deletedIds: readonly string[]): string[] {
  const { inventory, outputs } = context;
  const live = new Set([...inventory.passwords, ...inventory.roles, ...inventory.tokens].map((l) => l.value.id));
  const deleted = new Set(deletedIds);
  const beingCreated = new Set(plan.changes.filter((c) => c.kind === 'create-password' || c.kind === 'create-role' || c.kind === 'create-token').map((c) => c.path));
  const stale: string[] = [];
  for (const [path, entry] of Object.entries(outputs.entries)) {
    if (live.has(entry.id) || deleted.has(entry.id) || beingCreated.has(path)) continue;
    const listed =
      entry.kind === 'password'
        ? inventory.gone.has(entry.database) ||
          (inventory.branches.get(entry.database)?.some((b) => b.name === entry.branch) === true &&
            !inventory.unlisted.some((u) => u.database === entry.database && !u.rules && (u.branch === undefined || u.branch === entry.branch)))
        : !inventory.unlisted.some((u) => u.tokens);
    if (listed) stale.push(entry.id);
  }
  return stale;
}
