import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabasePassword, IpRestriction, ServiceToken } from '../src';
import { grantTarget } from '../src/api';
import { statusOf as status } from './support/api';
import { SCENARIO_INVENTORY_REQUESTS, useScenario } from './support/scenario';
import { TERRAFORM } from './support/terraform';
import { parseOwnedName, ruleMarker } from '../src/model/naming';

/**
 * End to end for service tokens and their grants, Postgres database IP rules, the secret sink and GitHub Actions
 * masking: real terraform against the scenario.emulator, asserting on API state, outputs, request counts and sink input.
 */

const scenario = useScenario();

async function ownedTokens() {
  return (await scenario.api.listServiceTokens()).filter((t) => t.name && parseOwnedName(t.name, 'access'));
}

async function grantsOf(id: string): Promise<string[]> {
  return (await scenario.api.getServiceTokenGrants(id))
    .flatMap((g) => g.accesses.map((a) => `${grantTarget({ type: g.resource_type, name: g.resource_name }) || '*'}:${a.access}`))
    .sort();
}

describe('service tokens', () => {
  const ci = (grants: (token: ServiceToken) => void, props = {}) =>
    scenario.project.synth((stack) => {
      grants(new ServiceToken(stack, 'ci', props));
    });

  test('deploy: the token has exactly the declared grants, its value is in the outputs, and it works as granted', async () => {
    ci((t) => t.grant('shop', ['read_branch', 'create_deploy_request']).grantOrganization(['read_databases']), { ttl: '30d' });
    const plan = await scenario.project.plan();
    expect(plan.output).toMatch(/databases += \{\s*\+ shop = \[\s*\+ "create_deploy_request",\s*\+ "read_branch",\s*\]/);
    await scenario.project.applyOk();

    const entry = scenario.project.tokenEntry('access/ci');
    expect(entry.token).toMatch(/^pscale_tkn_[A-Za-z0-9]{43}$/);
    expect(entry.env).toEqual({ PLANETSCALE_SERVICE_TOKEN_ID: entry.id, PLANETSCALE_SERVICE_TOKEN: entry.token });
    expect(scenario.project.outputsMode()).toBe('600');
    const live = await scenario.api.getServiceToken(entry.id);
    expect(live.name).toBe(entry.name);
    expect(live.expires_at).toBe(entry.expires_at);
    expect(await grantsOf(entry.id)).toEqual(['*:read_databases', 'shop:create_deploy_request', 'shop:read_branch']);

    // The deployed token itself: what was granted works, what was not is refused.
    const asCi = scenario.client({ id: entry.id, token: entry.token });
    expect((await asCi.listDatabases()).map((d) => d.name)).toContain('shop');
    expect(await status(asCi.listBranches('shop'))).toBe(200);
    expect(await status(asCi.listBranches('inventory'))).toBe(404);
    expect(await status(asCi.createPassword('shop', 'dev', { name: 'nope' }))).toBe(404);
    expect(await status(asCi.listServiceTokens())).toBe(404);
  });

  test('a grant edit adds and removes exactly the difference on the same token, which keeps working', async () => {
    ci((t) => t.grant('shop', ['read_branch', 'create_deploy_request']).grant('inventory', ['read_branch']));
    await scenario.project.applyOk();
    const before = scenario.project.tokenEntry('access/ci');

    ci((t) => t.grant('shop', ['read_branch', 'connect_branch']).grantOrganization(['read_databases']));
    const plan = await scenario.project.plan();
    // The token is updated in place (same token, same value); only the stack's run is replaced.
    expect(plan.output).toMatch(/# terraform_data\.ci_\w+ will be updated in-place/);
    expect(plan.output).not.toMatch(/terraform_data\.ci_\w+ must be replaced/);
    expect(plan.output).toContain('Plan: 1 to add, 1 to change, 1 to destroy.');
    scenario.emulator.requests.reset();
    await scenario.project.applyOk();

    // The listing, one read of the token's grants and one of the deploy token's own (what it may grant), then per
    // resource one removal and/or one addition.
    expect(scenario.emulator.requests.snapshot()).toEqual({
      ...SCENARIO_INVENTORY_REQUESTS,
      'GET get_service_token_grants': 2,
      'POST add_service_token_accesses': 2,
      'DELETE delete_service_token_accesses': 2,
    });
    expect(scenario.project.tokenEntry('access/ci')).toEqual(before);
    expect(await grantsOf(before.id)).toEqual(['*:read_databases', 'shop:connect_branch', 'shop:read_branch']);
    const asCi = scenario.client({ id: before.id, token: before.token });
    expect(await status(asCi.createPassword('shop', 'dev', { name: 'ci-made' }))).toBe(200);
    expect(await status(asCi.listBranches('inventory'))).toBe(404);
    for (const p of await scenario.api.listPasswords('shop', 'dev')) if (p.name === 'ci-made') await scenario.api.deletePassword('shop', 'dev', p.id);
  });

  test.each([
    ['TTL', { ttl: '1h' }],
    ['rotation label', { rotation: '2026-12' }],
  ])('a %s edit makes a new token first, then deletes the old one', async (_field, change) => {
    ci((t) => t.grant('shop', ['read_branch']));
    await scenario.project.applyOk();
    const before = scenario.project.tokenEntry('access/ci');

    ci((t) => t.grant('shop', ['read_branch']), change);
    const output = await scenario.project.applyOk();
    const after = scenario.project.tokenEntry('access/ci');
    expect(after.id).not.toBe(before.id);
    const created = output.indexOf(`created service token ${after.name} (${after.id})`);
    const deleted = output.indexOf(`deleted service token ${before.name} (${before.id})`);
    expect(created).toBeGreaterThan(-1);
    expect(deleted).toBeGreaterThan(created);
    expect((await ownedTokens()).map((t) => t.id)).toEqual([after.id]);
    expect(await grantsOf(after.id)).toEqual(['shop:read_branch']);
    expect(await status(scenario.client({ id: before.id, token: before.token }).getDatabase('shop'))).toBe(401);
    expect(await status(scenario.client({ id: after.id, token: after.token }).getDatabase('shop'))).toBe(200);
  });

  test('removing the construct deletes the token; destroy leaves none owned and never touches others', async () => {
    const foreign = await scenario.api.createServiceToken({ name: 'hand-made' });
    const otherOwner = await scenario.api.createServiceToken({ name: 'ci.other-team.12345678.12345678' });
    scenario.project.synth((stack) => {
      new ServiceToken(stack, 'ci').grant('shop', ['read_branch']);
      new ServiceToken(stack, 'deployer').grantOrganization(['read_databases']);
    });
    await scenario.project.applyOk();
    expect(await ownedTokens()).toHaveLength(2);

    scenario.project.synth((stack) => {
      new ServiceToken(stack, 'ci').grant('shop', ['read_branch']);
    });
    await scenario.project.applyOk();
    expect((await ownedTokens()).map((t) => t.name)).toEqual([scenario.project.tokenEntry('access/ci').name]);
    expect(scenario.project.outputs().access['access/deployer']).toBeUndefined();

    expect((await scenario.project.destroy()).code).toBe(0);
    expect(await ownedTokens()).toEqual([]);
    const remaining = (await scenario.api.listServiceTokens()).map((t) => t.id);
    await scenario.api.deleteServiceToken(foreign.id);
    await scenario.api.deleteServiceToken(otherOwner.id);
    expect(remaining).toEqual(expect.arrayContaining([foreign.id, otherOwner.id, scenario.emulator.token.id]));
  });
});

describe('Postgres database IP rules', () => {
  const rule = (props: Partial<{ cidrs: string[]; schema: string; role: string; description: string }> = {}) =>
    scenario.project.synth((stack) => {
      new IpRestriction(stack, 'bi', { database: 'analytics', cidrs: ['10.0.0.0/8'], schema: 'reporting', role: 'bi', description: 'BI tools', ...props });
    });

  async function ownedRules() {
    return (await scenario.api.listPostgresIpRules('analytics')).filter((r) => {
      const marker = ruleMarker(r.description);
      return marker !== undefined && parseOwnedName(marker, 'access');
    });
  }

  test('a rule with exactly the declared settings; every edit updates the same rule in place; removal deletes it', async () => {
    const foreign = await scenario.api.createPostgresIpRule('analytics', { cidrs: ['192.0.2.0/24'], description: 'hand-made' });
    rule();
    await scenario.project.applyOk();
    const [created] = await ownedRules();
    expect(created).toMatchObject({ cidrs: ['10.0.0.0/8'], schema: 'reporting', role: 'bi', description: expect.stringMatching(/^BI tools \[cdktf:bi\.access\.[0-9a-f.]+\]$/) });

    // Template-looking text reaches the API literally.
    rule({ cidrs: ['10.0.0.0/8', '172.16.0.0/12'], schema: 'public', role: 'analyst', description: 'BI and notebooks (${team}, 100%{x})' });
    scenario.emulator.requests.reset();
    await scenario.project.applyOk();
    expect(scenario.emulator.requests.snapshot()).toEqual({
      ...SCENARIO_INVENTORY_REQUESTS,
      'PATCH update_database_postgres_cidr': 1,
    });
    const [updated] = await ownedRules();
    expect(updated).toMatchObject({ id: created.id, cidrs: ['10.0.0.0/8', '172.16.0.0/12'], schema: 'public', role: 'analyst' });
    expect(updated.description!.startsWith('BI and notebooks (${team}, 100%{x}) [cdktf:')).toBe(true);

    scenario.project.synth(() => undefined);
    await scenario.project.applyOk();
    expect(await ownedRules()).toEqual([]);
    const remaining = await scenario.api.listPostgresIpRules('analytics');
    await scenario.api.deletePostgresIpRule('analytics', foreign.id);
    expect(remaining.map((r) => r.id)).toEqual([foreign.id]);
  });

  test('pointed at a MySQL/Vitess database, the apply fails with one clear line', async () => {
    scenario.project.synth((stack) => {
      new IpRestriction(stack, 'wrong', { database: 'inventory', cidrs: ['10.0.0.0/8'] });
    });
    const result = await scenario.project.apply();
    expect(result.code).not.toBe(0);
    expect(result.output).toContain(
      'planetscale access/wrong: database inventory is a MySQL/Vitess database; database IP rules are for Postgres (restrict a password with IpRestriction({ password }) instead)',
    );
  });
});

describe('secret sink', () => {
  function sinkScript(body: string): string[] {
    const path = join(scenario.project.root, 'sink.js');
    writeFileSync(path, `let input = '';\nprocess.stdin.on('data', (c) => (input += c));\nprocess.stdin.on('end', () => {\n${body}\n});\n`);
    return [process.execPath, path];
  }

  test('every new password and token reaches the sink as JSON on standard input', async () => {
    const received = join(scenario.project.root, 'received.jsonl');
    const sink = sinkScript(
      'const credentials = Object.keys(process.env).filter((k) => k.startsWith(\'PLANETSCALE_SERVICE_TOKEN\'));\n' +
        `require('fs').appendFileSync(${JSON.stringify(received)}, JSON.stringify({ document: JSON.parse(input), credentials }) + '\\n');`,
    );
    scenario.project.synth(
      (stack) => {
        new DatabasePassword(stack, 'app', { database: 'shop' });
        new ServiceToken(stack, 'ci').grant('shop', ['read_branch']);
      },
      { sink },
    );
    await scenario.project.applyOk();
    const runs = readFileSync(received, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(runs.map((r) => r.document.path).sort()).toEqual(['access/app', 'access/ci']);
    for (const { document, credentials } of runs) {
      expect(document).toEqual({ stack: 'access', path: document.path, entry: scenario.project.entry(document.path) });
      // The sink does not get the deploy credentials.
      expect(credentials).toEqual([]);
    }
  });

  test('a failing sink deletes the new credential again and fails the apply with one clear line', async () => {
    const sink = sinkScript("process.stderr.write('vault refused: ' + JSON.parse(input).entry.password + '\\n'); process.exit(3);");
    scenario.project.synth((stack) => new DatabasePassword(stack, 'app', { database: 'inventory', branch: 'dev' }), { sink });
    scenario.emulator.requests.reset();
    const result = await scenario.project.apply();
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/planetscale access\/app: sink \S+ exited with status 3: vault refused: \[redacted\]; the new password app\.access\.[0-9a-f.]+ \(\w+\) was deleted again/);
    expect(scenario.emulator.requests.count('create_password')).toBe(1);
    expect(scenario.emulator.requests.count('delete_password')).toBe(1);
    expect(await scenario.api.listPasswords('inventory', 'dev')).toEqual([]);
    expect(scenario.project.outputs().access?.['access/app']).toBeUndefined();
    expect(result.output).not.toMatch(/pscale_pw_[A-Za-z0-9]{43}/);
  });

  test('Postgres roles go through the sink exactly like passwords: delivered on creation, deleted again (to the default role) when the sink fails', async () => {
    const received = join(scenario.project.root, 'received-roles.jsonl');
    const storing = sinkScript(`require('fs').appendFileSync(${JSON.stringify(received)}, input);`);
    scenario.project.synth((stack) => new DatabasePassword(stack, 'reports', { database: 'analytics', role: 'reader' }), { sink: storing });
    await scenario.project.applyOk();
    const delivered = JSON.parse(readFileSync(received, 'utf8').trim());
    expect(delivered).toEqual({ stack: 'access', path: 'access/reports', entry: scenario.project.entry('access/reports') });
    expect(delivered.entry.engine).toBe('postgresql');

    const failing = sinkScript("process.stderr.write('vault refused ' + JSON.parse(input).entry.password.slice(10) + '\\n'); process.exit(5);");
    scenario.project.synth(
      (stack) => {
        new DatabasePassword(stack, 'reports', { database: 'analytics', role: 'reader' });
        new DatabasePassword(stack, 'etl', { database: 'analytics', role: 'writer' });
      },
      { sink: failing },
    );
    const result = await scenario.project.apply();
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/planetscale access\/etl: sink \S+ exited with status 5: vault refused \[redacted\]; the new password etl\.access\.[0-9a-f.]+ \(\w+\) was deleted again/);
    const roles = scenario.emulator.store.state.roles.filter((r) => parseOwnedName(r.name, 'access'));
    expect(roles.map((r) => parseOwnedName(r.name, 'access')!.display)).toEqual(['reports']);
    const undone = scenario.emulator.store.state.roleDeletions.at(-1)!;
    expect(undone.successor).toBe('postgres');
    expect(scenario.project.outputs().access['access/etl']).toBeUndefined();
  });

  test('a rotation whose sink stores the new secret, then fails: the new generation is deleted, the previous one stays, and the sink gets it back', async () => {
    const failFlag = join(scenario.project.root, 'vault-down');
    const stored = join(scenario.project.root, 'vault.jsonl');
    // The sink stores what it receives, and then (once, when the flag is set) fails.
    const sink = sinkScript(
      `const fs = require('fs');\nfs.appendFileSync(${JSON.stringify(stored)}, input);\n` +
        `if (fs.existsSync(${JSON.stringify(failFlag)})) { fs.rmSync(${JSON.stringify(failFlag)}); process.exit(4); }`,
    );
    const declare = (rotation: string) =>
      scenario.project.synth((stack) => new DatabasePassword(stack, 'app', { database: 'inventory', branch: 'dev', rotation }), { sink });
    declare('2026-01');
    await scenario.project.applyOk();
    const before = scenario.project.passwordEntry('access/app');

    writeFileSync(failFlag, '');
    declare('2026-02');
    const result = await scenario.project.apply();
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(
      /planetscale access\/app: sink \S+ exited with status 4.*; the new password app\.access\.[0-9a-f.]+ \(\w+\) was deleted again; the sink was given the previous password/,
    );
    expect(scenario.project.passwordEntry('access/app')).toEqual(before);
    expect((await scenario.api.listPasswords('inventory', 'dev')).map((p) => p.id)).toEqual([before.id]);
    // What the sink holds last is the live password again, not the deleted one it stored before failing.
    const received = readFileSync(stored, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(received.map((r) => r.entry.id)).toEqual([before.id, expect.not.stringMatching(before.id), before.id]);
    expect(received[2]).toEqual({ stack: 'access', path: 'access/app', entry: before });
  });

  test('a run killed after recording a secret, before the sink confirmed it: the next apply hands the same secret to the sink', async () => {
    const received = join(scenario.project.root, 'received.jsonl');
    const killFlag = join(scenario.project.root, 'kill-once');
    // The first time, the sink kills the run that started it (SIGKILL: nothing of the run gets to clean up).
    const sink = sinkScript(
      `const fs = require('fs');\nif (fs.existsSync(${JSON.stringify(killFlag)})) { fs.rmSync(${JSON.stringify(killFlag)}); process.kill(process.ppid, 'SIGKILL'); }\n` +
        `else fs.appendFileSync(${JSON.stringify(received)}, input + '\\n');`,
    );
    scenario.project.synth((stack) => new DatabasePassword(stack, 'app', { database: 'inventory', branch: 'dev' }), { sink });
    writeFileSync(killFlag, '');
    expect((await scenario.project.apply()).code).not.toBe(0);
    const recorded = scenario.project.passwordEntry('access/app');
    expect(existsSync(received)).toBe(false);

    // Renamed meanwhile: the delivery still owed is tracked by the name the password was created with.
    scenario.project.synth((stack) => new DatabasePassword(stack, 'app', { database: 'inventory', branch: 'dev', name: 'api' }), { sink });
    const output = await scenario.project.applyOk();
    expect(output).toMatch(/sink \S+ received the password app\.access\.[0-9a-f.]+ \(\w+\)/);
    expect(output).toContain('0 created, 2 changed, 0 renewed, 0 deleted, 0 failed');
    const delivered = readFileSync(received, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(delivered).toEqual([{ stack: 'access', path: 'access/app', entry: recorded }]);
    expect((await scenario.api.listPasswords('inventory', 'dev')).map((p) => p.id)).toEqual([recorded.id]);
    // Delivered once: the next run has nothing left to deliver.
    scenario.project.synth((stack) => new DatabasePassword(stack, 'app', { database: 'inventory', branch: 'dev', name: 'api2' }), { sink });
    expect(await scenario.project.applyOk()).toContain('0 created, 1 changed, 0 renewed, 0 deleted, 0 failed');
    expect(readFileSync(received, 'utf8').trim().split('\n')).toHaveLength(1);
  });
});

describe('GitHub Actions', () => {
  /**
   * A stand-in for the Actions runner: a process named Runner.Worker runs the step (terraform apply) and collects its
   * standard output as the step log.
   */
  async function applyUnderRunner(): Promise<{ code: number; log: string }> {
    const runner = join(scenario.project.root, 'Runner.Worker');
    symlinkSync(process.execPath, runner);
    const script = join(scenario.project.root, 'runner.js');
    // The step's output is a pipe (a FIFO here), as the real runner gives it; Node's own child pipes are sockets.
    writeFileSync(
      script,
      `const fs = require('fs');
const { spawn, execFileSync } = require('child_process');
const [terraform, cwd, fifo] = process.argv.slice(2);
execFileSync('mkfifo', [fifo]);
let log = '';
const reader = fs.createReadStream(fifo);
reader.on('data', (c) => (log += c));
const drained = new Promise((resolve) => reader.on('close', resolve));
const step = spawn('bash', ['-c', 'exec "$0" apply -auto-approve -input=false -no-color > "$1" 2>&1', terraform, fifo], { cwd, stdio: 'ignore' });
step.on('close', (code) => drained.then(() => { process.stdout.write(log); process.exit(code); }));
`,
    );
    chmodSync(script, 0o644);
    await scenario.project.terraform(['init', '-input=false', '-no-color']);
    return new Promise((resolve) => {
      const child = spawn(runner, [script, TERRAFORM, scenario.project.stackDirectory, join(scenario.project.root, 'step-output')], { env: scenario.project.env({ GITHUB_ACTIONS: 'true' }) });
      let log = '';
      child.stdout.on('data', (c) => (log += c));
      child.on('close', (code) => resolve({ code: code ?? 1, log }));
    });
  }

  test('each new secret is masked in the step log before anything else could print it', async () => {
    scenario.project.synth((stack) => {
      new DatabasePassword(stack, 'app', { database: 'shop' });
      new ServiceToken(stack, 'ci');
    });
    const { code, log } = await applyUnderRunner();
    scenario.project.transcript.push(log.replace(/^::add-mask::.*$/gm, ''));
    if (code !== 0) throw new Error(log.replace(/^::add-mask::.*$/gm, '::add-mask::***'));
    const secrets = [scenario.project.passwordEntry('access/app').password, scenario.project.tokenEntry('access/ci').token];
    for (const secret of secrets) {
      scenario.project.secrets.add(secret);
      const lines = log.split('\n').filter((line) => line.includes(secret));
      // The only line holding the secret is the mask command, alone at the start of a line of the step log.
      expect(lines).toEqual([`::add-mask::${secret}`]);
    }
  });

  test('without a reachable runner, nothing secret is printed and the log says masking was unavailable', async () => {
    scenario.project.synth((stack) => new DatabasePassword(stack, 'app', { database: 'shop' }));
    const output = await scenario.project.applyOk({ GITHUB_ACTIONS: 'true' });
    expect(output).toContain('GitHub Actions detected but the step log could not be reached to mask the new secret; it is not printed anyway');
    expect(existsSync(scenario.project.outputsPath)).toBe(true);
  });
});
