import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileMode, temporaryDirectory } from './support/env';
import { connectionStrings } from '../src/outputs/connection-strings';
import type { PasswordEntry } from '../src/outputs/entries';
import { OutputsFile } from '../src/outputs/outputs-file';

function entry(id: string): PasswordEntry {
  const details = { host: 'aws.connect.psdb.cloud', username: `user${id}`, password: `pscale_pw_${id}`, database: 'shop' };
  return {
    kind: 'password',
    id,
    name: `n${id}`,
    username: details.username,
    host: details.host,
    database: 'shop',
    branch: 'main',
    role: 'reader',
    expires_at: null,
    password: details.password,
    connection_strings: connectionStrings(details),
  };
}

let dir: ReturnType<typeof temporaryDirectory>;
beforeEach(() => {
  dir = temporaryDirectory('outputs');
});
afterEach(() => dir.remove());

test('one run writes with group commit: concurrent changes never lose an entry and share writes; 0600, complete JSON', async () => {
  const file = new OutputsFile(join(dir.path, 'nested', 'outputs.json'));
  const writer = await file.open('a');
  await Promise.all([...Array(40).keys()].map((i) => writer.put(`a/p${i}`, entry(String(i)))));
  await writer.close();
  const document = file.read();
  expect(Object.keys(document.a)).toHaveLength(40);
  // Every change was durable when its promise resolved, yet 40 entries took far fewer than 40 writes.
  expect(writer.writes).toBeLessThan(5);
  expect(fileMode(file.path)).toBe('600');
  expect(JSON.parse(readFileSync(file.path, 'utf8'))).toEqual(document);
  // Written exactly as JSON.stringify with two spaces would write it, though each entry was rendered once.
  expect(readFileSync(file.path, 'utf8')).toBe(`${JSON.stringify(document, null, 2)}\n`);
});

test('entries are removed by object id; an emptied stack disappears; other stacks are kept', async () => {
  const file = new OutputsFile(join(dir.path, 'outputs.json'));
  const other = await file.open('other');
  await other.put('other/x', entry('9'));
  await other.close();
  const writer = await file.open('s');
  await writer.put('s/one', entry('1'));
  await writer.put('s/two', entry('2'));
  await writer.removeIds(['1', 'not-there']);
  expect(Object.keys(file.read().s)).toEqual(['s/two']);
  await writer.removeIds(['2']);
  await writer.close();
  expect(Object.keys(file.read())).toEqual(['other']);
});

test('the pending journal names credentials whose create started, until their secret is settled (recorded and delivered)', async () => {
  const file = new OutputsFile(join(dir.path, 'outputs.json'));
  const writer = await file.open('s');
  await writer.markPending(['n1', 'n2', 'n3']);
  expect([...file.pending('s')].sort()).toEqual(['n1', 'n2', 'n3']);
  // Recording an entry leaves its name pending: the sink may not have it yet.
  await writer.put('s/one', entry('1'));
  expect([...file.pending('s')].sort()).toEqual(['n1', 'n2', 'n3']);
  // Settling is written lazily (here at close); clearing at once.
  writer.settle(['n1']);
  await writer.clearPending(['n2']);
  expect([...file.pending('s')].sort()).toEqual(['n3']);
  await writer.close();
  expect([...file.pending('s')]).toEqual(['n3']);
  expect(readFileSync(`${file.path}.pending`, 'utf8')).not.toContain('pscale_pw_');
  const again = await file.open('s');
  await again.clearPending(['n3']);
  await again.close();
  expect(existsSync(`${file.path}.pending`)).toBe(false);
});

test('restore puts back the entry a key had, or removes the key', async () => {
  const file = new OutputsFile(join(dir.path, 'outputs.json'));
  const writer = await file.open('s');
  await writer.put('s/app', entry('1'));
  await writer.put('s/app', entry('2'));
  await writer.restore('s/app', entry('1'));
  expect(file.read().s['s/app'].id).toBe('1');
  await writer.put('s/new', entry('3'));
  await writer.restore('s/new', undefined);
  await writer.close();
  expect(Object.keys(file.read().s)).toEqual(['s/app']);
});

test('a write that fails drops its batch: the next write does not carry the failed entry to disk', async () => {
  const file = new OutputsFile(join(dir.path, 'outputs.json'));
  const writer = await file.open('s');
  await writer.put('s/kept', entry('1'));
  // A non-empty directory in the file's place makes the rename fail, even for root.
  rmSync(file.path);
  mkdirSync(join(file.path, 'blocker'), { recursive: true });
  await expect(writer.put('s/lost', entry('2'))).rejects.toThrow();
  expect(Object.keys(writer.entries)).toEqual(['s/kept']);
  rmSync(file.path, { recursive: true });
  await writer.put('s/second', entry('3'));
  await writer.close();
  expect(Object.keys(file.read().s).sort()).toEqual(['s/kept', 's/second']);
});

test('a second run waits for the first to finish', async () => {
  const file = new OutputsFile(join(dir.path, 'outputs.json'));
  const first = await file.open('s');
  const waits: string[] = [];
  let secondOpened = false;
  const second = file.open('s', { onWait: (line) => waits.push(line) }).then((writer) => {
    secondOpened = true;
    return writer;
  });
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(secondOpened).toBe(false);
  expect(waits).toEqual([expect.stringContaining(`waiting for another run to finish (pid ${process.pid}`)]);
  await first.close();
  await (await second).close();
  expect(secondOpened).toBe(true);
});

test('a lock left by a killed run is taken over at once; one held by a live process is waited for, up to a limit', async () => {
  const file = new OutputsFile(join(dir.path, 'outputs.json'));
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  writeFileSync(`${file.path}.lock`, JSON.stringify({ pid: Number(dead.stdout), host: hostname(), started: new Date().toISOString() }));
  const started = Date.now();
  const writer = await file.open('s');
  expect(Date.now() - started).toBeLessThan(1000);
  await writer.close();
  expect(existsSync(`${file.path}.lock`)).toBe(false);

  // A pid in another pid namespace (another container sharing this host name) means nothing here: the holder is judged
  // by its heartbeat, waited for while the lock is fresh, taken over once it is stale.
  writeFileSync(`${file.path}.lock`, JSON.stringify({ pid: Number(dead.stdout), host: hostname(), started: new Date().toISOString(), pidns: 'pid:[1]' }));
  await expect(file.open('s', { timeoutMs: 300 })).rejects.toThrow(`another run holds ${file.path}.lock`);
  await expect(file.open('s', { timeoutMs: 300 })).rejects.toThrow(`(if no run is going on, delete ${file.path}.lock)`);
  // A live holder keeps its lock fresh.
  rmSync(`${file.path}.lock`);
  const holding = await file.open('s', { staleMs: 600 });
  await new Promise((resolve) => setTimeout(resolve, 800));
  expect(Date.now() - statSync(`${file.path}.lock`).mtimeMs).toBeLessThan(400);
  await holding.close();
  writeFileSync(`${file.path}.lock`, JSON.stringify({ pid: Number(dead.stdout), host: hostname(), started: new Date().toISOString(), pidns: 'pid:[1]' }));
  const old = new Date(Date.now() - 60_000);
  utimesSync(`${file.path}.lock`, old, old);
  await (await file.open('s', { timeoutMs: 300 })).close();
  expect(existsSync(`${file.path}.lock`)).toBe(false);

  const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
  try {
    writeFileSync(`${file.path}.lock`, JSON.stringify({ pid: live.pid, host: hostname(), started: new Date().toISOString() }));
    await expect(file.open('s', { timeoutMs: 300 })).rejects.toThrow(`another run holds ${file.path}.lock`);
  } finally {
    live.kill();
  }
});

test('a file that is not a JSON object is never overwritten', async () => {
  const path = join(dir.path, 'outputs.json');
  writeFileSync(path, 'precious notes');
  await expect(new OutputsFile(path).open('s')).rejects.toThrow(`outputs file ${path} is not a JSON object; refusing to overwrite it`);
  expect(readFileSync(path, 'utf8')).toBe('precious notes');
  // The failed open left no lock behind.
  expect(existsSync(`${path}.lock`)).toBe(false);
});

test('connection strings carry the credentials in each framework format', () => {
  const strings = connectionStrings({ host: 'h.example', username: 'u1', password: 'pscale_pw_secret', database: 'shop' });
  expect(strings.general).toBe('mysql://u1:pscale_pw_secret@h.example:3306/shop?ssl={"rejectUnauthorized":true}');
  expect(strings.prisma).toBe('mysql://u1:pscale_pw_secret@h.example:3306/shop?sslaccept=strict');
  expect(strings.go_dsn).toBe('u1:pscale_pw_secret@tcp(h.example:3306)/shop?tls=true&interpolateParams=true&parseTime=true');
  expect(strings.jdbc).toBe('jdbc:mysql://h.example:3306/shop?sslMode=VERIFY_IDENTITY&user=u1&password=pscale_pw_secret');
  expect(strings.dotnet).toBe('Server=h.example;Port=3306;Database=shop;User ID=u1;Password=pscale_pw_secret;SslMode=VerifyFull;');
  expect(strings.laravel_env.split('\n')).toContain('DB_PASSWORD=pscale_pw_secret');
  expect(strings.symfony_env).toMatch(/^DATABASE_URL="mysql:\/\/u1:pscale_pw_secret@h\.example:3306\/shop\?/);
  expect(strings.rails).toMatch(/^mysql2:\/\/u1:pscale_pw_secret@h\.example:3306\/shop\?ssl_mode=verify_identity/);
  expect(strings.python).toMatch(/^mysql\+pymysql:\/\/u1:pscale_pw_secret@h\.example:3306\/shop\?/);
  expect(strings.rust).toMatch(/^mysql:\/\/u1:pscale_pw_secret@h\.example:3306\/shop\?ssl-mode=VERIFY_IDENTITY/);
  expect(strings.php_pdo).toContain('new PDO("mysql:host=h.example;port=3306;dbname=shop", "u1", "pscale_pw_secret"');
});
