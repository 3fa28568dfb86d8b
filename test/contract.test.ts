import { ALL_ENDPOINTS, allAccesses, isBranchRequirement, type Endpoint, type Requirement } from '../src/api/endpoints';
import { ROUTES, startEmulator, type RunningEmulator } from '../src/emulator';
import accessListSchema from './schemas/service-token-access-list.json';
import grantListSchema from './schemas/service-token-grant-list.json';
import { checkAgainstSchema, checkAgainstSpec, loadSpec, specAccesses, specOperation, specScopes } from './support/openapi';
import { INHERITED_ROLES } from '../src/model/postgres-roles';

/**
 * Contract: every emulated route is called for real over loopback, and its status and body are validated against the
 * schema of PlanetScale's OpenAPI description, or (for the grant routes the description lacks) against our schemas
 * written from PlanetScale's Go SDK (test/schemas, sources cited there). The endpoint table the client and the
 * emulator share is checked against the description: operation ids, methods, paths, accesses and OAuth scopes.
 */

let emulator: RunningEmulator;
const ids: Record<string, string> = {};

async function call(method: string, path: string, body?: unknown, auth = `${emulator.token.id}:${emulator.token.token}`) {
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers: { 'authorization': auth, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

interface Case {
  readonly name: string;
  readonly method: string;
  /** Path template as the spec writes it. */
  readonly specPath: string;
  readonly path: () => string;
  readonly body?: unknown;
  readonly status: number;
  /** For routes the spec lacks: the schema of the answer. */
  readonly schema?: object;
  readonly auth?: () => string;
  readonly after?: (body: any) => void;
}

const org = '/organizations/acme';
const passwords = `${org}/databases/shop/branches/main/passwords`;
const P = '/organizations/{organization}/databases/{database}/branches/{branch}/passwords';
const C = '/organizations/{organization}/databases/{database}/cidrs';
const T = '/organizations/{organization}/service-tokens';
const R = '/organizations/{organization}/databases/{database}/branches/{branch}/roles';
const roles = `${org}/databases/analytics/branches/dev/roles`;
const limited = () => `${ids.limited}:${ids.limitedSecret}`;

const cases: Case[] = [
  { name: 'get organization', method: 'GET', specPath: '/organizations/{organization}', path: () => org, status: 200 },
  { name: 'list databases', method: 'GET', specPath: '/organizations/{organization}/databases', path: () => `${org}/databases`, status: 200 },
  { name: 'get database', method: 'GET', specPath: '/organizations/{organization}/databases/{database}', path: () => `${org}/databases/shop`, status: 200 },
  { name: 'get postgres database', method: 'GET', specPath: '/organizations/{organization}/databases/{database}', path: () => `${org}/databases/analytics`, status: 200 },
  { name: 'list branches', method: 'GET', specPath: '/organizations/{organization}/databases/{database}/branches', path: () => `${org}/databases/shop/branches`, status: 200 },
  { name: 'get branch', method: 'GET', specPath: '/organizations/{organization}/databases/{database}/branches/{branch}', path: () => `${org}/databases/shop/branches/main`, status: 200 },
  {
    name: 'create password',
    method: 'POST',
    specPath: P,
    path: () => passwords,
    body: { name: 'contract', role: 'reader', ttl: 3600, cidrs: ['203.0.113.0/24'], replica: false, direct_vtgate: true },
    status: 201,
    after: (body) => (ids.password = body.id),
  },
  { name: 'list passwords', method: 'GET', specPath: P, path: () => `${passwords}?q=contract`, status: 200 },
  { name: 'get password', method: 'GET', specPath: `${P}/{id}`, path: () => `${passwords}/${ids.password}`, status: 200 },
  { name: 'update password', method: 'PATCH', specPath: `${P}/{id}`, path: () => `${passwords}/${ids.password}`, body: { name: 'renamed', cidrs: [] }, status: 200 },
  { name: 'renew password', method: 'POST', specPath: `${P}/{id}/renew`, path: () => `${passwords}/${ids.password}/renew`, status: 200 },
  { name: 'delete password', method: 'DELETE', specPath: `${P}/{id}`, path: () => `${passwords}/${ids.password}`, status: 204 },
  { name: 'get deleted password', method: 'GET', specPath: `${P}/{id}`, path: () => `${passwords}/${ids.password}`, status: 404 },
  { name: 'password on unknown branch', method: 'GET', specPath: P, path: () => `${org}/databases/shop/branches/nope/passwords`, status: 404 },
  { name: 'invalid role', method: 'POST', specPath: P, path: () => passwords, body: { role: 'owner' }, status: 422 },
  { name: 'unauthenticated', method: 'GET', specPath: P, path: () => passwords, status: 401, auth: () => 'nobody:pscale_tkn_wrong' },
  {
    name: 'create service token',
    method: 'POST',
    specPath: T,
    path: () => `${org}/service-tokens`,
    body: { name: 'contract', ttl: 600 },
    status: 200,
    after: (body) => (ids.token = body.id),
  },
  { name: 'list service tokens', method: 'GET', specPath: T, path: () => `${org}/service-tokens`, status: 200 },
  {
    name: 'add database access',
    method: 'POST',
    specPath: `${T}/{id}/access`,
    path: () => `${org}/service-tokens/${ids.token}/access`,
    body: { database: 'shop', access: ['read_branch', 'connect_branch'] },
    status: 200,
    schema: accessListSchema,
  },
  {
    name: 'add organization access (database "")',
    method: 'POST',
    specPath: `${T}/{id}/access`,
    path: () => `${org}/service-tokens/${ids.token}/access`,
    body: { database: '', access: ['read_databases'] },
    status: 200,
    schema: accessListSchema,
  },
  { name: 'get accesses', method: 'GET', specPath: `${T}/{id}/access`, path: () => `${org}/service-tokens/${ids.token}/access`, status: 200, schema: accessListSchema },
  { name: 'get grants', method: 'GET', specPath: `${T}/{id}/grants`, path: () => `${org}/service-tokens/${ids.token}/grants`, status: 200, schema: grantListSchema },
  {
    name: 'delete access',
    method: 'DELETE',
    specPath: `${T}/{id}/access`,
    path: () => `${org}/service-tokens/${ids.token}/access`,
    body: { database: 'shop', access: ['connect_branch'] },
    status: 204,
  },
  { name: 'get service token', method: 'GET', specPath: `${T}/{id}`, path: () => `${org}/service-tokens/${ids.token}`, status: 200 },
  { name: 'missing access is a 404, not a 403', method: 'GET', specPath: `${T}/{id}`, path: () => `${org}/service-tokens/${ids.token}`, status: 404, auth: limited },
  { name: 'a database the token cannot see is a 404', method: 'GET', specPath: '/organizations/{organization}/databases/{database}', path: () => `${org}/databases/inventory`, status: 404, auth: limited },
  { name: 'delete service token', method: 'DELETE', specPath: `${T}/{id}`, path: () => `${org}/service-tokens/${ids.token}`, status: 204 },
  {
    name: 'create IP rule',
    method: 'POST',
    specPath: C,
    path: () => `${org}/databases/analytics/cidrs`,
    body: { cidrs: ['10.0.0.0/8'], schema: 'public', role: 'bi', description: 'contract' },
    status: 201,
    after: (body) => (ids.rule = body.id),
  },
  { name: 'list IP rules', method: 'GET', specPath: C, path: () => `${org}/databases/analytics/cidrs`, status: 200 },
  { name: 'get IP rule', method: 'GET', specPath: `${C}/{id}`, path: () => `${org}/databases/analytics/cidrs/${ids.rule}`, status: 200 },
  { name: 'update IP rule', method: 'PATCH', specPath: `${C}/{id}`, path: () => `${org}/databases/analytics/cidrs/${ids.rule}`, body: { description: '' }, status: 200 },
  { name: 'IPv6 rule refused', method: 'POST', specPath: C, path: () => `${org}/databases/analytics/cidrs`, body: { cidrs: ['2001:db8::/48'] }, status: 422 },
  { name: 'delete IP rule', method: 'DELETE', specPath: `${C}/{id}`, path: () => `${org}/databases/analytics/cidrs/${ids.rule}`, status: 204 },
  {
    name: 'create role',
    method: 'POST',
    specPath: R,
    path: () => roles,
    body: { name: 'contract', ttl: 3600, inherited_roles: ['pg_read_all_data'] },
    status: 200,
    after: (body) => {
      ids.role = body.id;
      ids.roleUsername = body.username;
    },
  },
  { name: 'create successor role', method: 'POST', specPath: R, path: () => roles, body: { name: 'successor' }, status: 200, after: (body) => (ids.successor = body.id) },
  { name: 'list roles', method: 'GET', specPath: R, path: () => `${roles}?q=contract`, status: 200 },
  { name: 'list expired roles', method: 'GET', specPath: R, path: () => `${roles}?status=expired`, status: 200 },
  { name: 'get role', method: 'GET', specPath: `${R}/{id}`, path: () => `${roles}/${ids.role}`, status: 200 },
  { name: 'a username is not a role id', method: 'GET', specPath: `${R}/{id}`, path: () => `${roles}/${ids.roleUsername}`, status: 404 },
  { name: 'get default role', method: 'GET', specPath: `${R}/default`, path: () => `${roles}/default`, status: 200 },
  { name: 'reset default role', method: 'POST', specPath: `${R}/reset-default`, path: () => `${roles}/reset-default`, status: 200 },
  { name: 'update role', method: 'PATCH', specPath: `${R}/{id}`, path: () => `${roles}/${ids.role}`, body: { name: 'renamed' }, status: 200 },
  { name: 'renew role', method: 'POST', specPath: `${R}/{id}/renew`, path: () => `${roles}/${ids.role}/renew`, status: 200 },
  { name: 'reset role', method: 'POST', specPath: `${R}/{id}/reset`, path: () => `${roles}/${ids.role}/reset`, status: 200 },
  {
    name: 'reassign role objects',
    method: 'POST',
    specPath: `${R}/{id}/reassign`,
    path: () => `${roles}/${ids.role}/reassign`,
    body: { successor: 'postgres' },
    status: 204,
  },
  { name: 'delete role (successor as query)', method: 'DELETE', specPath: `${R}/{id}`, path: () => `${roles}/${ids.role}?successor=${ids.successor}`, status: 204 },
  { name: 'delete role (successor in body)', method: 'DELETE', specPath: `${R}/{id}`, path: () => `${roles}/${ids.successor}`, body: { successor: 'postgres' }, status: 204 },
  { name: 'roles of a MySQL database', method: 'GET', specPath: R, path: () => `${org}/databases/shop/branches/main/roles`, status: 404 },
];

beforeAll(async () => {
  emulator = await startEmulator();
  // A token that may only read branches of `shop`: what the 404 cases call with.
  const made = await call('POST', `${org}/service-tokens`, { name: 'contract-limited' });
  ids.limited = made.body.id;
  ids.limitedSecret = made.body.token;
  await call('POST', `${org}/service-tokens/${ids.limited}/access`, { database: 'shop', access: ['read_branch'] });
});
afterAll(async () => {
  await emulator.stop();
});

describe('emulator matches the PlanetScale OpenAPI description (and the SDK for the grant routes)', () => {
  test.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const { status, body } = await call(c.method, c.path(), c.body, c.auth?.());
    expect(status).toBe(c.status);
    if (c.schema) {
      expect(checkAgainstSchema(c.schema, body)).toEqual([]);
    } else if (!specOperation(c.specPath, c.method)) {
      // A grant route answering without a body (DeleteAccess reads none: planetscale-go `do(ctx, req, nil)`).
      expect([status, body]).toEqual([204, undefined]);
    } else {
      expect(checkAgainstSpec(c.specPath, c.method, status, body)).toEqual([]);
    }
    if (status >= 400) expect(body).toEqual({ code: expect.any(String), message: expect.any(String) });
    if (status === 404) expect(body).toEqual({ code: 'not_found', message: 'Not Found' });
    c.after?.(body);
  });
});

describe('the endpoint table shared by client and emulator', () => {
  const documented = ALL_ENDPOINTS.filter((e) => e.source === 'openapi');

  test('every endpoint the emulator serves has a contract case that calls it for real', () => {
    const covered = new Set(cases.filter((c) => c.status < 300).map((c) => `${c.method} ${c.specPath}`));
    expect(ROUTES.map((r) => r.endpoint).filter((e) => !covered.has(`${e.method} ${e.path}`)).map((e) => e.operation)).toEqual([]);
    expect(ROUTES.map((r) => r.endpoint.operation).sort()).toEqual(ALL_ENDPOINTS.map((e) => e.operation).sort());
  });

  test.each(documented.map((e) => [e.operation, e] as const))('%s: operation, accesses and OAuth scopes are the spec\'s', (_name, endpoint) => {
    const operation = specOperation(endpoint.path, endpoint.method);
    expect(operation?.operationId).toBe(endpoint.operation);
    if (endpoint.operation !== 'list_databases') {
      expect(allAccesses(endpoint).sort()).toEqual(specAccesses(endpoint.path, endpoint.method).sort());
    }
    expect(scopesOf(endpoint)).toEqual(specScopes(endpoint.path, endpoint.method));
  });

  test('only the grant routes are missing from the spec, and their source is cited', () => {
    const others = ALL_ENDPOINTS.filter((e) => e.source !== 'openapi');
    expect(others.map((e) => e.operation).sort()).toEqual(['add_service_token_accesses', 'delete_service_token_accesses', 'get_service_token_accesses', 'get_service_token_grants']);
    for (const endpoint of others) {
      expect(specOperation(endpoint.path, endpoint.method)).toBeUndefined();
      expect(endpoint.source).toMatch(/planetscale-go/);
    }
  });
});

/** The union of an endpoint's OAuth scopes per level, as the spec's table would list them. */
function scopesOf(endpoint: Endpoint): Record<string, string[]> | undefined {
  const { requires } = endpoint;
  const parts: Requirement[] = isBranchRequirement(requires) ? [requires.production, requires.development, requires.readOnlyRegion] : [requires];
  if (parts.every((p) => p.oauth === 'undocumented')) return undefined;
  const table: Record<string, Set<string>> = {};
  for (const part of parts) {
    if (part.oauth === 'undocumented') continue;
    for (const [level, scopes] of Object.entries(part.oauth)) for (const scope of scopes as string[]) (table[level] ??= new Set()).add(scope);
  }
  return Object.fromEntries(Object.entries(table).map(([level, set]) => [level, [...set].sort()]));
}

describe('Postgres inherited roles', () => {
  test('the names synth accepts are exactly the enum of the create-role request in the OpenAPI file', () => {
    const create = loadSpec().paths[R].post as unknown as {
      requestBody: { content: { 'application/json': { schema: { properties: { inherited_roles: { items: { enum: string[] } } } } } } };
    };
    const documented = create.requestBody.content['application/json'].schema.properties.inherited_roles.items.enum;
    expect([...INHERITED_ROLES].sort()).toEqual([...documented].sort());
  });
});
