import { parse as parseAdoNet } from '@tediousjs/connection-string';
import { parse as parseEnv } from 'dotenv';
import { parse as parsePg } from 'pg-connection-string';
import { parse as parseShell } from 'shell-quote';
import { DatabasePassword, IpRestriction, type DatabasePasswordProps } from '../src';
import { runCli } from './support/cli';
import { useScenario } from './support/scenario';
import { parseOwnedName } from '../src/model/naming';
import type { PostgresRoleEntry } from '../src/outputs/entries';

/**
 * `DatabasePassword` on a PlanetScale Postgres database: a branch role, end to end with the real terraform binary
 * against the emulator. Deploy, the connection strings (each read back by a real parser), rotation with the new
 * generation as successor, renewal, removal to the default role or a declared successor, a rule that follows a role
 * across rotations, and the one-line refusals of props of the other engine. Secret hygiene is checked after every
 * test by the scenario (the role passwords must appear nowhere but the outputs file).
 */

const scenario = useScenario();

function roleEntry(path: string): PostgresRoleEntry {
  const entry = scenario.project.passwordEntry(path);
  if (entry.engine !== 'postgresql') throw new Error(`${path} is not a Postgres role entry`);
  return entry;
}

function records(database = 'analytics', branch = 'main') {
  return scenario.emulator.store.state.roles.filter((r) => r.database === database && r.branch === branch && parseOwnedName(r.name, 'access'));
}

function deletionOf(id: string) {
  return scenario.emulator.store.state.roleDeletions.find((d) => d.id === id);
}

function declare(props: Partial<DatabasePasswordProps> = {}) {
  scenario.project.synth((stack) => new DatabasePassword(stack, 'api', { database: 'analytics', ...props }));
}

test('deploy: a role with the mapped inherited roles, its secret and connection strings in the outputs file only', async () => {
  scenario.project.synth((stack) => {
    new DatabasePassword(stack, 'api', { database: 'analytics', role: 'readwriter', ttl: '30d' });
    new DatabasePassword(stack, 'reports', { database: 'analytics', branch: 'dev' });
    new DatabasePassword(stack, 'monitor', { database: 'analytics', inheritedRoles: ['pg_monitor', 'pg_read_all_stats'] });
  });
  const output = await scenario.project.applyOk();
  expect(output).toContain('3 created, 0 changed, 0 renewed, 0 deleted, 0 failed');

  const api = roleEntry('access/api');
  const branch = scenario.emulator.store.state.branches.find((b) => b.database === 'analytics' && b.name === 'main')!;
  expect(api).toMatchObject({ engine: 'postgresql', database: 'analytics', branch: 'main', database_name: 'postgres', role: 'readwriter' });
  expect(api.inherited_roles).toEqual(['pg_read_all_data', 'pg_write_all_data']);
  expect(api.password).toMatch(/^pscale_pw_[A-Za-z0-9]{43}$/);
  expect(api.username).toBe(`${api.base_username}.${branch.id}`);
  expect(api.base_username).toMatch(/^pscale_api_[a-z0-9]{12}$/);
  expect(api.successor).toBeNull();
  const live = records().find((r) => r.id === api.id)!;
  expect([live.name, live.ttlSeconds, live.inheritedRoles]).toEqual([api.name, 30 * 86_400, ['pg_read_all_data', 'pg_write_all_data']]);
  expect(roleEntry('access/reports').inherited_roles).toEqual(['pg_read_all_data']);
  expect(roleEntry('access/monitor')).toMatchObject({ role: null, inherited_roles: ['pg_monitor', 'pg_read_all_stats'] });
  expect(scenario.project.outputsMode()).toBe('600');
});

test('every connection string reads back, through a real parser, as the same host, user, password and TLS verification', async () => {
  declare({ role: 'writer' });
  await scenario.project.applyOk();
  const { connection_strings: strings, host, username, password, database_name: database } = roleEntry('access/api');
  const CA = '/etc/ssl/certs/ca-certificates.crt';
  const same = { host, port: '5432', user: username, password, database };

  // libpq URLs: node-postgres's parser (pg-connection-string). It reads sslrootcert as a file (it has no `system`),
  // so the general URL, meant for libpq 16+, is read with the WHATWG URL parser.
  const urlParts = (text: string) => {
    const url = new URL(text);
    const credentials = [decodeURIComponent(url.username), decodeURIComponent(url.password)];
    return [url.protocol, url.hostname, url.port, ...credentials, url.pathname, Object.fromEntries(url.searchParams)];
  };
  const parts = (query: Record<string, string>) => ['postgresql:', host, '5432', username, password, `/${database}`, query];
  expect(urlParts(strings.general)).toEqual(parts({ sslmode: 'verify-full', sslrootcert: 'system' }));
  const node = parsePg(strings.node_postgres);
  expect(node).toMatchObject({ ...same, sslmode: 'verify-full', ssl: {} });
  for (const format of ['rails', 'django', 'sqlalchemy', 'go_pgx', 'rust'] as const) {
    const parsed = parsePg(strings[format]);
    expect([format, parsed]).toEqual([format, expect.objectContaining({ ...same, sslmode: 'verify-full', sslrootcert: CA })]);
    expect((parsed.ssl as { ca?: string }).ca).toContain('BEGIN CERTIFICATE');
  }
  expect(new URL(strings.sqlalchemy).protocol).toBe('postgresql+psycopg:');
  // Prisma reads its URL itself (sslaccept=strict: the certificate is verified against the system CAs).
  expect(urlParts(strings.prisma)).toEqual(parts({ sslmode: 'require', sslaccept: 'strict' }));
  // JDBC: the URL after `jdbc:`, credentials as query parameters.
  const jdbc = new URL(strings.jdbc.replace(/^jdbc:/, ''));
  expect([jdbc.hostname, jdbc.port, jdbc.pathname, jdbc.searchParams.get('user'), jdbc.searchParams.get('password'), jdbc.searchParams.get('sslmode')]).toEqual([
    host, '5432', `/${database}`, username, password, 'verify-full',
  ]);
  // psql: a shell word holding a libpq keyword/value string.
  const words = parseShell(strings.psql);
  expect(words[0]).toBe('psql');
  const conninfo = Object.fromEntries(
    [...String(words[1]).matchAll(/(\w+)=('(?:[^'\\]|\\.)*'|\S+)/g)].map(([, key, value]) => [key, value.replace(/^'|'$/g, '').replace(/\\(.)/g, '$1')]),
  );
  expect(conninfo).toEqual({ host, port: '5432', user: username, password, dbname: database, sslmode: 'verify-full', sslrootcert: 'system' });
  // .NET Npgsql: an ADO.NET connection string.
  expect(Object.fromEntries(parseAdoNet(strings.dotnet))).toEqual({
    'host': host,
    'port': '5432',
    'database': database,
    'username': username,
    'password': password,
    'ssl mode': 'VerifyFull',
    'root certificate': CA,
  });
  // Laravel: .env lines, the TLS options in DB_URL's query (Laravel's stock pgsql config reads them only there).
  const laravel = parseEnv(strings.laravel_env);
  expect(Object.keys(laravel)).toEqual(['DB_CONNECTION', 'DB_URL']);
  expect(laravel.DB_CONNECTION).toBe('pgsql');
  expect(parsePg(laravel.DB_URL)).toEqual(expect.objectContaining({ ...same, sslmode: 'verify-full', sslrootcert: CA }));
  // PHP PDO: no parser on npm; the DSN's key=value pairs and the two credentials.
  const pdo = /^new PDO\("pgsql:([^"]+)", "([^"]+)", "([^"]+)"\);$/.exec(strings.php_pdo)!;
  expect(Object.fromEntries(pdo[1].split(';').map((pair) => pair.split('=')))).toEqual({ host, port: '5432', dbname: database, sslmode: 'verify-full', sslrootcert: CA });
  expect([pdo[2], pdo[3]]).toEqual([username, password]);
});

test('rotation: a TTL, role or label edit creates the new role first, then drops the old one with the new one as successor', async () => {
  declare({ role: 'writer', ttl: '30d' });
  await scenario.project.applyOk();
  const first = roleEntry('access/api');
  // The application created tables under the first role.
  scenario.emulator.store.state.roles.find((r) => r.id === first.id)!.ownedObjects.push('table orders', 'sequence orders_id_seq');

  declare({ role: 'readwriter', ttl: '30d' });
  const plan = await scenario.project.plan();
  expect(plan.output).toMatch(/terraform_data\.api_\w+ must be replaced/);
  expect((await runCli(scenario.project, ['plan'])).output).toContain('[widens access: inherited roles added: pg_read_all_data]');
  const output = await scenario.project.applyOk();
  expect(output).toContain('1 created, 0 changed, 0 renewed, 1 deleted, 0 failed');
  const second = roleEntry('access/api');
  expect(second.id).not.toBe(first.id);
  expect(second.password).not.toBe(first.password);
  expect(records().map((r) => r.id)).toEqual([second.id]);
  // Objects reassigned, never dropped: the old generation named the new one as successor.
  expect(deletionOf(first.id)).toMatchObject({ successor: second.id, successorId: second.id, reassigned: ['table orders', 'sequence orders_id_seq'] });
  expect(records()[0].ownedObjects).toEqual(['table orders', 'sequence orders_id_seq']);

  // The new role was created before the old one was dropped.
  const created = new Date(scenario.emulator.store.state.roles.find((r) => r.id === second.id)!.createdAt).getTime();
  expect(created).toBeLessThanOrEqual(new Date(deletionOf(first.id)!.deletedAt).getTime());

  // A name-only change is in place: same role, same secret.
  declare({ role: 'readwriter', ttl: '30d', name: 'api-v2' });
  expect((await scenario.project.plan()).output).toMatch(/terraform_data\.api_\w+ will be updated in-place/);
  await scenario.project.applyOk();
  const renamed = roleEntry('access/api');
  expect([renamed.id, renamed.password]).toEqual([second.id, second.password]);
  expect(records()[0].name).toMatch(/^api-v2\.access\./);

  // A TTL-only edit is a new generation too (PlanetScale sets a role's TTL at creation): new role, objects handed on.
  declare({ role: 'readwriter', ttl: '60d', name: 'api-v2' });
  expect((await scenario.project.plan()).output).toMatch(/terraform_data\.api_\w+ must be replaced/);
  await scenario.project.applyOk();
  const third = roleEntry('access/api');
  expect(third.id).not.toBe(second.id);
  expect(new Date(third.expires_at!).getTime() - new Date(records()[0].createdAt).getTime()).toBe(60 * 86_400_000);
  expect(deletionOf(second.id)).toMatchObject({ successor: third.id, reassigned: ['table orders', 'sequence orders_id_seq'] });
  expect(records().map((r) => r.id)).toEqual([third.id]);
});

test('an old generation whose drop failed is dropped by the next run, its objects to the live generation', async () => {
  declare({ rotation: 'a' });
  await scenario.project.applyOk();
  const first = roleEntry('access/api');
  scenario.emulator.store.state.roles.find((r) => r.id === first.id)!.ownedObjects.push('table orders');
  declare({ rotation: 'b' });
  // The new role is created and delivered; dropping the old one fails (a server error on every retry).
  scenario.emulator.faults.add({ kind: 'status', status: 500, method: 'DELETE', pathIncludes: `/roles/${first.id}`, count: 20 });
  const failed = await scenario.project.apply();
  expect(failed.code).not.toBe(0);
  const second = roleEntry('access/api');
  expect(second.id).not.toBe(first.id);
  expect(records().map((r) => r.id).sort()).toEqual([first.id, second.id].sort());

  scenario.emulator.faults.clear();
  expect((await runCli(scenario.project, ['plan'])).output).toContain(`its objects to role ${second.id}: previous generation`);
  expect((await runCli(scenario.project, ['reconcile'])).code).toBe(0);
  expect(deletionOf(first.id)).toMatchObject({ successorId: second.id, reassigned: ['table orders'] });
  expect(records().map((r) => r.id)).toEqual([second.id]);
});

test('a recorded successor that moved to another branch is not used: the objects go to postgres', async () => {
  scenario.project.synth((stack) => {
    const heir = new DatabasePassword(stack, 'heir', { database: 'analytics' });
    new DatabasePassword(stack, 'api', { database: 'analytics', successor: heir });
  });
  await scenario.project.applyOk();
  const api = roleEntry('access/api');
  scenario.project.synth((stack) => new DatabasePassword(stack, 'heir', { database: 'analytics', branch: 'dev' }));
  await scenario.project.applyOk();
  expect(deletionOf(api.id)).toMatchObject({ successor: 'postgres' });
});

test('renewBefore renews a role through the renew route (same secret); an expired role is replaced, its objects kept', async () => {
  declare({ ttl: '30d', renewBefore: '7d' });
  await scenario.project.applyOk();
  const before = roleEntry('access/api');
  scenario.emulator.clock.advance(25 * 86_400_000);
  try {
    const plan = await runCli(scenario.project, ['plan']);
    expect(plan.output).toContain(`~ renew role access/api (expires ${before.expires_at}; same secret)`);
    expect((await runCli(scenario.project, ['reconcile'])).code).toBe(0);
    const after = roleEntry('access/api');
    expect(after).toEqual({ ...after, id: before.id, password: before.password });
    expect(new Date(after.expires_at!).getTime()).toBeGreaterThan(new Date(before.expires_at!).getTime() + 20 * 86_400_000);

    // Past its TTL a role cannot be renewed: a new one replaces it and inherits its objects.
    scenario.emulator.store.state.roles.find((r) => r.id === before.id)!.ownedObjects.push('table events');
    scenario.emulator.clock.advance(31 * 86_400_000);
    const reconciled = await runCli(scenario.project, ['reconcile']);
    expect(reconciled.code).toBe(0);
    const replacement = roleEntry('access/api');
    expect(replacement.id).not.toBe(before.id);
    expect(deletionOf(before.id)).toMatchObject({ successorId: replacement.id, reassigned: ['table events'] });
  } finally {
    scenario.emulator.clock.advance(-56 * 86_400_000);
  }
});

test('removal hands the objects to the default role postgres, or to the declared successor; destroy to postgres', async () => {
  scenario.project.synth((stack) => {
    const owner = new DatabasePassword(stack, 'migrations', { database: 'analytics', role: 'admin' });
    new DatabasePassword(stack, 'api', { database: 'analytics', successor: owner });
    new DatabasePassword(stack, 'batch', { database: 'analytics' });
  });
  await scenario.project.applyOk();
  const [migrations, api, batch] = ['migrations', 'api', 'batch'].map((id) => roleEntry(`access/${id}`));
  expect(api.successor).toEqual({ path: 'access/migrations' });
  for (const entry of [api, batch]) scenario.emulator.store.state.roles.find((r) => r.id === entry.id)!.ownedObjects.push(`table of ${entry.id}`);

  scenario.project.synth((stack) => new DatabasePassword(stack, 'migrations', { database: 'analytics', role: 'admin' }));
  const output = await scenario.project.applyOk();
  expect(output).toContain('0 created, 0 changed, 0 renewed, 2 deleted, 0 failed');
  expect(deletionOf(api.id)).toMatchObject({ successor: migrations.id, reassigned: [`table of ${api.id}`] });
  expect(deletionOf(batch.id)).toMatchObject({ successor: 'postgres', reassigned: [`table of ${batch.id}`] });
  expect(Object.keys(scenario.project.outputs().access)).toEqual(['access/migrations']);

  expect((await scenario.project.destroy()).code).toBe(0);
  expect(deletionOf(migrations.id)).toMatchObject({ successor: 'postgres', reassigned: [`table of ${api.id}`] });
  expect(records()).toEqual([]);
});

test('an IP rule on a role follows it across rotations, by its username without the branch suffix', async () => {
  const define = (rotation: string) =>
    scenario.project.synth((stack) => {
      const api = new DatabasePassword(stack, 'api', { database: 'analytics', rotation });
      new IpRestriction(stack, 'api-office', { database: 'analytics', role: api, cidrs: ['203.0.113.0/24'] });
      new IpRestriction(stack, 'everyone', { database: 'analytics', cidrs: ['10.0.0.0/8'], description: 'BI' });
    });
  define('');
  await scenario.project.applyOk();
  const rules = () => scenario.emulator.store.state.ipRules.filter((r) => r.database === 'analytics');
  const first = roleEntry('access/api');
  expect(rules().map((r) => [r.role, r.cidrs]).sort()).toEqual([['', ['10.0.0.0/8']], [first.base_username, ['203.0.113.0/24']]]);

  define('2026-11');
  const output = await scenario.project.applyOk();
  expect(output).toContain('1 created, 1 changed, 0 renewed, 1 deleted, 0 failed');
  const second = roleEntry('access/api');
  expect(rules().map((r) => [r.role, r.cidrs]).sort()).toEqual([['', ['10.0.0.0/8']], [second.base_username, ['203.0.113.0/24']]]);
});

test('props of the other engine fail with one line when only PlanetScale knows the kind; the rest is applied', async () => {
  scenario.project.synth((stack) => {
    new DatabasePassword(stack, 'replica', { database: 'analytics', replica: true });
    new DatabasePassword(stack, 'heir', { database: 'shop', successor: 'postgres' });
    new DatabasePassword(stack, 'fine', { database: 'analytics' });
    const vtgate = new DatabasePassword(stack, 'vtgate', { database: 'analytics', directVtgate: true });
    new IpRestriction(stack, 'office', { password: vtgate, cidrs: ['203.0.113.0/24'] });
  });
  const result = await scenario.project.apply();
  expect(result.code).not.toBe(0);
  expect(result.output).toContain(
    'planetscale access/replica: database analytics in organization acme is a Postgres database; replica applies to MySQL/Vitess passwords only ' +
      '(on Postgres, restrict a role with IpRestriction({ database, role: password }))',
  );
  expect(result.output).toContain('planetscale access/heir: database shop in organization acme is a MySQL/Vitess database; successor applies to Postgres roles only');
  expect(result.output).toContain(
    'planetscale access/vtgate: database analytics in organization acme is a Postgres database; directVtgate and an IpRestriction({ password }) allow-list apply to MySQL/Vitess passwords only',
  );
  expect(result.output).toContain('1 created, 0 changed, 0 renewed, 0 deleted, 3 failed');
  expect(roleEntry('access/fine').engine).toBe('postgresql');
});
