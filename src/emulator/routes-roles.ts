import { expiryAfter, hasExpired, renew, requestedTtl } from './expiry';
import { HttpError } from './http-error';
import { hashSecret, newId, newPasswordSecret, newRoleUsername } from './identifiers';
import type { BranchRecord, RoleRecord } from './model';
import { bodies } from './request-bodies';
import { pageAnswer, type Route, type RouteContext } from './route';
import { roleJson } from './serialize';
import { ENDPOINTS } from '../api/endpoints';

/**
 * Postgres branch roles, as PlanetScale's OpenAPI description and its own tools show them:
 * - create answers 200 (not 201) with the secret in `password`, the only time it is sent (the official provider,
 *   commit c7e9d63, ignores `password` on read and update);
 * - delete answers 204; a role that still owns objects is refused without a successor with 422
 *   `{"code":"unprocessable","message":"Role is still referenced and cannot be dropped."}` (reported in sst PR #6932 and
 *   alchemy PR #1190); the successor may be a role id or a username with or without the branch suffix (OpenAPI
 *   delete_role), sent as a query parameter (OpenAPI) or in a JSON body (planetscale-go postgres_roles.go, commit
 *   18057f9): both are read;
 * - renew takes no body and sets the expiry to now plus the role's TTL (planetscale-go commit c90732c); whether an
 *   expired role can be renewed is not documented: refused, as for passwords (docs/api-fidelity.md);
 * - lists page (25 by default), search names and usernames with `q`, and filter with `status` (active, expired,
 *   renewable, disabled); the default role is listed too;
 * - the default role (`postgres`) cannot be deleted; `GET /roles/default` answers 404 on a branch without one.
 */

function scope({ params, store }: RouteContext): BranchRecord {
  const db = store.database(params.organization, params.database);
  const branch = store.branch(db.organization, db.name, params.branch);
  // PlanetScale's CLI shows the role routes only for Postgres databases; on a MySQL/Vitess database there are none.
  if (db.kind !== 'postgresql') throw HttpError.notFound();
  return branch;
}

function rolesOf(context: RouteContext, branch: BranchRecord): RoleRecord[] {
  const { organization, database, name } = branch;
  return context.store.state.roles.filter((r) => r.organization === organization && r.database === database && r.branch === name);
}

/** A role by id; a username is not an id (planetscale/cli commit 97b128d4: looking a role up by username is a 404). */
function find(context: RouteContext): { role: RoleRecord; branch: BranchRecord } {
  const branch = scope(context);
  const role = rolesOf(context, branch).find((r) => r.id === context.params.id);
  if (!role) throw HttpError.notFound();
  return { role, branch };
}

/** The branch's default role; 404 on a branch without one. */
function findDefault(context: RouteContext): { role: RoleRecord; branch: BranchRecord } {
  const branch = scope(context);
  const role = rolesOf(context, branch).find((r) => r.isDefault);
  if (!role) throw HttpError.notFound();
  return { role, branch };
}

/** The role a successor names: its id, or its username with or without the branch id suffix. */
function successorOf(context: RouteContext, branch: BranchRecord, name: string, leaving: RoleRecord): RoleRecord {
  const base = name.endsWith(`.${branch.id}`) ? name.slice(0, -(branch.id.length + 1)) : name;
  const found = rolesOf(context, branch).find((r) => r.id === name || r.username === base);
  if (!found) throw HttpError.unprocessable(`successor role ${name} does not exist on branch ${branch.name}`);
  if (found === leaving) throw HttpError.unprocessable('a role cannot be its own successor');
  return found;
}

/** A new password for the role, answered once, like create (OpenAPI reset_role, reset_default_role). */
function resetSecret(context: RouteContext, role: RoleRecord, branch: BranchRecord) {
  const secret = newPasswordSecret();
  const now = context.clock.now();
  role.secretHash = hashSecret(secret);
  role.updatedAt = now.toISOString();
  context.accounts?.remember(role.id, secret);
  return { status: 200, body: roleJson(role, branch, now, context.hosts, secret) };
}

function matchesStatus(role: RoleRecord, status: string, now: Date): boolean {
  const expired = hasExpired(role.expiresAt, now);
  switch (status) {
    case 'expired':
      return expired;
    case 'active':
      return !expired;
    case 'renewable':
      return role.ttlSeconds !== null && !expired;
    case 'disabled':
      return false;
    default:
      throw HttpError.unprocessable('status must be one of active, expired, renewable, disabled');
  }
}

export const roleRoutes: Route[] = [
  {
    endpoint: ENDPOINTS.list_roles,
    mutates: false,
    handle: (context) => {
      const branch = scope(context);
      const now = context.clock.now();
      const q = context.url.searchParams.get('q')?.toLowerCase();
      const status = context.url.searchParams.get('status');
      const items = rolesOf(context, branch)
        .filter((r) => !q || r.name.toLowerCase().includes(q) || `${r.username}.${branch.id}`.includes(q))
        .filter((r) => !status || matchesStatus(r, status, now))
        .map((r) => roleJson(r, branch, now, context.hosts));
      return pageAnswer(items, context.url);
    },
  },
  {
    endpoint: ENDPOINTS.create_role,
    mutates: true,
    handle: (context) => {
      const branch = scope(context);
      const request = bodies.createRole(context.body);
      const inherited = request.inherited_roles ?? [];
      if (request.with_replication && !inherited.includes('postgres')) {
        throw HttpError.unprocessable('with_replication needs the postgres inherited role');
      }
      const now = context.clock.now();
      const ttl = requestedTtl(request.ttl);
      const secret = newPasswordSecret();
      const id = newId();
      const role: RoleRecord = {
        id,
        organization: branch.organization,
        database: branch.database,
        branch: branch.name,
        // The name is optional: without one the API makes one up.
        name: request.name ?? `role-${id}`,
        username: newRoleUsername(),
        inheritedRoles: [...inherited],
        withReplication: request.with_replication ?? false,
        ttlSeconds: ttl,
        expiresAt: expiryAfter(now, ttl),
        createdAt: now.toISOString(),
        updatedAt: now.toISOString(),
        secretHash: hashSecret(secret),
        isDefault: false,
        ownedObjects: [],
        actor: context.caller.actor,
      };
      context.store.state.roles.push(role);
      context.accounts?.remember(role.id, secret);
      return { status: 200, body: roleJson(role, branch, now, context.hosts, secret) };
    },
  },
  {
    endpoint: ENDPOINTS.get_default_role,
    mutates: false,
    handle: (context) => {
      const { role, branch } = findDefault(context);
      return { status: 200, body: roleJson(role, branch, context.clock.now(), context.hosts) };
    },
  },
  {
    endpoint: ENDPOINTS.reset_default_role,
    mutates: true,
    handle: (context) => {
      const { role, branch } = findDefault(context);
      return resetSecret(context, role, branch);
    },
  },
  {
    endpoint: ENDPOINTS.get_role,
    mutates: false,
    handle: (context) => {
      const { role, branch } = find(context);
      return { status: 200, body: roleJson(role, branch, context.clock.now(), context.hosts) };
    },
  },
  {
    endpoint: ENDPOINTS.update_role,
    mutates: true,
    handle: (context) => {
      const { role, branch } = find(context);
      const request = bodies.updateRole(context.body);
      if (request.name !== undefined) role.name = request.name;
      role.updatedAt = context.clock.now().toISOString();
      return { status: 200, body: roleJson(role, branch, context.clock.now(), context.hosts) };
    },
  },
  {
    endpoint: ENDPOINTS.delete_role,
    mutates: true,
    handle: async (context) => {
      const { role, branch } = find(context);
      const fromBody = bodies.deleteRole(context.body).successor;
      const requested = context.url.searchParams.get('successor') || fromBody || null;
      if (role.isDefault) throw HttpError.unprocessable('the default role cannot be deleted');
      const successor = requested === null ? undefined : successorOf(context, branch, requested, role);
      // With real servers (--databases), what the role owns is asked of PostgreSQL itself.
      const owns = role.ownedObjects.length > 0 || (await context.accounts?.roleOwnsObjects(role.id)) === true;
      if (owns && !successor) throw HttpError.unprocessable('Role is still referenced and cannot be dropped.');
      const reassigned = role.ownedObjects.splice(0);
      successor?.ownedObjects.push(...reassigned);
      const roles = context.store.state.roles;
      roles.splice(roles.indexOf(role), 1);
      context.store.state.roleDeletions.push({
        id: role.id,
        organization: role.organization,
        database: role.database,
        branch: role.branch,
        name: role.name,
        username: role.username,
        successor: requested,
        successorId: successor?.id ?? null,
        reassigned,
        deletedAt: context.clock.now().toISOString(),
      });
      return { status: 204 };
    },
  },
  {
    endpoint: ENDPOINTS.reassign_role_objects,
    mutates: true,
    handle: async (context) => {
      const { role, branch } = find(context);
      const successor = successorOf(context, branch, bodies.reassignRole(context.body).successor, role);
      // The server first: if it fails, the API has changed nothing either.
      await context.accounts?.reassign(role.id, successor.id);
      successor.ownedObjects.push(...role.ownedObjects.splice(0));
      return { status: 204 };
    },
  },
  {
    endpoint: ENDPOINTS.renew_role,
    mutates: true,
    handle: (context) => {
      const { role, branch } = find(context);
      const now = context.clock.now();
      renew(role, now, 'role');
      role.updatedAt = now.toISOString();
      return { status: 200, body: roleJson(role, branch, now, context.hosts) };
    },
  },
  {
    endpoint: ENDPOINTS.reset_role,
    mutates: true,
    handle: (context) => {
      const { role, branch } = find(context);
      return resetSecret(context, role, branch);
    },
  },
];
