import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type PlanetScaleApiError, type ServiceTokenCredentials } from '../src/api';
import { startEmulator, type RunningEmulator } from '../src/emulator';
import { Clients, statusOf } from './support/api';
import { fileMode, temporaryDirectory } from './support/env';

const clients = new Clients();
const clientFor = (emulator: RunningEmulator, credentials?: ServiceTokenCredentials, organization?: string) =>
  clients.for(emulator, credentials, organization);
const status = statusOf;

afterAll(() => clients.closeAll());

describe('access enforcement', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator.stop());

  test('a token holding only read_branch can read but gets 403 creating a password', async () => {
    const admin = clientFor(emulator);
    const token = await admin.createServiceToken({ name: 'read-only' });
    await admin.addServiceTokenAccess(token.id, { database: 'shop', access: ['read_branch'] });
    const limited = clientFor(emulator, { id: token.id, token: token.token });
    expect(await status(limited.listPasswords('shop', 'main'))).toBe(200);
    expect(await status(limited.createPassword('shop', 'main', { name: 'x' }))).toBe(403);
    // Grants are per database.
    expect(await status(limited.listPasswords('inventory', 'main'))).toBe(403);
    // Organization-level routes need organization-level grants.
    expect(await status(limited.listServiceTokens())).toBe(403);
    expect((await limited.listDatabases()).map((d) => d.name)).toEqual(['shop']);

    await admin.addServiceTokenAccess(token.id, { database: 'shop', access: ['connect_branch'] });
    expect(await status(limited.createPassword('shop', 'main', { name: 'x' }))).toBe(200);
    await admin.deleteServiceTokenAccess(token.id, { database: 'shop', access: ['connect_branch'] });
    expect(await status(limited.createPassword('shop', 'main', { name: 'y' }))).toBe(403);
  });

  test('a new token holds nothing; a deleted token is refused', async () => {
    const admin = clientFor(emulator);
    const token = await admin.createServiceToken({});
    const fresh = clientFor(emulator, { id: token.id, token: token.token });
    expect(await status(fresh.getDatabase('shop'))).toBe(403);
    await admin.deleteServiceToken(token.id);
    expect(await status(fresh.getDatabase('shop'))).toBe(401);
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
        messages.push((error as Error).message.split(': ').slice(1).join(': '));
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

describe('TTL under the test clock', () => {
  test('a password expires when the clock passes its TTL, and renew brings it back', async () => {
    const emulator = await startEmulator();
    try {
      const api = clientFor(emulator);
      const created = await api.createPassword('shop', 'dev', { name: 'short', ttl: 3600 });
      expect(new Date(created.expires_at!).getTime() - new Date(created.created_at).getTime()).toBe(3600_000);
      emulator.clock.advance(3599_000);
      expect((await api.getPassword('shop', 'dev', created.id)).expired).toBe(false);
      emulator.clock.advance(2_000);
      expect((await api.getPassword('shop', 'dev', created.id)).expired).toBe(true);
      expect((await api.renewPassword('shop', 'dev', created.id)).expired).toBe(false);
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
      expect(counts).toEqual({ total: 3, byOperation: { 'GET get_organization': 2, 'GET get_database': 1 } });
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
      ['-r', 'ts-node/register/transpile-only', resolve(__dirname, '../src/cli.ts'), 'emulator', '--port', '0', '--token-file', tokenFile],
      { env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' } },
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
      const token = JSON.parse(readFileSync(tokenFile, 'utf8')) as ServiceTokenCredentials;
      expect(fileMode(tokenFile)).toBe('600');
      const response = await fetch(`${url}/organizations/acme`, { headers: { authorization: `${token.id}:${token.token}` } });
      expect(response.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      dir.remove();
    }
  });
});
