import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DatabasePassword, IpRestriction, type DatabasePasswordProps } from '../src';
import { SCENARIO_INVENTORY_REQUESTS, useScenario } from './support/scenario';
import { TerraformProject } from './support/terraform';
import { parseOwnedName } from '../src/model/naming';
import { secretOf, type OutputsDocument } from '../src/outputs/entries';

/**
 * End to end: synthesized stacks applied by the real terraform binary against the scenario.emulator. Each scenario asserts on
 * API state, the outputs file and request counts, and that no secret appears anywhere but the outputs file.
 */

const scenario = useScenario();

async function passwordsOn(database: string, branch: string) {
  return scenario.api.listPasswords(database, branch);
}

async function ownedPasswords(owner = 'access') {
  const all = [...(await passwordsOn('shop', 'main')), ...(await passwordsOn('shop', 'dev')), ...(await passwordsOn('inventory', 'main'))];
  return all.filter((p) => parseOwnedName(p.name, owner));
}

function oneAppPassword(props: Partial<DatabasePasswordProps> = {}, cidrs: string[][] = [['203.0.113.0/24']]) {
  return scenario.project.synth((stack) => {
    const app = new DatabasePassword(stack, 'app', { database: 'shop', branch: 'main', role: 'readwriter', ...props });
    cidrs.forEach((list, i) => new IpRestriction(stack, `allow${i}`, { password: app, cidrs: list }));
  });
}

test('deploy: every declared password exists exactly as declared, with its secret only in the outputs file (0600)', async () => {
  scenario.project.synth((stack) => {
    const app = new DatabasePassword(stack, 'app', { database: 'shop', branch: 'main', role: 'readwriter' });
    new IpRestriction(stack, 'office', { password: app, cidrs: ['203.0.113.0/24', '2001:db8::/48'] });
    new IpRestriction(stack, 'ci', { password: app, cidrs: ['198.51.100.7', '203.0.113.0/24'] });
    new DatabasePassword(stack, 'analytics', { database: 'shop', branch: 'main', role: 'reader', ttl: '30d', replica: true });
    new DatabasePassword(stack, 'dev-admin', { database: 'shop', branch: 'dev', role: 'admin', ttl: 3600, directVtgate: true });
  });
  scenario.emulator.requests.reset();
  await scenario.project.applyOk();

  const app = scenario.project.passwordEntry('access/app');
  const live = await scenario.api.getPassword('shop', 'main', app.id);
  expect(live).toMatchObject({ role: 'readwriter', ttl_seconds: null, replica: false, direct_vtgate: false, name: app.name });
  expect(live.cidrs!.sort()).toEqual(['198.51.100.7/32', '2001:db8::/48', '203.0.113.0/24']);
  const analytics = await scenario.api.getPassword('shop', 'main', scenario.project.passwordEntry('access/analytics').id);
  expect(analytics).toMatchObject({ role: 'reader', ttl_seconds: 2592000, replica: true, cidrs: null });
  const dev = await scenario.api.getPassword('shop', 'dev', scenario.project.passwordEntry('access/dev-admin').id);
  expect(dev).toMatchObject({ role: 'admin', ttl_seconds: 3600, direct_vtgate: true });

  expect(scenario.project.outputsMode()).toBe('600');
  expect(app).toMatchObject({ kind: 'password', database: 'shop', branch: 'main', role: 'readwriter', host: live.access_host_url, username: live.username });
  expect(app.password).toMatch(/^pscale_pw_[A-Za-z0-9]{43}$/);
  expect(Object.keys(app.connection_strings).sort()).toEqual(
    ['dotnet', 'general', 'go_dsn', 'jdbc', 'laravel_env', 'php_pdo', 'prisma', 'python', 'rails', 'rust', 'symfony_env'].sort(),
  );
  for (const text of Object.values(app.connection_strings)) expect(text).toContain(app.password);
  expect(scenario.project.passwordEntry('access/dev-admin').expires_at).toBe(dev.expires_at);

  // One create per password, its CIDRs set at creation (no PATCH), nothing deleted.
  expect(scenario.emulator.requests.count('create_password')).toBe(3);
  expect(scenario.emulator.requests.count('update_password')).toBe(0);
  expect(scenario.emulator.requests.count('delete_password')).toBe(0);
  expect((await ownedPasswords()).length).toBe(3);
  expect(scenario.project.secrets.size).toBe(3);

  // A second apply with no change touches nothing, and plan calls no API.
  scenario.emulator.requests.reset();
  const plan = await scenario.project.plan();
  expect(plan.output).toContain('No changes.');
  expect(scenario.emulator.requests.total).toBe(0);
});

test('a CIDR edit patches the password in place: same id, same secret, no rotation', async () => {
  oneAppPassword({}, [['203.0.113.0/24']]);
  await scenario.project.applyOk();
  const before = scenario.project.passwordEntry('access/app');

  oneAppPassword({}, [['203.0.113.0/24', '192.0.2.0/24']]);
  const plan = await scenario.project.plan();
  // The password is updated in place; only the stack's run (the reconciler) is replaced, as on every change.
  expect(plan.output).toMatch(/# terraform_data\.app_\w+ will be updated in-place/);
  expect(plan.output).toMatch(/~ cidrs *= \[\s*\+ "192\.0\.2\.0\/24",/);
  expect(plan.output).not.toMatch(/terraform_data\.app_\w+ .*must be replaced/);
  expect(plan.output).toContain('Plan: 1 to add, 1 to change, 1 to destroy.');
  scenario.emulator.requests.reset();
  await scenario.project.applyOk();

  // The listing (one page per location) and one PATCH: no create, no delete, no per-object lookup.
  expect(scenario.emulator.requests.snapshot()).toEqual({
    ...SCENARIO_INVENTORY_REQUESTS,
    'PATCH update_password': 1,
  });
  const after = scenario.project.passwordEntry('access/app');
  expect(after).toEqual(before);
  const live = await scenario.api.getPassword('shop', 'main', before.id);
  expect(live.cidrs!.sort()).toEqual(['192.0.2.0/24', '203.0.113.0/24']);
});

test('removing every IpRestriction opens the password again, visibly in the plan', async () => {
  oneAppPassword({}, [['203.0.113.0/24'], ['198.51.100.0/24']]);
  await scenario.project.applyOk();
  const before = scenario.project.passwordEntry('access/app');
  oneAppPassword({}, []);
  const plan = await scenario.project.plan();
  expect(plan.output).toMatch(/- *"198\.51\.100\.0\/24"/);
  expect(plan.output).toMatch(/- *"203\.0\.113\.0\/24"/);
  await scenario.project.applyOk();
  expect((await scenario.api.getPassword('shop', 'main', before.id)).cidrs).toBeNull();
  expect(scenario.project.passwordEntry('access/app').id).toBe(before.id);
});

test.each<[string, Partial<DatabasePasswordProps>]>([
  ['role', { role: 'reader' }],
  ['ttl', { ttl: '12h' }],
  ['replica', { replica: true }],
  ['direct VTGate', { directVtgate: true }],
  ['branch', { branch: 'dev' }],
  ['rotation label', { rotation: '2026-12' }],
])('a %s edit creates the new password first, then deletes the old one', async (_field, change) => {
  oneAppPassword();
  await scenario.project.applyOk();
  const before = scenario.project.passwordEntry('access/app');

  oneAppPassword(change);
  const plan = await scenario.project.plan();
  // The password itself must be replaced: a new secret will be issued.
  expect(plan.output).toMatch(/# terraform_data\.app_\w+ must be replaced/);
  const output = await scenario.project.applyOk();

  const after = scenario.project.passwordEntry('access/app');
  expect(after.id).not.toBe(before.id);
  expect(after.password).not.toBe(before.password);
  const created = output.indexOf(`created password ${after.name}`);
  const deleted = output.indexOf(`deleted password ${before.name} (${before.id})`);
  expect(created).toBeGreaterThan(-1);
  expect(deleted).toBeGreaterThan(created);
  const owned = await ownedPasswords();
  expect(owned.map((p) => p.id)).toEqual([after.id]);
  // The new password was created with the allow-list already set.
  expect(owned[0].cidrs).toEqual(['203.0.113.0/24']);
});

test('removing a DatabasePassword deletes it, also when it was the last one on its branch', async () => {
  scenario.project.synth((stack) => {
    new DatabasePassword(stack, 'app', { database: 'shop', branch: 'main' });
    new DatabasePassword(stack, 'lonely', { database: 'inventory', branch: 'main' });
  });
  await scenario.project.applyOk();
  const lonely = scenario.project.passwordEntry('access/lonely');

  scenario.project.synth((stack) => {
    new DatabasePassword(stack, 'app', { database: 'shop', branch: 'main' });
  });
  expect((await passwordsOn('inventory', 'main')).map((p) => p.id)).toEqual([lonely.id]);
  await scenario.project.applyOk();
  expect(await passwordsOn('inventory', 'main')).toEqual([]);
  expect(scenario.project.outputs().access['access/lonely']).toBeUndefined();
  expect(scenario.project.outputs().access['access/app']).toBeDefined();
});

test('destroy leaves nothing owned behind and never touches passwords it does not own', async () => {
  const manual = await scenario.api.createPassword('shop', 'main', { name: 'hand-made' });
  const otherOwner = await scenario.api.createPassword('shop', 'main', { name: 'app.other-team.12345678.12345678' });
  const lookalike = await scenario.api.createPassword('shop', 'dev', { name: 'app.access.not-hex.12345678' });
  scenario.project.synth((stack) => {
    new DatabasePassword(stack, 'app', { database: 'shop', branch: 'main' });
    new DatabasePassword(stack, 'dev', { database: 'shop', branch: 'dev', role: 'admin' });
  });
  await scenario.project.applyOk();
  expect(await ownedPasswords()).toHaveLength(2);

  const destroyed = await scenario.project.destroy();
  expect(destroyed.code).toBe(0);
  expect(await ownedPasswords()).toEqual([]);
  expect(scenario.project.outputs()).toEqual({});
  const survivors = [...(await passwordsOn('shop', 'main')), ...(await passwordsOn('shop', 'dev'))].map((p) => p.id);
  for (const p of [manual, otherOwner, lookalike]) await scenario.api.deletePassword('shop', p.database_branch.name, p.id);
  expect(survivors).toEqual(expect.arrayContaining([manual.id, otherOwner.id, lookalike.id]));
});

test('two stacks in one organization do not delete each other\'s passwords', async () => {
  const other = new TerraformProject(scenario.emulator, 'billing');
  try {
    other.synth((stack) => {
      new DatabasePassword(stack, 'app', { database: 'shop', branch: 'main' });
    });
    await other.applyOk();
    scenario.project.synth((stack) => {
      new DatabasePassword(stack, 'app', { database: 'shop', branch: 'main' });
    });
    await scenario.project.applyOk();
    // Removing everything from one stack (the reconciler runs with nothing declared) spares the other's.
    scenario.project.synth(() => undefined);
    await scenario.project.applyOk();
    expect(await ownedPasswords('access')).toEqual([]);
    expect((await ownedPasswords('billing')).map((p) => p.id)).toEqual([other.passwordEntry('billing/app').id]);
  } finally {
    await other.destroy();
    expect(other.leakedSecrets()).toEqual([]);
    other.remove();
  }
});

test('a create that failed after making the password (tainted) runs again and leaves exactly one live password', async () => {
  oneAppPassword();
  // Both the create and its recovery attempt lose their responses: the handler gives up, Terraform taints.
  scenario.emulator.faults.add({ kind: 'drop-after-change', method: 'POST', pathIncludes: '/passwords', count: 2 });
  const failed = await scenario.project.apply();
  expect(failed.code).not.toBe(0);
  expect(failed.output).toContain('outcome unknown');
  expect(await ownedPasswords()).toHaveLength(1);
  expect(scenario.project.outputs().access?.['access/app']).toBeUndefined();

  const output = await scenario.project.applyOk();
  expect(output).toContain('left by an interrupted run');
  const owned = await ownedPasswords();
  expect(owned).toHaveLength(1);
  expect(scenario.project.passwordEntry('access/app').id).toBe(owned[0].id);
});

test('a create whose response was lost once is recovered within the same run', async () => {
  oneAppPassword();
  scenario.emulator.faults.add({ kind: 'drop-after-change', method: 'POST', pathIncludes: '/passwords', count: 1 });
  scenario.emulator.requests.reset();
  await scenario.project.applyOk();
  const owned = await ownedPasswords();
  expect(owned).toHaveLength(1);
  expect(scenario.project.passwordEntry('access/app').id).toBe(owned[0].id);
  expect(scenario.emulator.requests.count('create_password')).toBe(2);
  expect(scenario.emulator.requests.count('delete_password')).toBe(1);
});

test('problems only the API can see fail the apply with one clear line', async () => {
  scenario.project.synth((stack) => {
    new DatabasePassword(stack, 'typo', { database: 'shop', branch: 'mian' });
  });
  const branch = await scenario.project.apply();
  expect(branch.code).not.toBe(0);
  expect(branch.output).toContain('planetscale access/typo: branch mian not found in database shop (organization acme)');

  // A MySQL-only prop on a database that PlanetScale says is Postgres (synth could not know).
  scenario.project.synth((stack) => {
    new DatabasePassword(stack, 'pg', { database: 'analytics', branch: 'main', directVtgate: true });
  });
  const postgres = await scenario.project.apply();
  expect(postgres.code).not.toBe(0);
  expect(postgres.output).toContain('planetscale access/pg: database analytics in organization acme is a Postgres database; directVtgate applies to MySQL/Vitess passwords only');

  scenario.project.synth((stack) => {
    new DatabasePassword(stack, 'app', { database: 'shop', branch: 'main' });
  });
  const missingCredentials = await scenario.project.apply({ PLANETSCALE_SERVICE_TOKEN: '' });
  expect(missingCredentials.code).not.toBe(0);
  expect(missingCredentials.output).toContain('PlanetScale credentials missing: set PLANETSCALE_SERVICE_TOKEN_ID and PLANETSCALE_SERVICE_TOKEN');
});

test('every secret of a run of many creates reaches the outputs file (written together, none lost)', async () => {
  scenario.project.synth((stack) => {
    for (let i = 0; i < 14; i++) new DatabasePassword(stack, `svc${i}`, { database: i % 2 ? 'shop' : 'inventory', branch: 'main' });
  });
  await scenario.project.applyOk();
  expect(Object.keys(scenario.project.outputs().access).sort()).toEqual([...Array(14).keys()].map((i) => `access/svc${i}`).sort());
  expect(scenario.project.secrets.size).toBe(14);
});

test('PLANETSCALE_OUTPUTS_FILE at apply time overrides the outputs file', async () => {
  const override = join(scenario.project.root, 'elsewhere', 'secrets.json');
  scenario.project.synth((stack) => {
    new DatabasePassword(stack, 'app', { database: 'shop', branch: 'main' });
  });
  await scenario.project.applyOk({ PLANETSCALE_OUTPUTS_FILE: override });
  const written = JSON.parse(readFileSync(override, 'utf8')) as OutputsDocument;
  const entry = written.access['access/app'];
  scenario.project.secrets.add(secretOf(entry));
  expect(entry.kind).toBe('password');
  expect(statSync(override).mode.toString(8).slice(-3)).toBe('600');
  expect(existsSync(scenario.project.outputsPath)).toBe(false);
});
