import { HttpError } from './http-error';
import { hashSecret, newId, newPasswordSecret, newUsername } from './identifiers';
import type { PasswordRecord } from './model';
import { bodies, checkedCidrs } from './request-bodies';
import { paging, type Route, type RouteContext } from './route';
import { pageJson, passwordJson } from './serialize';

const READ = ['read_branch', 'delete_branch', 'create_branch', 'connect_production_branch', 'connect_production_read_only_branch', 'connect_branch'];
const WRITE = ['connect_production_branch', 'connect_production_read_only_branch', 'connect_branch'];
const DELETE = ['delete_production_branch_password', 'delete_production_read_only_branch_password', 'delete_branch_password'];
const BASE = '/organizations/:organization/databases/:database/branches/:branch/passwords';

function scope({ params, store }: RouteContext) {
  const db = store.database(params.organization, params.database);
  const branch = store.branch(db.organization, db.name, params.branch);
  return { db, branch };
}

function find(context: RouteContext): PasswordRecord {
  const { branch } = scope(context);
  const password = context.store.state.passwords.find(
    (p) => p.organization === branch.organization && p.database === branch.database && p.branch === branch.name && p.id === context.params.id,
  );
  if (!password) throw HttpError.notFound();
  return password;
}

/** Branch passwords: create (201, plain_text once), list with `q` and pages, get, rename/re-CIDR, renew, delete. */
export const passwordRoutes: Route[] = [
  {
    method: 'GET',
    pattern: BASE,
    operation: 'list_passwords',
    accesses: READ,
    mutates: false,
    handle: (context) => {
      const { branch } = scope(context);
      const q = context.url.searchParams.get('q')?.toLowerCase();
      const now = context.clock.now();
      const items = context.store.state.passwords
        .filter((p) => p.organization === branch.organization && p.database === branch.database && p.branch === branch.name)
        .filter((p) => !q || p.name.toLowerCase().includes(q))
        .map((p) => passwordJson(p, branch, now));
      const { page, perPage } = paging(context.url);
      return { status: 200, body: pageJson(items, page, perPage, context.url) };
    },
  },
  {
    method: 'POST',
    pattern: BASE,
    operation: 'create_password',
    accesses: WRITE,
    mutates: true,
    handle: (context) => {
      const { db, branch } = scope(context);
      const request = bodies.createPassword(context.body);
      if (db.kind !== 'mysql') {
        throw HttpError.unprocessable(`database ${db.name} is a Postgres database: branch passwords exist for MySQL/Vitess databases only`);
      }
      const cidrs = checkedCidrs(request.cidrs ?? []);
      const now = context.clock.now();
      const ttl = request.ttl && request.ttl > 0 ? request.ttl : null;
      const secret = newPasswordSecret();
      const id = newId();
      const record: PasswordRecord = {
        id,
        organization: branch.organization,
        database: branch.database,
        branch: branch.name,
        name: request.name ?? `password-${id}`,
        role: request.role ?? 'admin',
        cidrs,
        createdAt: now.toISOString(),
        ttlSeconds: ttl,
        expiresAt: ttl ? new Date(now.getTime() + ttl * 1000).toISOString() : null,
        replica: request.replica ?? false,
        directVtgate: request.direct_vtgate ?? false,
        username: newUsername(),
        secretHash: hashSecret(secret),
        actor: { id: context.token.id, displayName: context.token.name ?? context.token.id },
      };
      context.store.state.passwords.push(record);
      return { status: 201, body: passwordJson(record, branch, now, secret) };
    },
  },
  {
    method: 'GET',
    pattern: `${BASE}/:id`,
    operation: 'get_password',
    accesses: READ,
    mutates: false,
    handle: (context) => ({ status: 200, body: passwordJson(find(context), scope(context).branch, context.clock.now()) }),
  },
  {
    method: 'PATCH',
    pattern: `${BASE}/:id`,
    operation: 'update_password',
    accesses: WRITE,
    mutates: true,
    handle: (context) => {
      const password = find(context);
      const request = bodies.updatePassword(context.body);
      if (request.name !== undefined) password.name = request.name;
      if (request.cidrs !== undefined) password.cidrs = checkedCidrs(request.cidrs);
      return { status: 200, body: passwordJson(password, scope(context).branch, context.clock.now()) };
    },
  },
  {
    method: 'DELETE',
    pattern: `${BASE}/:id`,
    operation: 'delete_password',
    accesses: DELETE,
    mutates: true,
    handle: (context) => {
      const password = find(context);
      const list = context.store.state.passwords;
      list.splice(list.indexOf(password), 1);
      return { status: 204 };
    },
  },
  {
    method: 'POST',
    pattern: `${BASE}/:id/renew`,
    operation: 'renew_password',
    accesses: WRITE,
    mutates: true,
    handle: (context) => {
      const password = find(context);
      if (password.ttlSeconds === null) throw HttpError.unprocessable('password has no TTL and cannot be renewed');
      const now = context.clock.now();
      password.expiresAt = new Date(now.getTime() + password.ttlSeconds * 1000).toISOString();
      return { status: 200, body: passwordJson(password, scope(context).branch, now) };
    },
  },
];
