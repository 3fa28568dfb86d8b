import type { EmulatorBehaviour } from './behaviour';
import { expiryAfter, renew, requestedTtl } from './expiry';
import { HttpError } from './http-error';
import { hashSecret, newId, newPasswordSecret, newUsername } from './identifiers';
import type { PasswordRecord } from './model';
import { bodies, checkedCidrs } from './request-bodies';
import { pageAnswer, type Route, type RouteContext } from './route';
import { passwordJson } from './serialize';
import { ENDPOINTS } from '../api/endpoints';
import { aggregateCidrs, cidrFamily, collapseCidrs } from '../model/cidr';

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

/**
 * A password's allow-list as the API stores it: normalized (a bare address becomes /32, as the provider's
 * commit abbc65a notes), overlaps removed (provider commit 36daa29: the API "will return a list with the overlaps
 * removed"), in the order given; IPv6 refused when the behaviour says so.
 */
function passwordCidrs(values: readonly string[], behaviour: EmulatorBehaviour): string[] {
  const cidrs = checkedCidrs(values);
  const ipv6 = cidrs.filter((c) => cidrFamily(c) === 'ipv6');
  if (behaviour.passwordIpv6 === 'refused' && ipv6.length > 0) {
    throw HttpError.unprocessable(`cidrs: IPv6 ranges are not supported (${ipv6.join(', ')})`);
  }
  const kept = new Set(behaviour.passwordCidrMerge === 'aggregate' ? aggregateCidrs(cidrs) : collapseCidrs(cidrs));
  if (behaviour.passwordCidrMerge === 'aggregate') return [...kept];
  return [...new Set(cidrs)].filter((c) => kept.has(c));
}

/** Branch passwords: create (201, plain_text once), list with `q` and pages, get, rename/re-CIDR, renew, delete. */
export const passwordRoutes: Route[] = [
  {
    endpoint: ENDPOINTS.list_passwords,
    mutates: false,
    handle: (context) => {
      const { branch } = scope(context);
      const q = context.url.searchParams.get('q')?.toLowerCase();
      const now = context.clock.now();
      const items = context.store.state.passwords
        .filter((p) => p.organization === branch.organization && p.database === branch.database && p.branch === branch.name)
        .filter((p) => !q || p.name.toLowerCase().includes(q))
        .map((p) => passwordJson(p, branch, now, context.hosts));
      return pageAnswer(items, context.url);
    },
  },
  {
    endpoint: ENDPOINTS.create_password,
    mutates: true,
    handle: (context) => {
      const { db, branch } = scope(context);
      const request = bodies.createPassword(context.body);
      if (db.kind !== 'mysql') {
        throw HttpError.unprocessable(`database ${db.name} is a Postgres database: branch passwords exist for MySQL/Vitess databases only`);
      }
      const cidrs = passwordCidrs(request.cidrs ?? [], context.behaviour);
      const now = context.clock.now();
      const ttl = requestedTtl(request.ttl);
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
        expiresAt: expiryAfter(now, ttl),
        replica: request.replica ?? false,
        directVtgate: request.direct_vtgate ?? false,
        username: newUsername(),
        secretHash: hashSecret(secret),
        actor: context.caller.actor,
      };
      context.store.state.passwords.push(record);
      context.accounts?.remember(record.id, secret);
      return { status: 201, body: passwordJson(record, branch, now, context.hosts, secret) };
    },
  },
  {
    endpoint: ENDPOINTS.get_password,
    mutates: false,
    handle: (context) => ({ status: 200, body: passwordJson(find(context), scope(context).branch, context.clock.now(), context.hosts) }),
  },
  {
    endpoint: ENDPOINTS.update_password,
    mutates: true,
    handle: (context) => {
      const password = find(context);
      const request = bodies.updatePassword(context.body);
      const cidrs = request.cidrs === undefined ? undefined : passwordCidrs(request.cidrs, context.behaviour);
      if (request.name !== undefined) password.name = request.name;
      if (cidrs !== undefined) password.cidrs = cidrs;
      return { status: 200, body: passwordJson(password, scope(context).branch, context.clock.now(), context.hosts) };
    },
  },
  {
    endpoint: ENDPOINTS.delete_password,
    mutates: true,
    handle: (context) => {
      const password = find(context);
      const list = context.store.state.passwords;
      list.splice(list.indexOf(password), 1);
      return { status: 204 };
    },
  },
  {
    endpoint: ENDPOINTS.renew_password,
    mutates: true,
    handle: (context) => {
      const password = find(context);
      const now = context.clock.now();
      renew(password, now, 'password');
      return { status: 200, body: passwordJson(password, scope(context).branch, now, context.hosts) };
    },
  },
];
