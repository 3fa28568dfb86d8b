import { expiryAfter, requestedTtl } from './expiry';
import { HttpError } from './http-error';
import { hashSecret, newId, newTokenSecret } from './identifiers';
import type { AccessRecord, ServiceTokenRecord } from './model';
import { bodies } from './request-bodies';
import { fixedPaging, pageAnswer, type Route, type RouteContext } from './route';
import { accessJson, grantsJson, serviceTokenJson } from './serialize';
import { ENDPOINTS } from '../api/endpoints';
import { ALL_ACCESSES, isOrganizationAccess } from '../model/accesses';

function find(context: RouteContext): ServiceTokenRecord {
  const token = context.store.state.serviceTokens.find(
    (t) => t.organization === context.params.organization && t.id === context.params.id,
  );
  if (!token) throw HttpError.notFound();
  return token;
}

/**
 * The accesses named in an add/delete-access body, checked, with the resource they apply to. An organization-level
 * request has no database, or `"database": ""` as PlanetScale's SDK sends it (AddServiceTokenAccessRequest's
 * `database` has no omitempty).
 */
function requestedAccesses(context: RouteContext) {
  const request = bodies.tokenAccess(context.body);
  const unknown = request.access.filter((a) => !(ALL_ACCESSES as readonly string[]).includes(a));
  if (unknown.length > 0) throw HttpError.unprocessable(`access: unknown access ${unknown.join(', ')}`);
  const org = context.store.organization(context.params.organization);
  if (request.database === undefined || request.database === '') {
    return { names: request.access, database: undefined, resourceType: 'Organization' as const, resourceId: org.id, resourceName: org.name };
  }
  const orgOnly = request.access.filter(isOrganizationAccess);
  if (orgOnly.length > 0) {
    throw HttpError.unprocessable(`access: ${orgOnly.join(', ')} are organization accesses; grant them without a database`);
  }
  const db = context.store.database(org.name, request.database);
  return { names: request.access, database: db.name, resourceType: 'Database' as const, resourceId: db.id, resourceName: db.name };
}

/** Organization service tokens and their access grants. */
export const serviceTokenRoutes: Route[] = [
  {
    endpoint: ENDPOINTS.list_service_tokens,
    mutates: false,
    handle: (context) => {
      const items = context.store.state.serviceTokens
        .filter((t) => t.organization === context.params.organization)
        .map((t) => serviceTokenJson(t));
      return pageAnswer(items, context.url);
    },
  },
  {
    endpoint: ENDPOINTS.create_service_token,
    mutates: true,
    handle: (context) => {
      const request = bodies.createToken(context.body);
      const now = context.clock.now();
      const secret = newTokenSecret();
      const ttl = requestedTtl(request.ttl);
      const record: ServiceTokenRecord = {
        id: newId(),
        organization: context.params.organization,
        name: request.name ?? null,
        secretHash: hashSecret(secret),
        createdAt: now.toISOString(),
        updatedAt: now.toISOString(),
        expiresAt: expiryAfter(now, ttl),
        accesses: [],
      };
      context.store.state.serviceTokens.push(record);
      // The API answers 200 (not 201) here (OpenAPI description; planetscale-go service_tokens_test.go).
      return { status: 200, body: serviceTokenJson(record, secret) };
    },
  },
  {
    endpoint: ENDPOINTS.get_service_token,
    mutates: false,
    handle: (context) => ({ status: 200, body: serviceTokenJson(find(context)) }),
  },
  {
    endpoint: ENDPOINTS.delete_service_token,
    mutates: true,
    handle: (context) => {
      const token = find(context);
      const list = context.store.state.serviceTokens;
      list.splice(list.indexOf(token), 1);
      return { status: 204 };
    },
  },
  {
    endpoint: ENDPOINTS.get_service_token_accesses,
    mutates: false,
    handle: (context) => pageAnswer(find(context).accesses.map(accessJson), context.url, fixedPaging),
  },
  {
    endpoint: ENDPOINTS.add_service_token_accesses,
    mutates: true,
    handle: (context) => {
      const token = find(context);
      const { names, database, ...resource } = requestedAccesses(context);
      // "A credential may only grant accesses it holds itself": refused like every missing access, with a 404.
      if (names.some((access) => !context.caller.holds(access, database))) throw HttpError.notFound();
      const createdAt = context.clock.now().toISOString();
      const result: AccessRecord[] = [];
      for (const access of new Set(names)) {
        let record = token.accesses.find((a) => a.access === access && a.resourceId === resource.resourceId);
        if (!record) {
          record = { id: newId(), access, createdAt, ...resource };
          token.accesses.push(record);
        }
        result.push(record);
      }
      token.updatedAt = createdAt;
      return { status: 200, body: { type: 'list', next_page: null, prev_page: null, data: result.map(accessJson) } };
    },
  },
  {
    endpoint: ENDPOINTS.delete_service_token_accesses,
    mutates: true,
    handle: (context) => {
      const token = find(context);
      const { names, resourceId } = requestedAccesses(context);
      token.accesses = token.accesses.filter((a) => !(a.resourceId === resourceId && names.includes(a.access)));
      token.updatedAt = context.clock.now().toISOString();
      return { status: 204 };
    },
  },
  {
    endpoint: ENDPOINTS.get_service_token_grants,
    mutates: false,
    handle: (context) => pageAnswer(grantsJson(find(context)), context.url, fixedPaging),
  },
];
