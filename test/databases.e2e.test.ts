import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse as parseAdoNet } from '@tediousjs/connection-string';
import { parse as parseEnv } from 'dotenv';
import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import { BUNDLES } from '../scripts/bundle';
import { runProbe, type ProbeAttempt, type ProbeOptions, type ProbeResult } from '../scripts/connect-probe';
import { DatabasePassword, IpRestriction, type DatabasePasswordProps } from '../src';
import { startEmulator } from '../src/emulator';
import { useScenario } from './support/scenario';
import { hostPatterns } from '../src/emulator/databases/mysql-accounts';
import { BOOTSTRAP_SUPERUSER } from '../src/emulator/databases/postgres';
import type { MysqlPasswordEntry, PostgresRoleEntry } from '../src/outputs/entries';

/**
 * Credentials that really connect: the emulator runs a real MariaDB and PostgreSQL (`databases: true`), the stack is
 * applied with the real terraform binary, and a separate Node process (an application that trusts the emulator's CA
 * through NODE_EXTRA_CA_CERTS) connects with what the outputs file holds, through mysql2 and pg.
 */

const scenario = useScenario({ databases: true });

const MYSQL_CHECK = ['SELECT 1 AS one, CURRENT_USER() AS user'];
const PG_CHECK = ['SELECT 1 AS one, current_user AS user'];

function caFile(): string {
  return scenario.emulator.databases!.caFile;
}

function probe(attempts: ProbeAttempt[]): Promise<ProbeResult[]> {
  return runProbe(attempts, caFile());
}

function mysqlEntry(path: string): MysqlPasswordEntry {
  const entry = scenario.project.passwordEntry(path);
  if (entry.engine === 'postgresql') throw new Error(`${path} is a Postgres role entry`);
  return entry;
}

function roleEntry(path: string): PostgresRoleEntry {
  const entry = scenario.project.passwordEntry(path);
  if (entry.engine !== 'postgresql') throw new Error(`${path} is not a Postgres role entry`);
  return entry;
}

/** What a URL names, as options for a client; `caParameter` names the query parameter holding the CA file, if any. */
function urlOptions(text: string, caParameter?: string): ProbeOptions {
  const url = new URL(text.replace(/^jdbc:/, ''));
  return {
    host: url.hostname,
    port: Number(url.port),
    user: decodeURIComponent(url.username || url.searchParams.get('user') || ''),
    password: decodeURIComponent(url.password || url.searchParams.get('password') || ''),
    database: decodeURIComponent(url.pathname.slice(1)),
    caFile: caParameter ? (url.searchParams.get(caParameter) ?? 'missing-ca-parameter') : undefined,
  };
}

function mysqlOptions(entry: MysqlPasswordEntry): ProbeOptions {
  return { host: entry.host, port: 3306, user: entry.username, password: entry.password, database: entry.database, caFile: caFile() };
}

function pgOptions(entry: PostgresRoleEntry): ProbeOptions {
  return { host: entry.host, port: 5432, user: entry.username, password: entry.password, database: entry.database_name, caFile: caFile() };
}

/** An application session held open in the test process (TLS verified against the emulator's CA). */
async function mysqlSession(entry: MysqlPasswordEntry) {
  const { host, port, user, password, database } = mysqlOptions(entry);
  const session = await createConnection({ host, port, user, password, database, ssl: { ca: readFileSync(caFile(), 'utf8') } });
  session.on('error', () => undefined);
  return session;
}

function mysqlAttempt(label: string, connection: string | ProbeOptions, statements = MYSQL_CHECK): ProbeAttempt {
  return { label, client: 'mysql2', connection, statements };
}

function pgAttempt(label: string, connection: string | ProbeOptions, statements = PG_CHECK): ProbeAttempt {
  return { label, client: 'pg', connection, statements };
}

/** The results by label: `true` when it connected and ran its statements, else the error code. */
function outcomes(results: ProbeResult[]): Record<string, true | string> {
  return Object.fromEntries(results.map((r) => [r.label, r.ok ? true : r.code]));
}

function rowsOf(results: ProbeResult[], label: string): Array<Record<string, unknown>> {
  const result = results.find((r) => r.label === label);
  if (!result?.ok) throw new Error(`${label} did not connect: ${result && !result.ok ? `${result.code} ${result.message}` : 'no result'}`);
  return result.rows;
}

/** Moves the emulator's clock through its HTTP control, which answers once the database users have followed. */
async function advanceClock(seconds: number): Promise<void> {
  const response = await fetch(new URL('/_emulator/clock', scenario.emulator.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ advanceSeconds: seconds }),
  });
  if (!response.ok) throw new Error(`moving the emulator clock failed: ${response.status}`);
}

function declare(props: Partial<DatabasePasswordProps> = {}) {
  scenario.project.synth((stack) => new DatabasePassword(stack, 'app', { database: 'shop', role: 'admin', ...props }));
}

test('the API answers the local servers as the host, and the apply names the emulator CA in the strings that need a file', async () => {
  declare();
  await scenario.project.applyOk();
  const entry = mysqlEntry('access/app');
  expect(entry.host).toBe(scenario.emulator.databases!.address);
  expect(entry.host).toMatch(/^127\.\d+\.\d+\.\d+$/);
  expect(entry.connection_strings.rails).toContain(`sslca=${caFile()}`);
});

test('every MySQL connection string an npm client can read connects and runs SELECT 1', async () => {
  declare();
  await scenario.project.applyOk();
  const entry = mysqlEntry('access/app');
  const strings = entry.connection_strings;
  const laravel = parseEnv(strings.laravel_env);
  const symfony = parseEnv(strings.symfony_env);
  const dotnet = new Map(Object.entries(Object.fromEntries(parseAdoNet(strings.dotnet))).map(([k, v]) => [k, String(v)]));
  const results = await probe([
    // Given to mysql2 exactly as written.
    mysqlAttempt('general', strings.general),
    // Read by a real parser (URL, dotenv, the ADO.NET parser), then given to mysql2 with the TLS the format names:
    // the CA file it names, or the system store where it names none (Prisma's sslaccept=strict, .NET VerifyFull, JDBC).
    mysqlAttempt('prisma', urlOptions(strings.prisma)),
    mysqlAttempt('rails', urlOptions(strings.rails, 'sslca')),
    mysqlAttempt('python', urlOptions(strings.python, 'ssl_ca')),
    mysqlAttempt('rust', urlOptions(strings.rust, 'ssl-ca')),
    mysqlAttempt('jdbc', urlOptions(strings.jdbc)),
    mysqlAttempt('laravel_env', {
      host: laravel.DB_HOST,
      port: Number(laravel.DB_PORT),
      user: laravel.DB_USERNAME,
      password: laravel.DB_PASSWORD,
      database: laravel.DB_DATABASE,
      caFile: laravel.MYSQL_ATTR_SSL_CA,
    }),
    mysqlAttempt('symfony_env', { ...urlOptions(symfony.DATABASE_URL), caFile: symfony.MYSQL_ATTR_SSL_CA }),
    mysqlAttempt('dotnet', {
      host: dotnet.get('server')!,
      port: Number(dotnet.get('port')),
      user: dotnet.get('user id')!,
      password: dotnet.get('password')!,
      database: dotnet.get('database')!,
    }),
  ]);
  expect(outcomes(results)).toEqual(Object.fromEntries(results.map((r) => [r.label, true])));
  expect(results).toHaveLength(9);
  for (const result of results) expect(rowsOf(results, result.label)).toEqual([{ one: 1, user: `${entry.username}@%` }]);
});

test('every Postgres connection string an npm client can read connects and runs SELECT 1', async () => {
  scenario.project.synth((stack) => new DatabasePassword(stack, 'api', { database: 'analytics', role: 'readwriter' }));
  await scenario.project.applyOk();
  const entry = roleEntry('access/api');
  const strings = entry.connection_strings;
  const laravel = parseEnv(strings.laravel_env);
  const dotnet = new Map(Object.entries(Object.fromEntries(parseAdoNet(strings.dotnet))).map(([k, v]) => [k, String(v)]));
  const results = await probe([
    // Given to node-postgres exactly as written: sslmode=verify-full with the system store (node_postgres, Prisma's
    // sslaccept=strict, which pg ignores) or with the CA file named in sslrootcert (the libpq URLs).
    pgAttempt('node_postgres', strings.node_postgres),
    pgAttempt('prisma', strings.prisma),
    pgAttempt('rails', strings.rails),
    pgAttempt('django', strings.django),
    pgAttempt('sqlalchemy', strings.sqlalchemy),
    pgAttempt('go_pgx', strings.go_pgx),
    pgAttempt('rust', strings.rust),
    // Laravel's DB_URL, read out of the .env lines by dotenv.
    pgAttempt('laravel_env', laravel.DB_URL),
    // Read by a real parser, then given to pg with the TLS the format names.
    pgAttempt('jdbc', urlOptions(strings.jdbc)),
    pgAttempt('dotnet', {
      host: dotnet.get('host')!,
      port: Number(dotnet.get('port')),
      user: dotnet.get('username')!,
      password: dotnet.get('password')!,
      database: dotnet.get('database')!,
      caFile: dotnet.get('root certificate'),
    }),
  ]);
  expect(outcomes(results)).toEqual(Object.fromEntries(results.map((r) => [r.label, true])));
  expect(results).toHaveLength(10);
  for (const result of results) expect(rowsOf(results, result.label)).toEqual([{ one: 1, user: entry.username }]);
});

test('a MySQL reader can query but not write, a writer can write but not query, an admin can change the schema', async () => {
  scenario.project.synth((stack) => {
    for (const role of ['reader', 'writer', 'readwriter', 'admin'] as const) new DatabasePassword(stack, role, { database: 'shop', role });
  });
  await scenario.project.applyOk();
  const as = (role: string) => mysqlOptions(mysqlEntry(`access/${role}`));
  const table = `t${Date.now()}`;
  const results = await probe([
    mysqlAttempt('admin creates a table', as('admin'), [`CREATE TABLE ${table} (id INT PRIMARY KEY)`, `INSERT INTO ${table} VALUES (1)`]),
    mysqlAttempt('reader queries', as('reader'), [`SELECT id FROM ${table}`]),
    mysqlAttempt('reader inserts', as('reader'), [`INSERT INTO ${table} VALUES (2)`]),
    mysqlAttempt('writer inserts', as('writer'), [`INSERT INTO ${table} VALUES (3)`]),
    mysqlAttempt('writer queries', as('writer'), [`SELECT id FROM ${table}`]),
    mysqlAttempt('writer changes the schema', as('writer'), [`ALTER TABLE ${table} ADD COLUMN x INT`]),
    mysqlAttempt('readwriter inserts and queries', as('readwriter'), [`INSERT INTO ${table} VALUES (4)`, `SELECT id FROM ${table} ORDER BY id`]),
  ]);
  expect(outcomes(results)).toEqual({
    'admin creates a table': true,
    'reader queries': true,
    'reader inserts': 'ER_TABLEACCESS_DENIED_ERROR',
    'writer inserts': true,
    'writer queries': 'ER_TABLEACCESS_DENIED_ERROR',
    'writer changes the schema': 'ER_TABLEACCESS_DENIED_ERROR',
    'readwriter inserts and queries': true,
  });
  expect(rowsOf(results, 'readwriter inserts and queries')).toEqual([{ id: 1 }, { id: 3 }, { id: 4 }]);
});

test('a Postgres reader can query but not write, a writer can write, a readwriter both', async () => {
  scenario.project.synth((stack) => {
    for (const role of ['reader', 'writer', 'readwriter', 'admin'] as const) new DatabasePassword(stack, role, { database: 'analytics', role });
  });
  await scenario.project.applyOk();
  const as = (role: string) => pgOptions(roleEntry(`access/${role}`));
  const table = `t${Date.now()}`;
  const results = await probe([
    pgAttempt('admin creates a table', as('admin'), [`CREATE TABLE ${table} (id int primary key)`, `INSERT INTO ${table} VALUES (1)`]),
    pgAttempt('reader queries', as('reader'), [`SELECT id FROM ${table}`]),
    pgAttempt('reader inserts', as('reader'), [`INSERT INTO ${table} VALUES (2)`]),
    pgAttempt('writer inserts', as('writer'), [`INSERT INTO ${table} VALUES (3)`]),
    pgAttempt('readwriter inserts and reads', as('readwriter'), [`INSERT INTO ${table} VALUES (4)`, `SELECT count(*)::int AS n FROM ${table}`]),
    pgAttempt('readwriter changes the schema', as('readwriter'), [`CREATE TABLE ${table}_rw (id int)`]),
    pgAttempt('admin reads what the writers wrote', as('admin'), [`SELECT id FROM ${table} ORDER BY id`]),
  ]);
  // 42501: insufficient_privilege.
  expect(outcomes(results)).toEqual({
    'admin creates a table': true,
    'reader queries': true,
    'reader inserts': '42501',
    'writer inserts': true,
    'readwriter inserts and reads': true,
    'readwriter changes the schema': '42501',
    'admin reads what the writers wrote': true,
  });
  expect(rowsOf(results, 'readwriter inserts and reads')).toEqual([{ n: 3 }]);
  expect(rowsOf(results, 'admin reads what the writers wrote')).toEqual([{ id: 1 }, { id: 3 }, { id: 4 }]);
});

test('rotation keeps the application connected: the new secret works before the old one is deleted, then the old one is refused', async () => {
  declare({ rotation: '1' });
  await scenario.project.applyOk();
  const before = mysqlEntry('access/app');
  // An application session opened with the first secret.
  const session = await mysqlSession(before);
  try {
    // Rotate, with the delete of the old password refused once: the run stops between "new issued" and "old deleted".
    scenario.emulator.faults.add({ kind: 'status', status: 422, method: 'DELETE', pathIncludes: before.id });
    declare({ rotation: '2' });
    const halfway = await scenario.project.apply();
    expect(halfway.code).not.toBe(0);
    const after = mysqlEntry('access/app');
    expect(after.id).not.toBe(before.id);
    const both = await probe([mysqlAttempt('new', mysqlOptions(after)), mysqlAttempt('old', mysqlOptions(before))]);
    expect(outcomes(both)).toEqual({ new: true, old: true });
    expect((await session.query('SELECT 1 AS one'))[0]).toEqual([{ one: 1 }]);

    await scenario.project.applyOk();
    expect(scenario.emulator.store.state.passwords.some((p) => p.id === before.id)).toBe(false);
    const settled = await probe([mysqlAttempt('new', mysqlOptions(after)), mysqlAttempt('old', mysqlOptions(before))]);
    expect(outcomes(settled)).toEqual({ new: true, old: 'ER_ACCESS_DENIED_ERROR' });
    // The session the deleted password opened is ended too.
    await expect(session.query('SELECT 1')).rejects.toThrow();
  } finally {
    session.destroy();
  }
});

test('an allow-list is enforced at connect: 10.0.0.0/8 refuses a client on 127.0.0.1, an in-place edit to 127.0.0.0/8 admits it', async () => {
  const restrict = (cidrs: string[]) =>
    scenario.project.synth((stack) => {
      const password = new DatabasePassword(stack, 'app', { database: 'shop', role: 'reader' });
      new IpRestriction(stack, 'office', { password, cidrs });
    });
  restrict(['10.0.0.0/8', '2001:db8::/32']);
  await scenario.project.applyOk();
  const entry = mysqlEntry('access/app');
  expect(outcomes(await probe([mysqlAttempt('app', mysqlOptions(entry))]))).toEqual({ app: 'ER_ACCESS_DENIED_ERROR' });

  restrict(['127.0.0.0/8']);
  await scenario.project.applyOk();
  expect(mysqlEntry('access/app').id).toBe(entry.id);
  const admitted = await probe([mysqlAttempt('app', mysqlOptions(entry))]);
  expect(rowsOf(admitted, 'app')).toEqual([{ one: 1, user: `${entry.username}@127.0.0.0/255.0.0.0` }]);

  restrict(['127.0.0.2/32', '192.168.0.0/16']);
  await scenario.project.applyOk();
  expect(outcomes(await probe([mysqlAttempt('app', mysqlOptions(entry))]))).toEqual({ app: 'ER_ACCESS_DENIED_ERROR' });
});

test('a Postgres role rotated with its successor keeps the tables its predecessor created', async () => {
  scenario.project.synth((stack) => new DatabasePassword(stack, 'api', { database: 'analytics', role: 'admin', rotation: '1' }));
  await scenario.project.applyOk();
  const first = roleEntry('access/api');
  const table = `orders_${Date.now()}`;
  rowsOf(await probe([pgAttempt('create', pgOptions(first), [`CREATE TABLE ${table} (id int)`, `INSERT INTO ${table} VALUES (42)`])]), 'create');

  scenario.project.synth((stack) => new DatabasePassword(stack, 'api', { database: 'analytics', role: 'admin', rotation: '2' }));
  await scenario.project.applyOk();
  const second = roleEntry('access/api');
  expect(scenario.emulator.store.state.roleDeletions.find((d) => d.id === first.id)).toMatchObject({ successorId: second.id });
  const results = await probe([
    pgAttempt('successor', pgOptions(second), [`SELECT id, (SELECT tableowner FROM pg_tables WHERE tablename = '${table}') AS owner FROM ${table}`]),
    pgAttempt('predecessor', pgOptions(first)),
  ]);
  expect(outcomes(results)).toEqual({ successor: true, predecessor: '28P01' });
  expect(rowsOf(results, 'successor')).toEqual([{ id: 42, owner: second.username }]);

  // Removing the construct hands the tables to the branch's default role (`postgres`): they outlive every generation.
  scenario.project.synth(() => undefined);
  await scenario.project.applyOk();
  const socketDirectory = join(scenario.emulator.databases!.directory, 'postgres');
  const admin = new Client({ host: socketDirectory, port: 5432, user: BOOTSTRAP_SUPERUSER, database: 'postgres' });
  await admin.connect();
  try {
    const branch = scenario.emulator.store.state.branches.find((b) => b.database === 'analytics' && b.name === 'main')!;
    const { rows } = await admin.query('SELECT tableowner FROM pg_tables WHERE tablename = $1', [table]);
    expect(rows).toEqual([{ tableowner: `postgres.${branch.id}` }]);
  } finally {
    await admin.end();
  }
});

test('expiry drops the user and ends its sessions; a renewal before it keeps the password working', async () => {
  declare({ ttl: '1h' });
  await scenario.project.applyOk();
  const entry = mysqlEntry('access/app');
  const session = await mysqlSession(entry);
  try {
    await advanceClock(50 * 60);
    await scenario.api.renewPassword('shop', 'main', entry.id);
    await advanceClock(50 * 60);
    expect(outcomes(await probe([mysqlAttempt('renewed', mysqlOptions(entry))]))).toEqual({ renewed: true });
    expect((await session.query('SELECT 1 AS one'))[0]).toEqual([{ one: 1 }]);

    await advanceClock(20 * 60);
    expect(outcomes(await probe([mysqlAttempt('expired', mysqlOptions(entry))]))).toEqual({ expired: 'ER_ACCESS_DENIED_ERROR' });
    await expect(session.query('SELECT 1')).rejects.toThrow();
  } finally {
    session.destroy();
    await advanceClock(-120 * 60);
  }
});

test('a renewed Postgres role keeps working past its first expiry; removing it from code ends its open sessions', async () => {
  scenario.project.synth((stack) => new DatabasePassword(stack, 'api', { database: 'analytics', role: 'readwriter', ttl: '1h' }));
  await scenario.project.applyOk();
  const entry = roleEntry('access/api');
  const { host, user, password, database } = pgOptions(entry);
  const session = new Client({ host, user, password, database, ssl: { ca: readFileSync(caFile(), 'utf8') } });
  session.on('error', () => undefined);
  await session.connect();
  try {
    await advanceClock(50 * 60);
    await scenario.api.renewRole('analytics', 'main', entry.id);
    await advanceClock(50 * 60);
    expect(outcomes(await probe([pgAttempt('renewed', pgOptions(entry))]))).toEqual({ renewed: true });
    expect((await session.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);

    scenario.project.synth((stack) => new DatabasePassword(stack, 'other', { database: 'analytics' }));
    await scenario.project.applyOk();
    scenario.project.secrets.add(roleEntry('access/other').password);
    // 28P01 (no such role any more) or 28000 (may not log in): refused either way; the open session is gone too.
    expect(outcomes(await probe([pgAttempt('deleted', pgOptions(entry))])).deleted).toMatch(/^28(P01|000)$/);
    await expect(session.query('SELECT 1')).rejects.toThrow();
  } finally {
    await session.end().catch(() => undefined);
    await advanceClock(-100 * 60);
  }
});

/** A call to the emulated API with the bootstrap token, for what the client does not offer (a delete without successor, a reset). */
async function callApi(method: string, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const { id, token } = scenario.emulator.token;
  const response = await fetch(`${scenario.emulator.url}/organizations/${scenario.emulator.organization}${path}`, {
    method,
    headers: { authorization: `${id}:${token}` },
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

test('a Postgres role that owns real tables cannot be deleted without a successor; a reset changes its secret; expiry ends its sessions', async () => {
  const roles = '/databases/analytics/branches/main/roles';
  const role = await scenario.api.createRole('analytics', 'main', { name: 'owner-check', ttl: 3600, inherited_roles: ['postgres'] });
  const options = (password: string): ProbeOptions => ({
    host: role.access_host_url,
    port: 5432,
    user: role.username,
    password,
    database: role.database_name,
    caFile: caFile(),
  });
  const table = `kept_${Date.now()}`;
  rowsOf(await probe([pgAttempt('create', options(role.password), [`CREATE TABLE ${table} (id int)`])]), 'create');

  // PostgreSQL itself says the role owns a table: the API refuses, as PlanetScale does, and the role still connects.
  const refused = await callApi('DELETE', `${roles}/${role.id}`);
  expect([refused.status, refused.body.message]).toEqual([422, 'Role is still referenced and cannot be dropped.']);

  const reset = await callApi('POST', `${roles}/${role.id}/reset`);
  expect(reset.status).toBe(200);
  const secret = String(reset.body.password);
  expect(outcomes(await probe([pgAttempt('new', options(secret)), pgAttempt('old', options(role.password))]))).toEqual({ new: true, old: '28P01' });

  const { host, user, database } = options(secret);
  const session = new Client({ host, user, password: secret, database, ssl: { ca: readFileSync(caFile(), 'utf8') } });
  session.on('error', () => undefined);
  await session.connect();
  try {
    await advanceClock(2 * 3600);
    // 28000: the role may no longer log in. Its table stays.
    expect(outcomes(await probe([pgAttempt('expired', options(secret))]))).toEqual({ expired: '28000' });
    await expect(session.query('SELECT 1')).rejects.toThrow();
  } finally {
    await session.end().catch(() => undefined);
    await advanceClock(-2 * 3600);
  }
  const deleted = await callApi('DELETE', `${roles}/${role.id}?successor=postgres`);
  expect(deleted.status).toBe(204);
});

test('allow-lists become MariaDB host patterns: any address, exact IPv4 addresses, IPv4 networks with netmasks; IPv6 admits nobody', () => {
  expect(hostPatterns([])).toEqual(['%']);
  expect(hostPatterns(['0.0.0.0/0'])).toEqual(['%']);
  expect(hostPatterns(['203.0.113.7/32', '10.0.0.0/8', '192.168.4.0/22'])).toEqual(['203.0.113.7', '10.0.0.0/255.0.0.0', '192.168.4.0/255.255.252.0']);
  expect(hostPatterns(['2001:db8::/32'])).toEqual([]);
});

/** Whether MariaDB's and PostgreSQL's ports are free again at the servers' address. */
async function portsFree(address: string): Promise<boolean[]> {
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, address, () => server.close(() => resolve(true)));
    });
  return [await free(3306), await free(5432)];
}

test('stopping the emulator stops both servers and removes their directory', async () => {
  const emulator = await startEmulator({ databases: true });
  const { address, directory } = emulator.databases!;
  try {
    expect(existsSync(directory)).toBe(true);
  } finally {
    await emulator.stop();
  }
  expect(existsSync(directory)).toBe(false);
  expect(await portsFree(address)).toEqual([true, true]);
});

test.each(['SIGHUP', 'SIGTERM'] as const)('planetscale-cdktf emulator --databases stops both servers and removes their directory on %s', async (signal) => {
  const child = spawn(process.execPath, [BUNDLES.cli.outfile, 'emulator', '--databases', '--port', '0', '--token-file', join(tmpdir(), `psc-token-${process.pid}-${signal}.json`)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
  try {
    await new Promise<void>((ready, failed) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('export NODE_EXTRA_CA_CERTS=')) ready();
      });
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      void exited.then(() => failed(new Error(`the emulator exited early: ${output}`)));
    });
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const address = /database servers on (\S+):/.exec(output)![1];
  const directory = dirname(/export NODE_EXTRA_CA_CERTS=(\S+)/.exec(output)![1]);
  expect(existsSync(directory)).toBe(true);
  child.kill(signal);
  expect(await exited).toBe(0);
  expect(existsSync(directory)).toBe(false);
  expect(await portsFree(address)).toEqual([true, true]);
});
