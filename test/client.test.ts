import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CredentialsError,
  OutcomeUnknownError,
  PlanetScaleApiError,
  PlanetScaleClient,
  credentialsFromEnvironment,
  type PlanetScaleClientOptions,
} from '../src/api';
import { SlidingWindow } from '../src/api/rate-limit';
import { startEmulator, type RunningEmulator } from '../src/emulator';

let emulator: RunningEmulator;
let logLines: string[];
const clients: PlanetScaleClient[] = [];

function client(options: Partial<PlanetScaleClientOptions> = {}): PlanetScaleClient {
  const created = new PlanetScaleClient({
    organization: 'acme',
    baseUrl: emulator.url,
    credentials: emulator.token,
    retry: { baseDelayMs: 5 },
    log: (line) => logLines.push(line),
    ...options,
  });
  clients.push(created);
  return created;
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

beforeAll(async () => {
  emulator = await startEmulator();
});
beforeEach(() => {
  logLines = [];
  emulator.faults.clear();
  emulator.requests.reset();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await emulator.stop();
});

describe('operations', () => {
  test('scope: organization, databases with their kind, branches with their production flag', async () => {
    const api = client();
    expect((await api.getOrganization()).name).toBe('acme');
    expect((await api.getDatabase('shop')).kind).toBe('mysql');
    expect((await api.getDatabase('analytics')).kind).toBe('postgresql');
    expect((await api.listDatabases()).map((d) => d.name).sort()).toEqual(['analytics', 'inventory', 'shop']);
    expect((await api.getBranch('shop', 'main')).production).toBe(true);
    expect((await api.getBranch('shop', 'dev')).production).toBe(false);
    expect((await api.listBranches('shop')).map((b) => b.name).sort()).toEqual(['dev', 'main']);
  });

  test('passwords: create with CIDRs, list with q, get, rename, change CIDRs, renew, delete', async () => {
    const api = client();
    const created = await api.createPassword('shop', 'dev', { name: 'ops-app', role: 'readwriter', ttl: 3600, cidrs: ['203.0.113.0/24'] });
    expect(created.plain_text).toMatch(/^pscale_pw_[A-Za-z0-9]{43}$/);
    expect(created).toMatchObject({ name: 'ops-app', role: 'readwriter', cidrs: ['203.0.113.0/24'], ttl_seconds: 3600, expired: false });
    expect(created.id).toMatch(/^[a-z0-9]{12}$/);

    const found = await api.listPasswords('shop', 'dev', { q: 'ops-app' });
    expect(found.map((p) => p.id)).toEqual([created.id]);
    expect(found[0].plain_text).toBeNull();
    expect((await api.getPassword('shop', 'dev', created.id)).plain_text).toBeNull();

    const renamed = await api.updatePassword('shop', 'dev', created.id, { name: 'ops-app-2' });
    expect(renamed.name).toBe('ops-app-2');
    const recidred = await api.updatePassword('shop', 'dev', created.id, { cidrs: ['198.51.100.7/32', '2001:db8::/48'] });
    expect(recidred.cidrs).toEqual(['198.51.100.7/32', '2001:db8::/48']);

    emulator.clock.advance(1800_000);
    const renewed = await api.renewPassword('shop', 'dev', created.id);
    expect(new Date(renewed.expires_at!).getTime()).toBeGreaterThan(new Date(created.expires_at!).getTime() + 1700_000);

    await api.deletePassword('shop', 'dev', created.id);
    const gone = await failure(api.getPassword('shop', 'dev', created.id));
    expect(gone).toBeInstanceOf(PlanetScaleApiError);
    expect((gone as PlanetScaleApiError).isNotFound).toBe(true);
  });

  test('service tokens: create, list, get, add and remove access, grants, delete', async () => {
    const api = client();
    const token = await api.createServiceToken({ name: 'ci', ttl: 3600 });
    expect(token.token).toMatch(/^pscale_tkn_[A-Za-z0-9]{43}$/);
    expect((await api.listServiceTokens()).map((t) => t.id)).toContain(token.id);
    expect((await api.getServiceToken(token.id)).token ?? null).toBeNull();

    const added = await api.addServiceTokenAccess(token.id, { database: 'shop', access: ['read_branch', 'create_deploy_request'] });
    expect(added.map((a) => a.access).sort()).toEqual(['create_deploy_request', 'read_branch']);
    await api.addServiceTokenAccess(token.id, { access: ['read_databases'] });
    const accesses = await api.getServiceTokenAccesses(token.id);
    expect(accesses.map((a) => `${a.resource.type}:${a.resource.name}:${a.access}`).sort()).toEqual([
      'Database:shop:create_deploy_request',
      'Database:shop:read_branch',
      'Organization:acme:read_databases',
    ]);
    await api.deleteServiceTokenAccess(token.id, { database: 'shop', access: ['create_deploy_request'] });
    const grants = await api.getServiceTokenGrants(token.id);
    expect(grants.map((g) => [g.resource_name, g.accesses.map((a) => a.access)]).sort()).toEqual([
      ['acme', ['read_databases']],
      ['shop', ['read_branch']],
    ]);
    await api.deleteServiceToken(token.id);
    expect(((await failure(api.getServiceToken(token.id))) as PlanetScaleApiError).status).toBe(404);
  });

  test('Postgres IP rules: create, list, get, update, delete', async () => {
    const api = client();
    const rule = await api.createPostgresIpRule('analytics', { cidrs: ['10.0.0.0/8'], schema: 'reporting', role: 'bi', description: 'BI tools' });
    expect(rule).toMatchObject({ cidrs: ['10.0.0.0/8'], schema: 'reporting', role: 'bi', description: 'BI tools' });
    expect((await api.listPostgresIpRules('analytics')).map((r) => r.id)).toContain(rule.id);
    expect((await api.getPostgresIpRule('analytics', rule.id)).role).toBe('bi');
    const updated = await api.updatePostgresIpRule('analytics', rule.id, { cidrs: ['10.1.0.0/16'], description: '' });
    expect(updated).toMatchObject({ cidrs: ['10.1.0.0/16'], description: null });
    await api.deletePostgresIpRule('analytics', rule.id);
    expect(await api.listPostgresIpRules('analytics')).toEqual([]);
  });
});

describe('service-token grants', () => {
  test('grants are read from /grants, page after page (more than 25 resources), and organization grants are sent as "database": ""', async () => {
    const seed = {
      organizations: [{ name: 'acme', databases: [...Array(30).keys()].map((i) => ({ name: `db${i}`, kind: 'mysql' as const, branches: [{ name: 'main', production: true }] })) }],
    };
    const many = await startEmulator({ seed });
    const api = new PlanetScaleClient({ organization: 'acme', baseUrl: many.url, credentials: many.token, pageSize: 10 });
    clients.push(api);
    try {
      const token = await api.createServiceToken({ name: 'wide' });
      for (let i = 0; i < 30; i++) await api.addServiceTokenAccess(token.id, { database: `db${i}`, access: ['read_branch'] });
      await api.addServiceTokenAccess(token.id, { access: ['read_databases'] });
      many.requests.reset();
      const grants = await api.getServiceTokenGrants(token.id);
      expect(grants).toHaveLength(31);
      // The grant lists page at 25 whatever per_page asks (10 here): two pages.
      expect(many.requests.count('get_service_token_grants')).toBe(2);
      expect(grants.find((g) => g.resource_type === 'Organization')?.accesses.map((a) => a.access)).toEqual(['read_databases']);
      const accesses = await api.getServiceTokenAccesses(token.id);
      expect(accesses).toHaveLength(31);
      expect(accesses.find((a) => a.resource.type === 'Organization')?.access).toBe('read_databases');
    } finally {
      await many.stop();
    }
  });

  test('organization grants go over the wire as "database": "", database grants with their name', async () => {
    const bodies: unknown[] = [];
    const capture = createServer((req, res) => {
      let text = '';
      req.on('data', (c) => (text += c));
      req.on('end', () => {
        bodies.push(JSON.parse(text));
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: [] }));
      });
    });
    await new Promise<void>((resolve) => capture.listen(0, '127.0.0.1', resolve));
    try {
      const api = client({ baseUrl: `http://127.0.0.1:${(capture.address() as AddressInfo).port}/v1` });
      await api.addServiceTokenAccess('t1', { access: ['read_databases'] });
      await api.addServiceTokenAccess('t1', { database: 'shop', access: ['read_branch'] });
      expect(bodies).toEqual([{ database: '', access: ['read_databases'] }, { database: 'shop', access: ['read_branch'] }]);
    } finally {
      await new Promise((resolve) => capture.close(resolve));
    }
  });

  test('an access list in the older flat shape is read as well', async () => {
    const flat = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({ data: [{ id: 'a1', access: 'read_branch', resource_id: 'd1', resource_name: 'shop', resource_type: 'Database' }] }),
      );
    });
    await new Promise<void>((resolve) => flat.listen(0, '127.0.0.1', resolve));
    try {
      const api = client({ baseUrl: `http://127.0.0.1:${(flat.address() as AddressInfo).port}/v1` });
      expect(await api.getServiceTokenAccesses('t1')).toEqual([{ id: 'a1', access: 'read_branch', resource: { id: 'd1', name: 'shop', type: 'Database' } }]);
    } finally {
      await new Promise((resolve) => flat.close(resolve));
    }
  });
});

describe('pagination', () => {
  test('list walks every page (more than 3)', async () => {
    const api = client({ pageSize: 2 });
    for (let i = 0; i < 9; i++) await api.createPassword('inventory', 'dev', { name: `paged-${i}` });
    emulator.requests.reset();
    const all = await api.listPasswords('inventory', 'dev', { q: 'paged-' });
    expect(all.map((p) => p.name).sort()).toEqual([...Array(9).keys()].map((i) => `paged-${i}`).sort());
    expect(emulator.requests.count('list_passwords')).toBe(5);
  });
});

describe('retries', () => {
  test('429 with Retry-After in seconds is waited out, then the call succeeds', async () => {
    emulator.faults.add({ kind: 'status', status: 429, retryAfter: '1' });
    const started = Date.now();
    await client().getDatabase('shop');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(emulator.requests.count('get_database')).toBe(2);
    expect(logLines).toEqual([expect.stringContaining('get database (organization acme, database shop): HTTP 429, retrying in 1.0s')]);
  });

  test('429 with Retry-After as an HTTP date is honoured', async () => {
    emulator.faults.add({ kind: 'status', status: 429, retryAfter: new Date(Date.now() + 2000).toUTCString() });
    const started = Date.now();
    await client().getOrganization();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  test('a create that got 429 is retried (the server did not process it) and makes exactly one object', async () => {
    emulator.faults.add({ kind: 'status', status: 429, count: 2, method: 'POST' });
    const created = await client().createPassword('inventory', 'main', { name: 'after-429' });
    expect(emulator.requests.count('create_password')).toBe(3);
    expect((await client().listPasswords('inventory', 'main', { q: 'after-429' })).map((p) => p.id)).toEqual([created.id]);
  });

  test('502/503/504 are retried with backoff for reads', async () => {
    emulator.faults.add({ kind: 'status', status: 503, body: 'html' });
    emulator.faults.add({ kind: 'status', status: 502 });
    emulator.faults.add({ kind: 'status', status: 504, body: 'errors' });
    expect((await client().getBranch('shop', 'main')).name).toBe('main');
    expect(emulator.requests.count('get_branch')).toBe(4);
  });

  test('a 503 on create is not retried: the server may have acted', async () => {
    emulator.faults.add({ kind: 'status', status: 503, method: 'POST', body: 'html' });
    const error = await failure(client().createPassword('inventory', 'main', { name: 'no-retry' }));
    expect(error).toBeInstanceOf(PlanetScaleApiError);
    expect(error.message).toBe('create password (organization acme, database inventory, branch main) failed with HTTP 503: 503 Service Unavailable upstream connect error');
    expect(emulator.requests.count('create_password')).toBe(1);
  });

  test('retries stop within the total time budget', async () => {
    emulator.faults.add({ kind: 'status', status: 503, count: 100 });
    const started = Date.now();
    const error = await failure(client({ retry: { baseDelayMs: 50, totalTimeMs: 400 } }).getOrganization());
    expect((error as PlanetScaleApiError).status).toBe(503);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(emulator.requests.count('get_organization')).toBeGreaterThan(1);
  });

  test('a create whose response was lost is not retried and reports an unknown outcome; exactly one object exists', async () => {
    emulator.faults.add({ kind: 'drop-after-change', method: 'POST' });
    const error = await failure(client().createPassword('inventory', 'main', { name: 'lost-response' }));
    expect(error).toBeInstanceOf(OutcomeUnknownError);
    expect(error.message).toMatch(/^create password \(organization acme, database inventory, branch main\): outcome unknown/);
    expect(emulator.requests.count('create_password')).toBe(1);
    expect(await client().listPasswords('inventory', 'main', { q: 'lost-response' })).toHaveLength(1);
  });

  test('a delete whose response was lost is retried; the retry finds the object gone', async () => {
    const api = client();
    const password = await api.createPassword('inventory', 'main', { name: 'lost-delete' });
    emulator.faults.add({ kind: 'drop-after-change', method: 'DELETE' });
    const error = await failure(api.deletePassword('inventory', 'main', password.id));
    expect((error as PlanetScaleApiError).isNotFound).toBe(true);
    expect(emulator.requests.count('delete_password')).toBe(2);
  });

  test('a connection that cannot be opened is a clear error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await failure(client({ baseUrl: `http://127.0.0.1:${port}/v1`, retry: { maxRetries: 1, baseDelayMs: 1 } }).getOrganization());
    expect(error.message).toBe('get organization (organization acme): could not reach the PlanetScale API (ECONNREFUSED)');
  });
});

describe('rate limit', () => {
  /** An emulator playing a limit of 5 requests per 400 ms (PlanetScale's 600 per minute, scaled down). */
  async function limitedEmulator(): Promise<RunningEmulator> {
    return startEmulator({ rateLimit: { limit: 5, windowMs: 400 } });
  }

  test('a client whose window matches the limit sends more than the limit without a single 429', async () => {
    const limitedApi = await limitedEmulator();
    try {
      const limitedClient = client({ baseUrl: limitedApi.url, credentials: limitedApi.token, rateLimit: new SlidingWindow(5, 400) });
      const answers = await Promise.all([...Array(17).keys()].map(() => limitedClient.getDatabase('shop')));
      expect(answers.map((d) => d.name)).toEqual(Array(17).fill('shop'));
      expect(limitedApi.requests.total).toBe(17);
      expect(limitedApi.rateLimited).toBe(0);
    } finally {
      await limitedApi.stop();
    }
  });

  test('without the window the same burst is refused with 429s, which are waited out', async () => {
    const limitedApi = await limitedEmulator();
    try {
      const unlimited = client({ baseUrl: limitedApi.url, credentials: limitedApi.token, rateLimit: false });
      const answers = await Promise.all([...Array(17).keys()].map(() => unlimited.getDatabase('shop')));
      expect(answers).toHaveLength(17);
      expect(limitedApi.rateLimited).toBeGreaterThan(0);
      expect(logLines.some((line) => line.includes('HTTP 429, retrying'))).toBe(true);
    } finally {
      await limitedApi.stop();
    }
  });
});

describe('sliding window', () => {
  test('never more than the limit within any window; the next slot opens when the oldest request leaves it', () => {
    let now = 1_000;
    const window = new SlidingWindow(3, 100, () => now);
    expect([window.tryTake(), window.tryTake()]).toEqual([{ ok: true }, { ok: true }]);
    now = 1_050;
    expect(window.tryTake()).toEqual({ ok: true });
    expect(window.tryTake()).toEqual({ ok: false, waitMs: 50 });
    now = 1_100;
    // The first two left the window at 1100 (sent at 1000): two slots, not a fresh burst of three.
    expect([window.tryTake(), window.tryTake(), window.tryTake()]).toEqual([{ ok: true }, { ok: true }, { ok: false, waitMs: 50 }]);
  });

  test('take() holds a slot from the send until a window after its answer', async () => {
    let now = 0;
    const window = new SlidingWindow(2, 100, () => now);
    const first = await window.take();
    await window.take();
    // Both awaiting answers: a third must wait, however much time passes.
    now = 1_000;
    expect(window.tryTake()).toEqual({ ok: false, waitMs: 10 });
    first();
    expect(window.tryTake()).toEqual({ ok: false, waitMs: 100 });
    now = 1_100;
    expect(window.tryTake()).toEqual({ ok: true });
  });
});

describe('errors', () => {
  test('missing credentials name every variable', () => {
    expect(() => credentialsFromEnvironment({})).toThrow(CredentialsError);
    expect(() => credentialsFromEnvironment({ PLANETSCALE_SERVICE_TOKEN_ID: 'abc' })).toThrow(
      'PlanetScale credentials missing: set PLANETSCALE_SERVICE_TOKEN_ID and PLANETSCALE_SERVICE_TOKEN, or PLANETSCALE_ACCESS_TOKEN (not set or empty: PLANETSCALE_SERVICE_TOKEN)',
    );
  });

  test('the official provider\'s variables work too: PLANETSCALE_SERVICE_TOKEN_NAME, PLANETSCALE_ACCESS_TOKEN; both kinds at once is ambiguous', () => {
    expect(credentialsFromEnvironment({ PLANETSCALE_SERVICE_TOKEN_NAME: 'abc', PLANETSCALE_SERVICE_TOKEN: 'pscale_tkn_x' })).toEqual({ id: 'abc', token: 'pscale_tkn_x' });
    expect(credentialsFromEnvironment({ PLANETSCALE_SERVICE_TOKEN_ID: 'abc', PLANETSCALE_SERVICE_TOKEN_NAME: 'abc', PLANETSCALE_SERVICE_TOKEN: 'pscale_tkn_x' })).toEqual({ id: 'abc', token: 'pscale_tkn_x' });
    expect(() => credentialsFromEnvironment({ PLANETSCALE_SERVICE_TOKEN_ID: 'abc', PLANETSCALE_SERVICE_TOKEN_NAME: 'def', PLANETSCALE_SERVICE_TOKEN: 'pscale_tkn_x' })).toThrow(
      'ambiguous PlanetScale credentials: PLANETSCALE_SERVICE_TOKEN_ID and PLANETSCALE_SERVICE_TOKEN_NAME (its deprecated alias) hold different ids',
    );
    expect(credentialsFromEnvironment({ PLANETSCALE_ACCESS_TOKEN: 'pscale_oauth_x' })).toEqual({ accessToken: 'pscale_oauth_x' });
    expect(() => credentialsFromEnvironment({ PLANETSCALE_ACCESS_TOKEN: 'pscale_oauth_x', PLANETSCALE_SERVICE_TOKEN: 'pscale_tkn_x' })).toThrow(
      'ambiguous PlanetScale credentials: PLANETSCALE_ACCESS_TOKEN and a service token (PLANETSCALE_SERVICE_TOKEN_ID and PLANETSCALE_SERVICE_TOKEN) are both set; set only one',
    );
  });

  test('an OAuth access token is sent as a Bearer token, and a refused one names PLANETSCALE_ACCESS_TOKEN', async () => {
    const oauth = client({ credentials: emulator.issueAccessToken() });
    expect(oauth.usesAccessToken).toBe(true);
    expect((await oauth.getDatabase('shop')).name).toBe('shop');
    const wrong = await failure(client({ credentials: { accessToken: 'pscale_oauth_not-a-token' } }).getOrganization());
    expect(wrong.message).toBe(
      'get organization (organization acme) failed with HTTP 401 (unauthorized): The access token is invalid, expired or revoked; ' +
        'check PLANETSCALE_ACCESS_TOKEN (wrong value, expired or deleted OAuth access token)',
    );
    const narrow = client({ credentials: emulator.issueAccessToken({ scopes: { databases: { shop: ['read_database'] } } }) });
    const refused = await failure(narrow.listPasswords('shop', 'main'));
    expect(refused.message).toBe(
      'list passwords (organization acme, database shop, branch main) failed with HTTP 404 (not_found): Not Found; not found, or the OAuth access token ' +
        'lacks the access it needs: scope manage_production_branch_passwords on the organization, or manage_production_branch_passwords on the database ' +
        'on a production branch; scope manage_passwords on the organization, or manage_passwords on the database, or manage_passwords on the branch on a development branch',
    );
  });

  test('a swapped pair is recognised without echoing the secret', () => {
    const secret = emulator.token.token;
    let message = '';
    try {
      credentialsFromEnvironment({ PLANETSCALE_SERVICE_TOKEN_ID: secret, PLANETSCALE_SERVICE_TOKEN: emulator.token.id });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('PLANETSCALE_SERVICE_TOKEN_ID and PLANETSCALE_SERVICE_TOKEN look swapped');
    expect(message).not.toContain(secret);
  });

  test('401 says which variables to check; 404 says "not found, or" the accesses that may be missing', async () => {
    const wrong = client({ credentials: { id: emulator.token.id, token: 'pscale_tkn_not-the-right-one' } });
    const unauthorized = await failure(wrong.getOrganization());
    expect(unauthorized.message).toBe(
      'get organization (organization acme) failed with HTTP 401 (unauthorized): The access token is invalid, expired or revoked; ' +
        'check PLANETSCALE_SERVICE_TOKEN_ID and PLANETSCALE_SERVICE_TOKEN (wrong value, expired or deleted service token)',
    );
    expect(unauthorized.message).not.toContain('pscale_tkn_not-the-right-one');

    const admin = client();
    const token = await admin.createServiceToken({ name: 'reader-only' });
    await admin.addServiceTokenAccess(token.id, { database: 'shop', access: ['read_branch'] });
    const limited = client({ credentials: { id: token.id, token: token.token } });
    const forbidden = await failure(limited.createPassword('shop', 'dev', { name: 'nope' }));
    expect((forbidden as PlanetScaleApiError).status).toBe(404);
    expect(forbidden.message).toBe(
      'create password (organization acme, database shop, branch dev) failed with HTTP 404 (not_found): Not Found; ' +
        'not found, or the service token lacks the access it needs: connect_production_branch on a production branch, connect_branch on a development branch (on database shop)',
    );
    expect(forbidden.message).not.toContain(token.token);
    expect(limited.describeNeeds('delete_password', { database: 'shop', kind: 'production' })).toBe('delete_production_branch_password (production branch) on database shop');
  });

  test('404 and 422 carry the API code and message', async () => {
    const notFound = (await failure(client().getBranch('shop', 'nope'))) as PlanetScaleApiError;
    expect(notFound.message).toBe(
      'get branch (organization acme, database shop, branch nope) failed with HTTP 404 (not_found): Not Found; not found, or the service token ' +
        'lacks the access it needs: one of these accesses on database shop: read_branch, delete_branch, create_branch, connect_production_branch, connect_branch',
    );
    expect(notFound.apiMessage).toBe('Not Found');
    const invalid = (await failure(client().createPassword('shop', 'dev', { cidrs: ['10.0.0.1/8'] }))) as PlanetScaleApiError;
    expect(invalid.status).toBe(422);
    expect(invalid.message).toContain('cidrs: "10.0.0.1/8" has host bits set; did you mean 10.0.0.0/8?');
  });

  test('an `errors` array body is read, also the nested parameter-error shape of PlanetScale\'s SDK', async () => {
    emulator.faults.add({ kind: 'status', status: 500, body: 'errors', method: 'POST' });
    const error = await failure(client().createServiceToken({ name: 'x' }));
    expect(error.message).toBe('create service token (organization acme) failed with HTTP 500: injected error 500');
    emulator.faults.add({ kind: 'status', status: 422, body: 'parameter-errors', method: 'POST' });
    const nested = await failure(client().createServiceToken({ name: 'x' }));
    expect(nested.message).toBe('create service token (organization acme) failed with HTTP 422: injected.parameter: injected error 422');
  });

  test('no secret or Authorization value appears in any error message or log line', async () => {
    const api = client();
    const password = await api.createPassword('shop', 'dev', { name: 'hygiene' });
    const token = await api.createServiceToken({ name: 'hygiene' });
    const messages: string[] = [];
    emulator.faults.add({ kind: 'status', status: 429, count: 1 });
    emulator.faults.add({ kind: 'status', status: 500, count: 1, method: 'PATCH', body: 'html' });
    emulator.faults.add({ kind: 'drop-after-change', method: 'POST' });
    await api.getPassword('shop', 'dev', password.id);
    for (const attempt of [
      () => api.updatePassword('shop', 'dev', password.id, { name: 'x' }),
      () => api.createPassword('shop', 'dev', { name: 'lost' }),
      () => client({ credentials: { id: token.id, token: token.token } }).createPassword('shop', 'dev', {}),
    ]) {
      messages.push((await failure(attempt())).message);
    }
    const everything = [...messages, ...logLines].join('\n');
    expect(messages).toHaveLength(3);
    for (const secret of [password.plain_text, token.token, emulator.token.token, `${emulator.token.id}:${emulator.token.token}`]) {
      expect(everything).not.toContain(secret);
    }
  });
});

describe('redirects', () => {
  test('Authorization is not forwarded to another origin', async () => {
    let seen: IncomingHttpHeaders | undefined;
    const other = createServer((req, res) => {
      seen = req.headers;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'x', name: 'acme' }));
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const port = (other.address() as AddressInfo).port;
    emulator.faults.add({ kind: 'redirect', location: `http://localhost:${port}/v1/organizations/acme` });
    try {
      expect((await client().getOrganization()).name).toBe('acme');
      expect(seen).toBeDefined();
      expect(seen!.authorization).toBeUndefined();
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });
});
