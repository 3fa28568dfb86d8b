import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLES } from '../scripts/bundle';
import { type PlanetScaleApiError, type PlanetScaleCredentials, type ServiceTokenCredentials } from '../src/api';
import { DEFAULT_BEHAVIOUR, startEmulator, type RunningEmulator } from '../src/emulator';
import { Clients, statusOf } from './support/api';
import { fileMode, temporaryDirectory } from './support/env';

const clients = new Clients();
const clientFor = (emulator: RunningEmulator, credentials?: PlanetScaleCredentials, organization?: string) =>
  clients.for(emulator, credentials, organization);
const status = statusOf;

afterAll(() => clients.closeAll());

describe('access enforcement (facts: docs/api-fidelity.md)', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterEach(() => Object.assign(emulator.behaviour, DEFAULT_BEHAVIOUR));
  afterAll(() => emulator.stop());

  async function tokenWith(grants: { database?: string; access: string[] }[]): Promise<ServiceTokenCredentials> {
    const admin = clientFor(emulator);
    const token = await admin.createServiceToken({ name: 'limited' });
    for (const grant of grants) await admin.addServiceTokenAccess(token.id, grant);
    return { id: token.id, token: token.token };
  }

  test('a missing access answers 404 {"code":"not_found","message":"Not Found"}, never 403', async () => {
    const limited = clientFor(emulator, await tokenWith([{ database: 'shop', access: ['read_branch'] }]));
    expect(await status(limited.listPasswords('shop', 'main'))).toBe(200);
    expect(await status(limited.createPassword('shop', 'main', { name: 'x' }))).toBe(404);
    // Grants are per database: a database the token cannot see answers like one that does not exist.
    expect(await status(limited.listPasswords('inventory', 'main'))).toBe(404);
    expect(await status(limited.getDatabase('inventory'))).toBe(404);
    // Organization-level routes need organization-level grants.
    expect(await status(limited.listServiceTokens())).toBe(404);
    expect((await limited.listDatabases()).map((d) => d.name)).toEqual(['shop']);
    const raw = await fetch(`${emulator.url}/organizations/acme/service-tokens`, { headers: { authorization: `${limited.serviceTokenId}:${(await tokenWith([])).token}` } });
    expect(raw.status).toBe(401);
  });

  test('password accesses depend on the branch kind: production needs the production access, development the plain one', async () => {
    const development = clientFor(emulator, await tokenWith([{ database: 'shop', access: ['connect_branch', 'delete_branch_password'] }]));
    expect(await status(development.createPassword('shop', 'dev', { name: 'dev-ok' }))).toBe(200);
    expect(await status(development.createPassword('shop', 'main', { name: 'prod-refused' }))).toBe(404);
    const production = clientFor(emulator, await tokenWith([{ database: 'shop', access: ['connect_production_branch'] }]));
    const made = await production.createPassword('shop', 'main', { name: 'prod-ok' });
    expect(await status(production.createPassword('shop', 'dev', { name: 'dev-refused' }))).toBe(404);
    // Deleting a production password needs delete_production_branch_password; delete_branch_password is not enough.
    expect(await status(development.deletePassword('shop', 'main', made.id))).toBe(404);
    expect(await status(clientFor(emulator).getPassword('shop', 'main', made.id))).toBe(200);
  });

  test('a new token holds nothing; a deleted token is refused with 401', async () => {
    const admin = clientFor(emulator);
    const token = await admin.createServiceToken({});
    const fresh = clientFor(emulator, { id: token.id, token: token.token });
    expect(await status(fresh.getDatabase('shop'))).toBe(404);
    await admin.deleteServiceToken(token.id);
    expect(await status(fresh.getDatabase('shop'))).toBe(401);
  });

  test('a credential may only grant accesses it holds itself', async () => {
    const granter = clientFor(emulator, await tokenWith([{ access: ['write_service_tokens', 'read_service_tokens'] }, { database: 'shop', access: ['read_branch'] }]));
    const target = await granter.createServiceToken({ name: 'granted' });
    expect(await status(granter.addServiceTokenAccess(target.id, { database: 'shop', access: ['read_branch'] }))).toBe(200);
    expect(await status(granter.addServiceTokenAccess(target.id, { database: 'shop', access: ['create_branch'] }))).toBe(404);
    expect(await status(granter.addServiceTokenAccess(target.id, { database: 'inventory', access: ['read_branch'] }))).toBe(404);
    expect((await clientFor(emulator).getServiceTokenGrants(target.id)).map((g) => [g.resource_name, g.accesses.map((a) => a.access)])).toEqual([['shop', ['read_branch']]]);
  });

  test('behaviour serviceTokenRoutes: the grant routes, or every service-token route, refused to service tokens (404); OAuth tokens still pass', async () => {
    const admin = clientFor(emulator);
    const oauth = clientFor(emulator, emulator.issueAccessToken());
    const token = await admin.createServiceToken({ name: 'target' });
    emulator.behaviour.serviceTokenRoutes = 'grants-refused';
    expect(await status(admin.getServiceTokenGrants(token.id))).toBe(404);
    expect(await status(admin.addServiceTokenAccess(token.id, { database: 'shop', access: ['read_branch'] }))).toBe(404);
    expect(await status(admin.listServiceTokens())).toBe(200);
    expect(await status(oauth.addServiceTokenAccess(token.id, { database: 'shop', access: ['read_branch'] }))).toBe(200);
    emulator.behaviour.serviceTokenRoutes = 'all-refused';
    expect(await status(admin.listServiceTokens())).toBe(404);
    expect(await status(admin.createServiceToken({ name: 'x' }))).toBe(404);
    expect(await status(oauth.listServiceTokens())).toBe(200);
  });

  test('OAuth access tokens: Bearer, checked against the documented scopes per level', async () => {
    const narrow = clientFor(emulator, emulator.issueAccessToken({ scopes: { databases: { shop: ['manage_passwords', 'read_database'] } } }));
    expect(await status(narrow.createPassword('shop', 'dev', { name: 'oauth-dev' }))).toBe(200);
    // manage_passwords is the development scope; production passwords need manage_production_branch_passwords.
    expect(await status(narrow.createPassword('shop', 'main', { name: 'oauth-prod' }))).toBe(404);
    expect(await status(narrow.listPasswords('inventory', 'dev'))).toBe(404);
    // Listing databases needs read_databases on the organization (OpenAPI description of list_databases).
    expect(await status(narrow.listDatabases())).toBe(404);
    const admin = await fetch(`${emulator.url.replace(/\/v1$/, '')}/_emulator/oauth-tokens`, { method: 'POST', body: '{}' });
    const { access_token: issued } = (await admin.json()) as { access_token: string };
    expect(issued).toMatch(/^pscale_oauth_[A-Za-z0-9]{43}$/);
    expect(await status(clientFor(emulator, { accessToken: issued }).createPassword('shop', 'main', { name: 'oauth-admin' }))).toBe(200);
    // Service-token routes document no OAuth scope: only an administrator's token may use them.
    expect(await status(narrow.listServiceTokens())).toBe(404);
    const scopedAdmin = clientFor(emulator, emulator.issueAccessToken({ scopes: { organization: ['read_databases'] }, admin: true }));
    expect(await status(scopedAdmin.listServiceTokens())).toBe(200);
  });

  test('no or malformed Authorization is 401; another organization is 404', async () => {
    const response = await fetch(`${emulator.url}/organizations/acme`);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ code: 'unauthorized', message: expect.any(String) });
    const bearer = await fetch(`${emulator.url}/organizations/acme`, { headers: { authorization: `Bearer ${emulator.token.token}` } });
    expect(bearer.status).toBe(401);
    expect(await status(clientFor(emulator, emulator.token, 'globex').getOrganization())).toBe(404);
  });

  test('unknown database, branch and id are 404; invalid bodies are 422 with a message', async () => {
    const api = clientFor(emulator);
    expect(await status(api.getDatabase('nope'))).toBe(404);
    expect(await status(api.listPasswords('shop', 'nope'))).toBe(404);
    expect(await status(api.getPassword('shop', 'main', 'aaaaaaaaaaaa'))).toBe(404);
    const messages: string[] = [];
    for (const body of [{ role: 'owner' }, { cidrs: ['not-an-ip'] }, { ttl: -5 }, { bogus: true }]) {
      try {
        await api.createPassword('shop', 'main', body as never);
      } catch (error) {
        expect((error as PlanetScaleApiError).status).toBe(422);
        messages.push((error as PlanetScaleApiError).apiMessage!);
      }
    }
    expect(messages).toEqual([
      'role must be equal to one of the allowed values (reader, writer, readwriter, admin)',
      'cidrs: "not-an-ip" is not an IPv4/IPv6 address or CIDR range',
      'ttl must be >= 0',
      'bogus must NOT have additional properties',
    ]);
    expect(await status(api.createPassword('analytics', 'main', {}))).toBe(422);
    expect(await status(api.createPostgresIpRule('shop', { cidrs: ['10.0.0.0/8'] }))).toBe(422);
  });
});

describe('password CIDRs (facts: docs/api-fidelity.md)', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterEach(() => Object.assign(emulator.behaviour, DEFAULT_BEHAVIOUR));
  afterAll(() => emulator.stop());

  test('overlapping ranges and duplicates are merged and the merged list comes back; a bare IP is /32; empty is null', async () => {
    const api = clientFor(emulator);
    const created = await api.createPassword('shop', 'dev', { cidrs: ['10.1.0.0/16', '10.0.0.0/8', '192.0.2.7', '10.0.0.0/8', '192.0.2.0/25', '192.0.2.128/25'] });
    expect(created.cidrs).toEqual(['10.0.0.0/8', '192.0.2.0/25', '192.0.2.128/25']);
    expect((await api.updatePassword('shop', 'dev', created.id, { cidrs: [] })).cidrs).toBeNull();
    expect((await api.updatePassword('shop', 'dev', created.id, { cidrs: ['198.51.100.7'] })).cidrs).toEqual(['198.51.100.7/32']);
  });

  test('behaviour passwordCidrMerge=aggregate also joins adjacent ranges', async () => {
    emulator.behaviour.passwordCidrMerge = 'aggregate';
    const created = await clientFor(emulator).createPassword('shop', 'dev', { cidrs: ['192.0.2.0/25', '192.0.2.128/25', '10.0.0.0/8'] });
    expect(created.cidrs).toEqual(['10.0.0.0/8', '192.0.2.0/24']);
  });

  test('IPv6 is accepted by default; behaviour passwordIpv6=refused answers 422', async () => {
    const api = clientFor(emulator);
    expect((await api.createPassword('shop', 'dev', { cidrs: ['2001:db8::/48'] })).cidrs).toEqual(['2001:db8::/48']);
    emulator.behaviour.passwordIpv6 = 'refused';
    const refused = api.createPassword('shop', 'dev', { cidrs: ['203.0.113.0/24', '2001:db8::/48'] });
    await expect(refused).rejects.toMatchObject({ status: 422, apiMessage: 'cidrs: IPv6 ranges are not supported (2001:db8::/48)' });
  });
});

describe('Postgres roles (facts: docs/api-fidelity.md)', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator.stop());
  const roleRecord = (id: string) => emulator.store.state.roles.find((r) => r.id === id)!;

  test('create answers the secret once, a suffixed username and its base; reads never carry the password', async () => {
    const api = clientFor(emulator);
    const created = await api.createRole('analytics', 'dev', { name: 'app', inherited_roles: ['pg_read_all_data'], ttl: 3600 });
    const branch = emulator.store.state.branches.find((b) => b.database === 'analytics' && b.name === 'dev')!;
    expect(created.password).toMatch(/^pscale_pw_[A-Za-z0-9]{43}$/);
    expect(created.username).toMatch(new RegExp(`^pscale_api_[a-z0-9]{12}\\.${branch.id}$`));
    expect(created.username).toBe(`${created.base_username}.${branch.id}`);
    expect(created.access_host_url).toMatch(/\.horizon\.psdb\.cloud$/);
    expect([created.database_name, created.default, created.inherited_roles]).toEqual(['postgres', false, ['pg_read_all_data']]);
    const listed = (await api.listRoles('analytics', 'dev', { q: 'app' })).find((r) => r.id === created.id)!;
    expect(listed.password).toBeFalsy();
    expect(JSON.stringify(emulator.store.state)).not.toContain(created.password);
    // The default role is listed, has no password to read, and cannot be deleted.
    const all = await api.listRoles('analytics', 'dev');
    const postgres = all.find((r) => r.default)!;
    expect([postgres.base_username, postgres.username]).toEqual(['postgres', `postgres.${branch.id}`]);
    await expect(api.deleteRole('analytics', 'dev', postgres.id, created.id)).rejects.toMatchObject({ status: 422 });
    // Roles are for Postgres databases: there are none on a MySQL/Vitess one.
    expect(await status(api.listRoles('shop', 'dev'))).toBe(404);
    expect(await status(api.createRole('analytics', 'dev', { inherited_roles: ['pg_read_all'] }))).toBe(422);
  });

  test('a role owning objects is dropped only with a successor (id or username, with or without suffix), which gets them', async () => {
    const api = clientFor(emulator);
    const old = await api.createRole('analytics', 'dev', { name: 'old', inherited_roles: ['pg_write_all_data'] });
    const heir = await api.createRole('analytics', 'dev', { name: 'heir', inherited_roles: ['pg_write_all_data'] });
    roleRecord(old.id).ownedObjects.push('table orders');
    const raw = await fetch(`${emulator.url}/organizations/acme/databases/analytics/branches/dev/roles/${old.id}`, {
      method: 'DELETE',
      headers: { authorization: `${emulator.token.id}:${emulator.token.token}` },
    });
    expect([raw.status, await raw.json()]).toEqual([422, { code: 'unprocessable', message: 'Role is still referenced and cannot be dropped.' }]);
    expect(await status(api.deleteRole('analytics', 'dev', old.id, 'pscale_api_nobody'))).toBe(422);
    await api.deleteRole('analytics', 'dev', old.id, heir.username);
    expect(roleRecord(heir.id).ownedObjects).toEqual(['table orders']);
    expect(emulator.store.state.roleDeletions.find((d) => d.id === old.id)).toMatchObject({ successor: heir.username, successorId: heir.id, reassigned: ['table orders'] });
    // The base username names it too; the default role is `postgres`.
    await api.deleteRole('analytics', 'dev', heir.id, 'postgres');
    expect(emulator.store.state.roles.find((r) => r.isDefault && r.database === 'analytics' && r.branch === 'dev')?.ownedObjects).toContain('table orders');
  });

  test('renew: a full TTL again from now, same secret; refused without a TTL and once expired', async () => {
    const api = clientFor(emulator);
    const role = await api.createRole('analytics', 'dev', { name: 'short', ttl: 3600 });
    const hash = roleRecord(role.id).secretHash;
    emulator.clock.advance(1800_000);
    const renewed = await api.renewRole('analytics', 'dev', role.id);
    expect(new Date(renewed.expires_at!).getTime() - new Date(role.expires_at!).getTime()).toBeGreaterThanOrEqual(1800_000);
    expect(roleRecord(role.id).secretHash).toBe(hash);
    expect(await status(api.renewRole('analytics', 'dev', (await api.createRole('analytics', 'dev', {})).id))).toBe(422);
    emulator.clock.advance(3601_000);
    expect((await api.listRoles('analytics', 'dev', { q: 'short' }))[0].expired).toBe(true);
    expect(await status(api.renewRole('analytics', 'dev', role.id))).toBe(422);
  });

  test('role accesses depend on the branch kind: create_branch_password on development, create_production_branch_password on production', async () => {
    const admin = clientFor(emulator);
    const token = await admin.createServiceToken({ name: 'roles' });
    await admin.addServiceTokenAccess(token.id, { database: 'analytics', access: ['read_branch', 'create_branch_password', 'delete_branch_password'] });
    const limited = clientFor(emulator, { id: token.id, token: token.token });
    const made = await limited.createRole('analytics', 'dev', { name: 'dev-ok' });
    expect(await status(limited.createRole('analytics', 'main', { name: 'prod-refused' }))).toBe(404);
    await limited.deleteRole('analytics', 'dev', made.id, 'postgres');
  });
});

describe('TTL under the test clock', () => {
  test('a password expires when the clock passes its TTL; renew extends it before then, and is refused (422) after', async () => {
    const emulator = await startEmulator();
    try {
      const api = clientFor(emulator);
      const created = await api.createPassword('shop', 'dev', { name: 'short', ttl: 3600 });
      expect(new Date(created.expires_at!).getTime() - new Date(created.created_at).getTime()).toBe(3600_000);
      expect(created.renewable).toBe(true);
      emulator.clock.advance(1800_000);
      const renewed = await api.renewPassword('shop', 'dev', created.id);
      expect(new Date(renewed.expires_at!).getTime()).toBeGreaterThan(new Date(created.expires_at!).getTime());
      emulator.clock.advance(3599_000);
      expect((await api.getPassword('shop', 'dev', created.id)).expired).toBe(false);
      emulator.clock.advance(2_000);
      const expired = await api.getPassword('shop', 'dev', created.id);
      expect([expired.expired, expired.renewable]).toEqual([true, false]);
      await expect(api.renewPassword('shop', 'dev', created.id)).rejects.toMatchObject({ status: 422, apiMessage: 'password has expired and can no longer be renewed' });
      expect(await status(api.renewPassword('shop', 'dev', (await api.createPassword('shop', 'dev', {})).id))).toBe(422);
    } finally {
      await emulator.stop();
    }
  });

  test('an expired service token is refused with 401', async () => {
    const emulator = await startEmulator();
    try {
      const token = await clientFor(emulator).createServiceToken({ ttl: 60 });
      await clientFor(emulator).addServiceTokenAccess(token.id, { access: ['read_organization'] });
      const user = clientFor(emulator, { id: token.id, token: token.token });
      expect(await status(user.getOrganization())).toBe(200);
      emulator.clock.advance(61_000);
      expect(await status(user.getOrganization())).toBe(401);
    } finally {
      await emulator.stop();
    }
  });
});

describe('persistence', () => {
  test('state survives a restart; the state file holds no secret', async () => {
    const dir = temporaryDirectory('emulator-state');
    const statePath = join(dir.path, 'state.json');
    try {
      const first = await startEmulator({ statePath });
      const created = await clientFor(first).createPassword('shop', 'main', { name: 'kept', cidrs: ['10.0.0.0/8'] });
      const token = await clientFor(first).createServiceToken({ name: 'kept' });
      await first.stop();

      const text = readFileSync(statePath, 'utf8');
      for (const secret of [created.plain_text, token.token, first.token.token]) expect(text).not.toContain(secret);
      expect(fileMode(statePath)).toBe('600');

      const second = await startEmulator({ statePath, bootstrapToken: first.token });
      try {
        const again = await clientFor(second).getPassword('shop', 'main', created.id);
        expect(again).toMatchObject({ id: created.id, name: 'kept', cidrs: ['10.0.0.0/8'] });
        // The token made before the restart still authenticates.
        await clientFor(second).addServiceTokenAccess(token.id, { access: ['read_organization'] });
        expect(await status(clientFor(second, { id: token.id, token: token.token }).getOrganization())).toBe(200);
      } finally {
        await second.stop();
      }
    } finally {
      dir.remove();
    }
  });
});

describe('fault injection and counters', () => {
  test('faults set at start, and at run time through the admin routes outside /v1; request counters per route', async () => {
    const emulator = await startEmulator({ faults: [{ kind: 'status', status: 503, count: 1, body: 'html' }] });
    const auth = { authorization: `${emulator.token.id}:${emulator.token.token}` };
    const admin = (path: string, method = 'GET', body?: unknown) =>
      fetch(`${emulator.url.replace(/\/v1$/, '')}/_emulator/${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
    try {
      const first = await fetch(`${emulator.url}/organizations/acme`, { headers: auth });
      expect([first.status, first.headers.get('content-type')]).toEqual([503, 'text/html']);
      expect((await fetch(`${emulator.url}/organizations/acme`, { headers: auth })).status).toBe(200);

      expect((await admin('faults', 'POST', { kind: 'status', status: 429, retryAfter: '7', pathIncludes: '/databases' })).status).toBe(204);
      const limited = await fetch(`${emulator.url}/organizations/acme/databases/shop`, { headers: auth });
      expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '7']);
      expect(await limited.json()).toEqual({ code: 'rate_limited', message: 'injected error 429' });
      expect((await admin('faults', 'POST', { kind: 'status', status: 200 })).status).toBe(422);

      const counts = await (await admin('requests')).json();
      expect(counts).toEqual({ total: 3, byOperation: { 'GET get_organization': 2, 'GET get_database': 1 }, rateLimited: 0 });
      expect((await admin('requests', 'DELETE')).status).toBe(204);
      expect(emulator.requests.total).toBe(0);

      const created = await clientFor(emulator).createPassword('shop', 'dev', { ttl: 60 });
      await admin('clock', 'POST', { advanceSeconds: 61 });
      expect((await clientFor(emulator).getPassword('shop', 'dev', created.id)).expired).toBe(true);
    } finally {
      await emulator.stop();
    }
  });
});

describe('seed and command line', () => {
  test('a seed file defines organizations, databases and branches; bad seeds are refused clearly', async () => {
    const dir = temporaryDirectory('seed');
    try {
      const seedFile = join(dir.path, 'seed.json');
      writeFileSync(seedFile, JSON.stringify({ organizations: [{ name: 'globex', databases: [{ name: 'app', kind: 'postgresql', branches: [{ name: 'prod', production: true }] }] }] }));
      const emulator = await startEmulator({ seedFile });
      try {
        expect(emulator.organization).toBe('globex');
        expect((await clientFor(emulator, emulator.token, 'globex').getDatabase('app')).kind).toBe('postgresql');
      } finally {
        await emulator.stop();
      }
      writeFileSync(seedFile, JSON.stringify({ organizations: [{ name: 'x', databases: [{ name: 'app', kind: 'oracle', branches: [] }] }] }));
      await expect(startEmulator({ seedFile })).rejects.toThrow(`invalid emulator seed ${seedFile}: /organizations/0/databases/0/kind must be equal to one of the allowed values`);
    } finally {
      dir.remove();
    }
  });

  test('`planetscale-cdktf emulator` prints its URL and writes the bootstrap token file', async () => {
    const dir = temporaryDirectory('cli');
    const tokenFile = join(dir.path, 'token.json');
    const child = spawn(
      process.execPath,
      [BUNDLES.cli.outfile, 'emulator', '--port', '0', '--token-file', tokenFile, '--access-token', '--behaviour', 'passwordIpv6=refused'],
      { env: process.env },
    );
    try {
      const url = await new Promise<string>((resolveUrl, reject) => {
        let out = '';
        child.stdout.on('data', (chunk) => {
          out += String(chunk);
          const match = /listening on (http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(out);
          if (match && out.includes('written to')) resolveUrl(match[1]);
        });
        child.once('exit', (code) => reject(new Error(`emulator exited ${code}`)));
      });
      const token = JSON.parse(readFileSync(tokenFile, 'utf8')) as ServiceTokenCredentials & { accessToken: string };
      expect(fileMode(tokenFile)).toBe('600');
      const response = await fetch(`${url}/organizations/acme`, { headers: { authorization: `${token.id}:${token.token}` } });
      expect(response.status).toBe(200);
      // --access-token issued an OAuth token; --behaviour refuses IPv6 on passwords.
      const ipv6 = await fetch(`${url}/organizations/acme/databases/shop/branches/dev/passwords`, {
        method: 'POST',
        headers: { 'authorization': `Bearer ${token.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ cidrs: ['2001:db8::/48'] }),
      });
      expect(ipv6.status).toBe(422);
    } finally {
      child.kill('SIGTERM');
      dir.remove();
    }
  });
});
