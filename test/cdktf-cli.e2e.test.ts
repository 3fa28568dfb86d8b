import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { offlineEnvironment, runCdktf } from '../scripts/cdktf-cli';
import { PlanetScaleClient } from '../src/api';
import { startEmulator, type RunningEmulator } from '../src/emulator';
import { fileMode } from './support/env';
import { parseOwnedName } from '../src/model/naming';
import { secretOf, type OutputsDocument } from '../src/outputs/entries';

/**
 * The user's path, with the real cdktf CLI: `cdktf deploy`, `cdktf diff` after an edit, `cdktf deploy` again,
 * `cdktf destroy`, on a copy of the example project (cdktf.json + examples/), against the emulator.
 */
const ROOT = resolve(__dirname, '..');
let project: string;
let emulator: RunningEmulator;
let api: PlanetScaleClient;

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), 'psc-cdktf-'));
  for (const file of ['cdktf.json', 'tsconfig.json']) copyFileSync(join(ROOT, file), join(project, file));
  cpSync(join(ROOT, 'examples'), join(project, 'examples'), { recursive: true });
  for (const dir of ['src', 'node_modules', 'assets']) symlinkSync(join(ROOT, dir), join(project, dir));
  writeFileSync(join(project, 'empty.tfrc'), '');
  emulator = await startEmulator();
  api = new PlanetScaleClient({ organization: 'acme', baseUrl: emulator.url, credentials: emulator.token });
});
afterAll(async () => {
  await api.close();
  await emulator.stop();
  rmSync(project, { recursive: true, force: true });
});

async function ownedPasswords() {
  const all = [...(await api.listPasswords('shop', 'main')), ...(await api.listPasswords('shop', 'dev'))];
  return all.filter((p) => parseOwnedName(p.name, 'access'));
}

test('cdktf deploy, diff, deploy an edit, destroy: secrets only in the outputs file beside cdktf.json', async () => {
  const env = offlineEnvironment(join(project, 'empty.tfrc'), emulator.env);
  const transcript: string[] = [];
  const cdktf = async (args: string[], extra: Record<string, string> = {}) => {
    const result = await runCdktf(args, project, { ...env, ...extra });
    transcript.push(result.output);
    if (result.code !== 0) throw new Error(`cdktf ${args.join(' ')} failed:\n${result.output}`);
    return result.output;
  };

  await cdktf(['deploy', 'access', '--auto-approve']);
  const outputsPath = join(project, 'planetscale-outputs.json');
  expect(fileMode(outputsPath)).toBe('600');
  const outputs = (JSON.parse(readFileSync(outputsPath, 'utf8')) as OutputsDocument).access;
  expect(Object.keys(outputs).sort()).toEqual(['access/analytics', 'access/app', 'access/ci', 'access/dev-admin', 'access/reporting']);
  const owned = await ownedPasswords();
  const mysql = Object.values(outputs).filter((e) => e.kind === 'password' && e.engine !== 'postgresql');
  expect(owned.map((p) => p.id).sort()).toEqual(mysql.map((e) => e.id).sort());
  // The Postgres password is a role, and its IP rule names it by its base username.
  const reporting = outputs['access/reporting'];
  if (reporting.kind !== 'password' || reporting.engine !== 'postgresql') throw new Error('access/reporting is not a Postgres role');
  expect((await api.listRoles('analytics', 'main', { q: reporting.name })).map((r) => [r.id, r.inherited_roles])).toEqual([[reporting.id, ['pg_read_all_data']]]);
  const ci = outputs['access/ci'];
  expect(ci.kind).toBe('service-token');
  expect((await api.getServiceTokenGrants(ci.id)).map((g) => [g.resource_name, g.accesses.map((a) => a.access).sort()]).sort()).toEqual([
    ['acme', ['read_databases']],
    ['shop', ['create_branch', 'create_deploy_request', 'read_branch']],
  ]);
  expect((await api.listPostgresIpRules('analytics')).map((r) => [r.cidrs, r.schema, r.role]).sort()).toEqual([
    [['10.20.0.0/16'], '', reporting.base_username],
    [['10.20.0.0/16'], 'reporting', 'bi_reader'],
  ]);
  const app = owned.find((p) => p.id === outputs['access/app'].id)!;
  expect(app).toMatchObject({ role: 'readwriter', replica: false });
  expect(app.cidrs!.sort()).toEqual(['198.51.100.0/26', '2001:db8:4000::/48', '203.0.113.0/24']);

  const office = { OFFICE_CIDRS: '203.0.113.0/24,192.0.2.7' };
  const diff = await cdktf(['diff', 'access'], office);
  // cdktf diff tells the truth: the password is updated in place, only the stack's run is replaced.
  expect(diff).toMatch(/# terraform_data\.app_\w+ \(app\/Resource\) will be updated in-place/);
  expect(diff).toMatch(/"2001:db8:4000::\/48" -> "|- *"2001:db8:4000::\/48"/);
  expect(diff).toContain('Plan: 1 to add, 1 to change, 1 to destroy.');

  await cdktf(['deploy', 'access', '--auto-approve'], office);
  const patched = await api.getPassword('shop', 'main', app.id);
  expect(patched.cidrs!.sort()).toEqual(['192.0.2.7/32', '198.51.100.0/26', '203.0.113.0/24']);
  expect(secretOf((JSON.parse(readFileSync(outputsPath, 'utf8')) as OutputsDocument).access['access/app'])).toBe(secretOf(outputs['access/app']));

  await cdktf(['destroy', 'access', '--auto-approve'], office);
  expect(await ownedPasswords()).toEqual([]);
  expect((await api.listServiceTokens()).filter((t) => t.name && parseOwnedName(t.name, 'access'))).toEqual([]);
  expect(await api.listPostgresIpRules('analytics')).toEqual([]);
  expect((await api.listRoles('analytics', 'main')).filter((r) => parseOwnedName(r.name, 'access'))).toEqual([]);
  expect(JSON.parse(readFileSync(outputsPath, 'utf8'))).toEqual({});

  const forbidden = [
    ...transcript,
    ...['terraform.access.tfstate', 'terraform.access.tfstate.backup'].filter((f) => existsSync(join(project, f))).map((f) => readFileSync(join(project, f), 'utf8')),
    readFileSync(join(project, 'cdktf.out', 'stacks', 'access', 'cdk.tf.json'), 'utf8'),
  ].join('\n');
  for (const entry of Object.values(outputs)) expect(forbidden).not.toContain(secretOf(entry));
  // cdktf's default local backend records where the state lives; nothing this package synthesizes holds a path.
  const synthesized = JSON.parse(readFileSync(join(project, 'cdktf.out', 'stacks', 'access', 'cdk.tf.json'), 'utf8'));
  expect(JSON.stringify(synthesized.resource)).not.toContain(project);
});
