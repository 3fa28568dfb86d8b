import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, LocalBackend, TerraformStack } from 'cdktf';
import { DatabasePassword, IpRestriction, PlanetScale, ServiceToken } from '../src';
import type { PlanetScaleCredentials } from '../src/api';
import { grantTarget } from '../src/api';
import { DEFAULT_SEED, type Seed } from '../src/emulator';
import { useScenario } from './support/scenario';
import { TerraformProject } from './support/terraform';
import { parseOwnedName } from '../src/model/naming';

/**
 * End to end, against the emulator playing PlanetScale as its own code and words show it (docs/api-fidelity.md): a
 * missing access answers 404, grants are limited and may be refused, overlapping CIDRs are merged. Each scenario runs
 * the real terraform binary and asserts on API state, outputs, request counts and the one line a failure prints.
 */

/** The built-in organization plus 30 more databases, so a token can hold grants on more resources than one page, and one to delete. */
const seed: Seed = {
  organizations: [
    {
      ...DEFAULT_SEED.organizations[0],
      databases: [
        ...DEFAULT_SEED.organizations[0].databases,
        ...[...Array(30).keys()].map((i) => ({ name: `svc${String(i).padStart(2, '0')}`, kind: 'mysql' as const, branches: [{ name: 'main', production: true }] })),
        // Deleted by a test, behind the API's back.
        { name: 'doomed', kind: 'mysql' as const, branches: [{ name: 'main', production: true }] },
      ],
    },
  ],
};

const scenario = useScenario({ seed });

async function limitedToken(grants: { database?: string; access: string[] }[]): Promise<PlanetScaleCredentials> {
  const token = await scenario.api.createServiceToken({ name: `limited-${Date.now()}` });
  for (const grant of grants) await scenario.api.addServiceTokenAccess(token.id, grant);
  return { id: token.id, token: token.token };
}

async function ownedTokens() {
  return (await scenario.api.listServiceTokens()).filter((t) => t.name && parseOwnedName(t.name, 'access'));
}

async function grantsOf(id: string, api = scenario.api): Promise<string[]> {
  return (await api.getServiceTokenGrants(id))
    .flatMap((g) => g.accesses.map((a) => `${grantTarget({ type: g.resource_type, name: g.resource_name }) || '*'}:${a.access}`))
    .sort();
}

describe('a 404 never proves that something is gone', () => {
  test('destroy with a token that may list but not delete: fails naming the access, the password stays live, its outputs entry stays', async () => {
    scenario.project.synth((stack) => new DatabasePassword(stack, 'app', { database: 'shop', branch: 'main' }));
    await scenario.project.applyOk();
    const entry = scenario.project.passwordEntry('access/app');

    const lister = await limitedToken([{ database: 'shop', access: ['read_branch', 'connect_production_branch'] }]);
    const destroyed = await scenario.project.terraform(['destroy', '-auto-approve', '-input=false', '-no-color'], TerraformProject.credentialsEnv(lister));
    expect(destroyed.code).not.toBe(0);
    expect(destroyed.output).toContain(
      `could not delete password ${entry.name} (${entry.id}) on shop/main: the API answered 404 Not Found but the object still exists, ` +
        'so the service token lacks the access to delete it: it needs delete_production_branch_password (production branch) on database shop',
    );
    expect((await scenario.api.getPassword('shop', 'main', entry.id)).id).toBe(entry.id);
    expect(scenario.project.passwordEntry('access/app').password).toBe(entry.password);
  });

  test('a sweep over a database the token cannot list is skipped and reported; the rest is done', async () => {
    scenario.project.synth((stack) => {
      new DatabasePassword(stack, 'app', { database: 'shop', branch: 'dev' });
      new DatabasePassword(stack, 'old', { database: 'shop', branch: 'dev' });
    });
    await scenario.project.applyOk();
    const old = scenario.project.passwordEntry('access/old');
    // Sees inventory (read_database) but may not list its branches; may not list service tokens at all.
    const deployer = await limitedToken([
      { database: 'shop', access: ['read_branch', 'connect_branch', 'delete_branch_password'] },
      { database: 'inventory', access: ['read_database'] },
    ]);
    scenario.project.synth((stack) => new DatabasePassword(stack, 'app', { database: 'shop', branch: 'dev' }));
    const output = await scenario.project.applyOk(TerraformProject.credentialsEnv(deployer));
    expect(output).toContain('warning: branches of inventory: could not list branches of inventory (list branches (organization acme, database inventory) failed with HTTP 404');
    expect(output).toContain('; objects there are left as they are');
    expect(output).toContain('warning: service tokens: could not list service tokens (list service tokens (organization acme) failed with HTTP 404');
    expect(output).toContain(`deleted password ${old.name} (${old.id}) on shop/dev: no longer declared`);
    expect((await scenario.api.listPasswords('shop', 'dev')).map((p) => p.id)).toEqual([scenario.project.passwordEntry('access/app').id]);
    expect(scenario.project.outputs().access['access/old']).toBeUndefined();
  });
});

describe('destroy with a credential scoped to some databases', () => {
  test('the databases the outputs file records are looked up; one that cannot be seen fails the destroy instead of leaving a password behind', async () => {
    // An OAuth token scoped to database shop: it may not list the organization's databases (nor its service tokens).
    const scoped = TerraformProject.credentialsEnv(scenario.emulator.issueAccessToken({ scopes: { databases: { shop: ['manage_passwords', 'read_database', 'read_branches'] } } }));
    scenario.project.synth((stack) => new DatabasePassword(stack, 'app', { database: 'shop', branch: 'dev' }));
    await scenario.project.applyOk(scoped);
    const entry = scenario.project.passwordEntry('access/app');

    const elsewhere = TerraformProject.credentialsEnv(scenario.emulator.issueAccessToken({ scopes: { databases: { inventory: ['manage_passwords', 'read_database', 'read_branches'] } } }));
    const refused = await scenario.project.terraform(['destroy', '-auto-approve', '-input=false', '-no-color'], elsewhere);
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain(`planetscale access/app: cannot see database shop, where its password ${entry.name} (${entry.id}) lives: get database (organization acme, database shop) failed with HTTP 404`);
    expect((await scenario.api.getPassword('shop', 'dev', entry.id)).id).toBe(entry.id);
    expect(scenario.project.passwordEntry('access/app')).toEqual(entry);

    const destroyed = await scenario.project.terraform(['destroy', '-auto-approve', '-input=false', '-no-color'], scoped);
    expect(destroyed.code).toBe(0);
    expect(destroyed.output).toContain(`deleted password ${entry.name} (${entry.id}) on shop/dev: stack destroyed`);
    expect(await scenario.api.listPasswords('shop', 'dev')).toEqual([]);
    expect(scenario.project.outputs()).toEqual({});
  });

  test('a service token whose database list leaves a database out: that database is looked up, and the destroy fails instead of reporting success', async () => {
    scenario.project.synth((stack) => new DatabasePassword(stack, 'app', { database: 'shop', branch: 'dev' }));
    await scenario.project.applyOk();
    const entry = scenario.project.passwordEntry('access/app');
    // Lists databases (PlanetScale shows a service token only those it has access on) but has none on shop.
    const inventoryOnly = await limitedToken([{ database: 'inventory', access: ['read_database', 'read_branch', 'delete_branch_password'] }]);
    const refused = await scenario.project.terraform(['destroy', '-auto-approve', '-input=false', '-no-color'], TerraformProject.credentialsEnv(inventoryOnly));
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain(`planetscale access/app: cannot see database shop, where its password ${entry.name} (${entry.id}) lives: get database (organization acme, database shop) failed with HTTP 404`);
    expect((await scenario.api.getPassword('shop', 'dev', entry.id)).id).toBe(entry.id);
    expect(scenario.project.passwordEntry('access/app')).toEqual(entry);
    expect((await scenario.project.destroy()).code).toBe(0);
    expect(await scenario.api.listPasswords('shop', 'dev')).toEqual([]);
  });

  test('a database deleted before its credentials: a token whose grants cover it takes the 404 for gone and the destroy finishes; one without fails', async () => {
    scenario.project.synth((stack) => new DatabasePassword(stack, 'app', { database: 'doomed', branch: 'main' }));
    await scenario.project.applyOk();
    const entry = scenario.project.passwordEntry('access/app');
    // It may read its own grants (read_service_tokens), which is how the run learns that it would see doomed.
    const covering = await limitedToken([
      { database: 'doomed', access: ['read_database', 'read_branch', 'delete_production_branch_password'] },
      { access: ['read_service_tokens'] },
    ]);
    const elsewhere = await limitedToken([{ database: 'inventory', access: ['read_database', 'read_branch'] }]);
    // The database goes (in the console, or a resource destroyed first), and its passwords with it.
    const state = scenario.emulator.store.state;
    state.passwords = state.passwords.filter((p) => p.database !== 'doomed');
    state.branches = state.branches.filter((b) => b.database !== 'doomed');
    state.databases = state.databases.filter((d) => d.name !== 'doomed');

    const refused = await scenario.project.terraform(['destroy', '-auto-approve', '-input=false', '-no-color'], TerraformProject.credentialsEnv(elsewhere));
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain(`planetscale access/app: cannot see database doomed, where its password ${entry.name} (${entry.id}) lives`);
    expect(scenario.project.passwordEntry('access/app')).toEqual(entry);

    const destroyed = await scenario.project.terraform(['destroy', '-auto-approve', '-input=false', '-no-color'], TerraformProject.credentialsEnv(covering));
    expect(destroyed.code).toBe(0);
    expect(scenario.project.outputs()).toEqual({});
  });

  test('a database IP rule (no outputs entry) where the credential cannot look: the destroy fails naming the database, and a later one deletes it', async () => {
    scenario.project.synth((stack) => {
      new DatabasePassword(stack, 'app', { database: 'shop', branch: 'dev' });
      new IpRestriction(stack, 'bi', { database: 'analytics', cidrs: ['10.0.0.0/8'] });
    });
    await scenario.project.applyOk();
    const shopOnly = TerraformProject.credentialsEnv(scenario.emulator.issueAccessToken({ scopes: { databases: { shop: ['manage_passwords', 'read_database', 'read_branches'] } } }));
    const refused = await scenario.project.terraform(['destroy', '-auto-approve', '-input=false', '-no-color'], shopOnly);
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain('planetscale database analytics: cannot see database analytics, where the stack has objects: get database (organization acme, database analytics) failed with HTTP 404');
    // What it could see is gone; the rule it could not is still there, and so is the destroyer, to run again.
    expect(await scenario.api.listPasswords('shop', 'dev')).toEqual([]);
    expect(await scenario.api.listPostgresIpRules('analytics')).toHaveLength(1);
    expect((await scenario.project.destroy()).code).toBe(0);
    expect(await scenario.api.listPostgresIpRules('analytics')).toEqual([]);
  });
});

describe('service-token grants', () => {
  test('a token with grants on more than 25 databases is edited by exactly the difference', async () => {
    const databases = (from: number, to: number) => [...Array(to - from).keys()].map((i) => `svc${String(from + i).padStart(2, '0')}`);
    const declare = (list: string[], extra: (t: ServiceToken) => void = () => undefined) =>
      scenario.project.synth((stack) => {
        const token = new ServiceToken(stack, 'ci');
        for (const db of list) token.grant(db, ['read_branch']);
        extra(token);
      });
    declare(databases(0, 28));
    await scenario.project.applyOk();
    const entry = scenario.project.tokenEntry('access/ci');
    expect((await grantsOf(entry.id)).length).toBe(28);

    // Drop 3 databases, add 2, widen one: 3 revocations and 3 grants, nothing else.
    declare(databases(3, 30), (t) => t.grant('svc10', ['create_branch']));
    scenario.emulator.requests.reset();
    await scenario.project.applyOk();
    expect(scenario.emulator.requests.count('delete_service_token_accesses')).toBe(3);
    expect(scenario.emulator.requests.count('add_service_token_accesses')).toBe(3);
    // 28 grants are two pages of 25: both are read (and one page of the deploy token's own grants).
    expect(scenario.emulator.requests.count('get_service_token_grants')).toBe(3);
    const expected = [...databases(3, 30).map((db) => `${db}:read_branch`), 'svc10:create_branch'].sort();
    expect(await grantsOf(entry.id)).toEqual(expected);
    expect(scenario.project.tokenEntry('access/ci')).toEqual(entry);
  });

  test('granting refused to service tokens: the new token is deleted again, the apply says what to use instead; an OAuth token then deploys it', async () => {
    scenario.emulator.behaviour.serviceTokenRoutes = 'grants-refused';
    scenario.project.synth((stack) => new ServiceToken(stack, 'ci').grant('shop', ['read_branch']).grantOrganization(['read_databases']));
    scenario.emulator.requests.reset();
    const refused = await scenario.project.apply();
    expect(refused.code).not.toBe(0);
    expect(refused.output).toMatch(
      /planetscale access\/ci: PlanetScale refused to grant \w+ on [\w ]+ to service token ci\.access\.[0-9a-f.]+ \(HTTP 404\): the deploy service token may not change service-token grants .*; deploy with an OAuth access token \(PLANETSCALE_ACCESS_TOKEN, e\.g\. from `pscale auth login`\)/,
    );
    expect(refused.output).toMatch(/the new service token ci\.access\.[0-9a-f.]+ \(\w+\) was deleted again/);
    expect(scenario.emulator.requests.count('create_service_token')).toBe(1);
    expect(await ownedTokens()).toEqual([]);
    expect(scenario.project.outputs().access?.['access/ci']).toBeUndefined();

    // The same stack deployed with an OAuth access token (as `pscale auth login` gives one).
    const user = scenario.emulator.issueAccessToken();
    const oauth = TerraformProject.credentialsEnv(user);
    await scenario.project.applyOk(oauth);
    const entry = scenario.project.tokenEntry('access/ci');
    expect(await grantsOf(entry.id, scenario.client(user))).toEqual(['*:read_databases', 'shop:read_branch']);
    expect((await ownedTokens()).map((t) => t.id)).toEqual([entry.id]);
    // Its later destroy goes through the OAuth token as well.
    expect((await scenario.project.terraform(['destroy', '-auto-approve', '-input=false', '-no-color'], oauth)).code).toBe(0);
    expect(await ownedTokens()).toEqual([]);
  });

  test('a 403 on a grant is a refusal like a 404: the new token is deleted again and nothing else is left', async () => {
    scenario.project.synth((stack) => new ServiceToken(stack, 'ci').grant('shop', ['read_branch']));
    scenario.emulator.faults.add({ kind: 'status', status: 403, method: 'POST', pathIncludes: '/access', count: 1, body: 'json' });
    scenario.emulator.requests.reset();
    const refused = await scenario.project.apply();
    expect(refused.code).not.toBe(0);
    expect(refused.output).toMatch(/planetscale access\/ci: PlanetScale refused to grant read_branch on database shop to service token ci\.access\.[0-9a-f.]+ \(HTTP 403\)/);
    expect(refused.output).toMatch(/the new service token ci\.access\.[0-9a-f.]+ \(\w+\) was deleted again/);
    expect(await ownedTokens()).toEqual([]);
    expect(scenario.project.outputs().access?.['access/ci']).toBeUndefined();
    // Nothing was left half-made: the next apply issues it with its grant.
    await scenario.project.applyOk();
    expect(await grantsOf(scenario.project.tokenEntry('access/ci').id)).toEqual(['shop:read_branch']);
  });

  test('the official provider\'s variable names work unchanged: PLANETSCALE_SERVICE_TOKEN_NAME for the token id', async () => {
    scenario.project.synth((stack) => new DatabasePassword(stack, 'app', { database: 'shop', branch: 'dev' }));
    const { id, token } = scenario.emulator.token;
    const providerStyle = { PLANETSCALE_SERVICE_TOKEN_ID: '', PLANETSCALE_SERVICE_TOKEN_NAME: id, PLANETSCALE_SERVICE_TOKEN: token };
    await scenario.project.applyOk(providerStyle);
    const entry = scenario.project.passwordEntry('access/app');
    expect((await scenario.api.getPassword('shop', 'dev', entry.id)).id).toBe(entry.id);
    expect((await scenario.project.terraform(['destroy', '-auto-approve', '-input=false', '-no-color'], providerStyle)).code).toBe(0);
    expect(await scenario.api.listPasswords('shop', 'dev')).toEqual([]);
  });

  test('a token declared without grants deploys even where the grant routes are refused to service tokens', async () => {
    scenario.emulator.behaviour.serviceTokenRoutes = 'grants-refused';
    scenario.project.synth((stack) => new ServiceToken(stack, 'bare'));
    await scenario.project.applyOk();
    // The next run finds the token, and cannot read its grants: nothing is declared, so that is only reported.
    scenario.project.synth((stack) => {
      new ServiceToken(stack, 'bare');
      new DatabasePassword(stack, 'app', { database: 'shop', branch: 'dev' });
    });
    const output = await scenario.project.applyOk();
    expect(output).toMatch(/warning: access\/bare: the grants of service token bare\.access\.[0-9a-f.]+ cannot be read \(get service token \w+ grants .* failed with HTTP 404.*\); none are declared/);
    expect((await ownedTokens()).map((t) => t.id)).toEqual([scenario.project.tokenEntry('access/bare').id]);
  });

  test('an edit is checked only for what it adds: a deploy token may revoke what it does not hold', async () => {
    scenario.project.synth((stack) => new ServiceToken(stack, 'ci').grant('shop', ['read_branch']));
    await scenario.project.applyOk();
    const entry = scenario.project.tokenEntry('access/ci');
    // Someone widened the token in the console with an access the deploy token below does not hold.
    await scenario.api.addServiceTokenAccess(entry.id, { database: 'shop', access: ['create_branch'] });
    const deployer = await limitedToken([
      { access: ['read_service_tokens', 'write_service_tokens', 'delete_service_tokens'] },
      { database: 'shop', access: ['read_branch', 'connect_branch'] },
    ]);
    scenario.project.synth((stack) => new ServiceToken(stack, 'ci').grant('shop', ['read_branch', 'connect_branch']));
    await scenario.project.applyOk(TerraformProject.credentialsEnv(deployer));
    expect(await grantsOf(entry.id)).toEqual(['shop:connect_branch', 'shop:read_branch']);
  });

  test('an access the deploy token does not hold is named before anything is created', async () => {
    const deployer = await limitedToken([
      { access: ['read_service_tokens', 'write_service_tokens', 'delete_service_tokens'] },
      { database: 'shop', access: ['read_branch'] },
    ]);
    scenario.project.synth((stack) => new ServiceToken(stack, 'ci').grant('shop', ['read_branch', 'create_branch']).grant('inventory', ['read_branch']));
    scenario.emulator.requests.reset();
    const refused = await scenario.project.apply(TerraformProject.credentialsEnv(deployer));
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain(
      `planetscale access/ci: the deploy service token ${(deployer as { id: string }).id} does not hold read_branch on database inventory; ` +
        'create_branch on database shop, and a credential may only grant accesses it holds itself',
    );
    expect(scenario.emulator.requests.count('create_service_token')).toBe(0);
    expect(await ownedTokens()).toEqual([]);
  });

  test('service tokens refused every service-token route: the apply says to use an OAuth access token', async () => {
    scenario.emulator.behaviour.serviceTokenRoutes = 'all-refused';
    scenario.project.synth((stack) => new ServiceToken(stack, 'ci').grant('shop', ['read_branch']));
    const refused = await scenario.project.apply();
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain(
      "planetscale access/ci: cannot see the organization's service tokens: list service tokens (organization acme) failed with HTTP 404 (not_found): " +
        'Not Found; not found, or the service token lacks the access it needs: read_service_tokens on the organization; or PlanetScale does not let ' +
        'service tokens manage service tokens (PlanetScale has refused service tokens on the service-token routes',
    );
    expect(refused.output).toContain('or deploy with an OAuth access token (PLANETSCALE_ACCESS_TOKEN, e.g. from `pscale auth login`)');
    scenario.emulator.behaviour.serviceTokenRoutes = 'allowed';
    expect(await ownedTokens()).toEqual([]);
  });
});

describe('CIDRs as the API keeps them', () => {
  async function rerunAllowList(): Promise<void> {
    // A run of the engine with nothing changed in code: the reconciler's run again.
    const address = await scenario.project.address('terraform_data.planetscale_Reconciler');
    scenario.emulator.requests.reset();
    const result = await scenario.project.apply({}, [`-replace=${address}`]);
    if (result.code !== 0) throw new Error(result.output);
  }

  test('overlapping restrictions: the API merges them, and running the allow-list again makes no PATCH', async () => {
    scenario.project.synth((stack) => {
      const app = new DatabasePassword(stack, 'app', { database: 'shop', branch: 'dev' });
      new IpRestriction(stack, 'office', { password: app, cidrs: ['10.1.0.0/16', '203.0.113.7'] });
      new IpRestriction(stack, 'vpn', { password: app, cidrs: ['10.0.0.0/8', '203.0.113.0/24'] });
    });
    await scenario.project.applyOk();
    const entry = scenario.project.passwordEntry('access/app');
    expect((await scenario.api.getPassword('shop', 'dev', entry.id)).cidrs).toEqual(['10.0.0.0/8', '203.0.113.0/24']);
    await rerunAllowList();
    expect(scenario.emulator.requests.count('update_password')).toBe(0);
    expect(scenario.emulator.requests.count('list_passwords')).toBeGreaterThan(0);
  });

  test('an API that also joins adjacent ranges: still no PATCH, the addresses are the same', async () => {
    scenario.emulator.behaviour.passwordCidrMerge = 'aggregate';
    scenario.project.synth((stack) => {
      const app = new DatabasePassword(stack, 'app', { database: 'shop', branch: 'dev' });
      new IpRestriction(stack, 'halves', { password: app, cidrs: ['192.0.2.0/25', '192.0.2.128/25'] });
    });
    await scenario.project.applyOk();
    expect((await scenario.api.getPassword('shop', 'dev', scenario.project.passwordEntry('access/app').id)).cidrs).toEqual(['192.0.2.0/24']);
    await rerunAllowList();
    expect(scenario.emulator.requests.count('update_password')).toBe(0);
  });

  test('IPv6 refused by the API: one clear line, and no password is left open', async () => {
    scenario.emulator.behaviour.passwordIpv6 = 'refused';
    scenario.project.synth((stack) => {
      const app = new DatabasePassword(stack, 'app', { database: 'shop', branch: 'dev' });
      new IpRestriction(stack, 'office', { password: app, cidrs: ['203.0.113.0/24', '2001:db8::/48'] });
    });
    const result = await scenario.project.apply();
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(
      /planetscale access\/app: PlanetScale refused the allow-list of password app\.access\.[0-9a-f.]+ \(HTTP 422: cidrs: IPv6 ranges are not supported \(2001:db8::\/48\)\); it holds IPv6 ranges \(2001:db8::\/48\), which this API may not accept on passwords/,
    );
    expect(await scenario.api.listPasswords('shop', 'dev')).toEqual([]);
  });
});

test('stacks team_a and team-a in one app each keep their own password', async () => {
  const { project } = scenario;
  const app = new App({ outdir: project.outdir });
  for (const name of ['team_a', 'team-a']) {
    const stack = new TerraformStack(app, name);
    new LocalBackend(stack, { path: join(project.root, `terraform.${name}.tfstate`) });
    new PlanetScale(stack, 'planetscale', { organization: 'acme', outputsFile: project.outputsPath });
    new DatabasePassword(stack, 'app', { database: 'inventory', branch: 'dev' });
  }
  app.synth();
  const dir = (name: string) => join(project.outdir, 'stacks', name);
  const run = async (name: string, args: string[]) => {
    const result = await project.terraform([...args, '-auto-approve', '-input=false', '-no-color'], {}, dir(name));
    if (result.code !== 0) throw new Error(result.output);
  };
  try {
    await run('team_a', ['apply']);
    await run('team-a', ['apply']);
    // Each stack's reconciler ran with the other's password present: both survive, each with its own owner.
    const outputs = project.outputs();
    const ids = [outputs.team_a['team_a/app'].id, outputs['team-a']['team-a/app'].id];
    expect((await scenario.api.listPasswords('inventory', 'dev')).map((p) => p.id).sort()).toEqual([...ids].sort());
    const owners = (await scenario.api.listPasswords('inventory', 'dev')).map((p) => p.name.split('.')[1]).sort();
    expect(owners).toEqual(['team-a', expect.stringMatching(/^team-a-[0-9a-f]{8}$/)]);
    // team_a's reconciler runs again after team-a deployed: team-a's password is not its own.
    const reconciler = (await project.terraform(['state', 'list'], {}, dir('team_a'))).output.split('\n').find((l) => l.includes('Reconciler'))!;
    await run('team_a', ['apply', `-replace=${reconciler}`]);
    expect((await scenario.api.listPasswords('inventory', 'dev')).map((p) => p.id).sort()).toEqual([...ids].sort());
  } finally {
    await run('team_a', ['destroy']);
    await run('team-a', ['destroy']);
  }
  expect(await scenario.api.listPasswords('inventory', 'dev')).toEqual([]);
});

test('a sink that echoes the bare secret body (without its prefix) to stderr: the body never reaches Terraform\'s output', async () => {
  const sinkPath = join(scenario.project.root, 'sink.js');
  writeFileSync(
    sinkPath,
    `let input = ''; process.stdin.on('data', (c) => (input += c)); process.stdin.on('end', () => {
  const body = JSON.parse(input).entry.password.replace(/^pscale_pw_/, '');
  process.stderr.write('vault said: bad value ' + body + ' / first half ' + body.slice(0, 20) + '\\n'); process.exit(3);
});`,
  );
  scenario.project.synth((stack) => new DatabasePassword(stack, 'app', { database: 'inventory', branch: 'dev' }), { sink: [process.execPath, sinkPath] });
  const result = await scenario.project.apply();
  expect(result.code).not.toBe(0);
  expect(result.output).toMatch(/sink \S+ exited with status 3: vault said: bad value \[redacted\] \/ first half \[redacted\]/);
  // No run of 40 random letters and digits (a secret body is 43); hex digests and asset hashes aside.
  expect(result.output).not.toMatch(/(?=[A-Za-z0-9]*[g-zG-Z])[A-Za-z0-9]{40,}/);
  expect(await scenario.api.listPasswords('inventory', 'dev')).toEqual([]);
});
