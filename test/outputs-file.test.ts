import { readFileSync, writeFileSync } from 'node:fs';
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

test('concurrent writers never lose an entry; the file is 0600 and complete JSON', async () => {
  const file = new OutputsFile(join(dir.path, 'nested', 'outputs.json'));
  await Promise.all([...Array(40).keys()].map((i) => file.put(i % 2 ? 'a' : 'b', `stack/p${i}`, entry(String(i)))));
  const document = file.read();
  expect(Object.keys(document.a).length + Object.keys(document.b).length).toBe(40);
  expect(fileMode(file.path)).toBe('600');
  expect(JSON.parse(readFileSync(file.path, 'utf8'))).toEqual(document);
});

test('entries are removed by object id; an emptied stack disappears', async () => {
  const file = new OutputsFile(join(dir.path, 'outputs.json'));
  await file.put('s', 's/one', entry('1'));
  await file.put('s', 's/two', entry('2'));
  await file.removeIds('s', ['1', 'not-there']);
  expect(Object.keys(file.read().s)).toEqual(['s/two']);
  await file.removeIds('s', ['2']);
  expect(file.read()).toEqual({});
});

test('a file that is not a JSON object is never overwritten', async () => {
  const path = join(dir.path, 'outputs.json');
  writeFileSync(path, 'precious notes');
  await expect(new OutputsFile(path).put('s', 's/x', entry('1'))).rejects.toThrow(`outputs file ${path} is not a JSON object; refusing to overwrite it`);
  expect(readFileSync(path, 'utf8')).toBe('precious notes');
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
