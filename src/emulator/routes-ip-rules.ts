import { HttpError } from './http-error';
import { newId } from './identifiers';
import type { IpRuleRecord } from './model';
import { bodies, checkedCidrs } from './request-bodies';
import { pageAnswer, type Route, type RouteContext } from './route';
import { ipRuleJson } from './serialize';
import { ENDPOINTS } from '../api/endpoints';

function postgresDatabase({ params, store }: RouteContext) {
  const db = store.database(params.organization, params.database);
  if (db.kind !== 'postgresql') {
    throw HttpError.unprocessable(`database ${db.name} is a MySQL/Vitess database: IP restrictions for it are set per password`);
  }
  return db;
}

/** A rule's allow-list: IPv4 only, and never empty. */
function ruleCidrs(values: readonly string[]): string[] {
  const cidrs = checkedCidrs(values, true);
  if (cidrs.length === 0) throw HttpError.unprocessable('cidrs must contain at least one valid IPv4 address or range');
  return cidrs;
}

function find(context: RouteContext): IpRuleRecord {
  const db = postgresDatabase(context);
  const rule = context.store.state.ipRules.find((r) => r.organization === db.organization && r.database === db.name && r.id === context.params.id);
  if (!rule) throw HttpError.notFound();
  return rule;
}

/** Postgres database-level IP restriction rules. */
export const ipRuleRoutes: Route[] = [
  {
    endpoint: ENDPOINTS.list_database_postgres_cidrs,
    mutates: false,
    handle: (context) => {
      const db = postgresDatabase(context);
      const items = context.store.state.ipRules.filter((r) => r.organization === db.organization && r.database === db.name).map(ipRuleJson);
      return pageAnswer(items, context.url);
    },
  },
  {
    endpoint: ENDPOINTS.create_database_postgres_cidr,
    mutates: true,
    handle: (context) => {
      const db = postgresDatabase(context);
      const request = bodies.createIpRule(context.body);
      const cidrs = ruleCidrs(request.cidrs ?? []);
      const now = context.clock.now().toISOString();
      const rule: IpRuleRecord = {
        id: newId(),
        organization: db.organization,
        database: db.name,
        schema: request.schema ?? '',
        role: request.role ?? '',
        cidrs,
        description: request.description ? request.description : null,
        createdAt: now,
        updatedAt: now,
        actor: context.caller.actor,
      };
      context.store.state.ipRules.push(rule);
      return { status: 201, body: ipRuleJson(rule) };
    },
  },
  {
    endpoint: ENDPOINTS.get_database_postgres_cidr,
    mutates: false,
    handle: (context) => ({ status: 200, body: ipRuleJson(find(context)) }),
  },
  {
    endpoint: ENDPOINTS.update_database_postgres_cidr,
    mutates: true,
    handle: (context) => {
      const rule = find(context);
      const request = bodies.updateIpRule(context.body);
      if (request.cidrs !== undefined) rule.cidrs = ruleCidrs(request.cidrs);
      if (request.schema !== undefined) rule.schema = request.schema;
      if (request.role !== undefined) rule.role = request.role;
      if (request.description !== undefined) rule.description = request.description === '' ? null : request.description;
      rule.updatedAt = context.clock.now().toISOString();
      return { status: 200, body: ipRuleJson(rule) };
    },
  },
  {
    endpoint: ENDPOINTS.delete_database_postgres_cidr,
    mutates: true,
    handle: (context) => {
      const rule = find(context);
      const list = context.store.state.ipRules;
      list.splice(list.indexOf(rule), 1);
      return { status: 204 };
    },
  },
];
