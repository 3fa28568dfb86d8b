import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DatabasePassword, IpRestriction, ServiceToken, type DatabasePasswordProps } from '../src';
import { runCli } from './support/cli';
import { useScenario } from './support/scenario';
import { TERRAFORM, type CommandResult } from './support/terraform';
import { parseOwnedName } from '../src/model/naming';

/**
 * The reconcile engine end to end: drift and expiry seen by `planetscale-cdktf plan`, healed by `reconcile` or the
 * next apply; one failing object among many; renewal; a storm of 429s with a lost create; a lost outputs file; a
 * killed run. Real terraform, the real CLI, the emulator.
 */

const scenario = useScenario();

/** Runs `planetscale-cdktf <args>` against the scenario's project. */
function cli(args: string[], extraEnv: Record<string, string> = {}): Promise<CommandResult> {
  return runCli(scenario.project, args, extraEnv);
}

async function ownedPasswords() {
  const all = [];
  for (const [database, branch] of [['shop', 'main'], ['shop', 'dev'], ['inventory', 'main'], ['inventory', 'dev']]) {
    all.push(...(await scenario.api.listPasswords(database, branch)));
  }
  return all.filter((p) => parseOwnedName(p.name, 'access'));
}

test('a password deleted by hand: plan exits 2 and names it, reconcile issues it again, then plan exits 0', async () => {
  scenario.project.synth((stack) => {
    const app = new DatabasePassword(stack, 'app', { database: 'shop', branch: 'dev', role: 'readwriter' });
    new IpRestriction(stack, 'office', { password: app, cidrs: ['203.0.113.0/24'] });
    new DatabasePassword(stack, 'reports', { database: 'shop', branch: 'dev' });
  });
  await scenario.project.applyOk();
  expect((await cli(['plan'])).code).toBe(0);
  const before = scenario.project.passwordEntry('access/app');
  await scenario.api.deletePassword('shop', 'dev', before.id);

  const plan = await cli(['plan']);
  expect(plan.code).toBe(2);
  expect(plan.output).toContain('+ create password access/app on shop/dev (readwriter, allowed from 203.0.113.0/24): missing: deleted outside code; new secret');
  expect(plan.output).not.toContain('access/reports');

  const reconciled = await cli(['reconcile']);
  expect(reconciled.code).toBe(0);
  const after = scenario.project.passwordEntry('access/app');
  expect(after.id).not.toBe(before.id);
  expect(after.password).not.toBe(before.password);
  scenario.project.secrets.add(after.password);
  expect((await scenario.api.getPassword('shop', 'dev', after.id)).cidrs).toEqual(['203.0.113.0/24']);
  expect((await cli(['plan'])).code).toBe(0);
});

test('drift in the console shows in plan, the markdown report puts access widening first, and an apply heals it', async () => {
  const declare = (appCidrs: string[]) =>
    scenario.project.synth((stack) => {
      const password = new DatabasePassword(stack, 'app', { database: 'shop', branch: 'dev' });
      new IpRestriction(stack, 'office', { password, cidrs: appCidrs });
      const open = new DatabasePassword(stack, 'open', { database: 'shop', branch: 'dev' });
      new IpRestriction(stack, 'open-office', { password: open, cidrs: ['198.51.100.0/24'] });
      new ServiceToken(stack, 'ci').grant('shop', ['read_branch']);
    });
  declare(['203.0.113.0/24']);
  await scenario.project.applyOk();
  const app = scenario.project.passwordEntry('access/app');
  const open = scenario.project.passwordEntry('access/open');
  const ci = scenario.project.tokenEntry('access/ci');
  // Outside code: someone narrowed one allow-list, removed another's, and widened the token.
  await scenario.api.updatePassword('shop', 'dev', app.id, { cidrs: ['203.0.113.0/25'] });
  await scenario.api.updatePassword('shop', 'dev', open.id, { cidrs: [] });
  await scenario.api.addServiceTokenAccess(ci.id, { database: 'shop', access: ['create_branch'] });

  // The code now widens the app's allow-list too: that is what a reviewer must see first.
  declare(['203.0.113.0/24', '0.0.0.0/0']);
  const markdown = await cli(['plan', '--format', 'markdown']);
  expect(markdown.code).toBe(2);
  const widened = markdown.output.indexOf('**Access widened (1): review these first**');
  const others = markdown.output.indexOf('**Other changes');
  expect(widened).toBeGreaterThan(-1);
  expect(others).toBeGreaterThan(widened);
  expect(markdown.output).toMatch(/\| `access\/app` \| CIDR added: 0\.0\.0\.0\/0 \| ~ update CIDRs of access\/app \(same password, same secret\): \+ 0\.0\.0\.0\/0/);
  // Drift that the apply narrows again is listed too, after the widening.
  expect(markdown.output.slice(others)).toContain('`access/open` | ~ update CIDRs of access/open (same password, same secret): + 198.51.100.0/24');
  expect(markdown.output.slice(others)).toContain('`access/ci` | ~ update grants of access/ci (same token): - create_branch on database shop');
  const json = JSON.parse((await cli(['plan', '--format', 'json'])).output) as { status: string; changes: { path: string; widens: string[] }[] };
  expect(json.status).toBe('pending');
  expect(json.changes.find((c) => c.path === 'access/app')?.widens).toEqual(['CIDR added: 0.0.0.0/0']);

  await scenario.project.applyOk();
  expect((await scenario.api.getPassword('shop', 'dev', open.id)).cidrs).toEqual(['198.51.100.0/24']);
  expect((await scenario.api.getServiceTokenGrants(ci.id)).flatMap((g) => g.accesses.map((a) => a.access))).toEqual(['read_branch']);
  expect((await cli(['plan'])).code).toBe(0);
});

test('what widens access, as the plan tells a reviewer: new credentials, grants added by a rotation, a move to production, a rule reaching further', async () => {
  const declare = (step: 'before' | 'after') =>
    scenario.project.synth((stack) => {
      const after = step === 'after';
      new DatabasePassword(stack, 'app', { database: 'shop', branch: after ? 'main' : 'dev' });
      const ci = new ServiceToken(stack, 'ci', { rotation: after ? 'r2' : 'r1' }).grant('shop', ['read_branch']);
      if (after) ci.grant('shop', ['create_branch']);
      new ServiceToken(stack, 'bot', { rotation: after ? 'r2' : 'r1' }).grant('inventory', ['read_branch']);
      new IpRestriction(stack, 'bi', { database: 'analytics', cidrs: ['10.0.0.0/8'], schema: after ? 'finance' : 'reports' });
      if (after) new DatabasePassword(stack, 'reports', { database: 'inventory', branch: 'dev', role: 'readwriter' });
    });
  declare('before');
  await scenario.project.applyOk();
  declare('after');
  const plan = JSON.parse((await cli(['plan', '--format', 'json'])).output) as { changes: { path: string; action: string; widens: string[] }[] };
  const widens = (path: string, action: string) => plan.changes.find((c) => c.path === path && c.action === action)?.widens;
  expect(widens('access/reports', 'create-password')).toEqual(['new readwriter password on inventory/dev, usable from any address']);
  expect(widens('access/app', 'create-password')).toEqual(['moved to production branch shop/main']);
  expect(widens('access/ci', 'create-token')).toEqual(['grant added: create_branch on database shop']);
  // A rotation with the same grants gives nobody more than before.
  expect(widens('access/bot', 'create-token')).toEqual([]);
  expect(widens('access/bi', 'update-rule')).toEqual(['rule now covers schema finance']);
});

test('more widening a reviewer must see: a role raised, an admin password on production, all restrictions removed, an organization access added', async () => {
  const declare = (step: 'before' | 'after') =>
    scenario.project.synth((stack) => {
      const after = step === 'after';
      new DatabasePassword(stack, 'app', { database: 'shop', branch: 'main', role: after ? 'admin' : 'reader' });
      const web = new DatabasePassword(stack, 'web', { database: 'shop', branch: 'dev' });
      if (!after) new IpRestriction(stack, 'office', { password: web, cidrs: ['203.0.113.0/24'] });
      const ci = new ServiceToken(stack, 'ci').grant('shop', ['read_branch']);
      if (after) ci.grantOrganization(['read_databases']);
    });
  declare('before');
  await scenario.project.applyOk();
  declare('after');
  const markdown = await cli(['plan', '--format', 'markdown']);
  expect(markdown.code).toBe(2);
  const widened = markdown.output.slice(markdown.output.indexOf('**Access widened (3): review these first**'), markdown.output.indexOf('**Other changes'));
  expect(widened).toContain('| `access/app` | role raised from reader to admin; admin password on production branch shop/main |');
  expect(widened).toContain('| `access/web` | all IP restrictions removed: usable from any address |');
  expect(widened).toContain('| `access/ci` | organization-level access added: read_databases on the organization |');
});

test('plan exits 1 when it cannot tell: an unknown stack, a credential PlanetScale refuses', async () => {
  scenario.project.synth((stack) => new DatabasePassword(stack, 'app', { database: 'shop', branch: 'dev' }));
  const unknown = await cli(['plan', '--stack', 'nosuch']);
  expect(unknown.code).toBe(1);
  expect(unknown.output).toContain('nosuch');
  const refused = await cli(['plan'], { PLANETSCALE_SERVICE_TOKEN: 'pscale_tkn_not-a-real-token' });
  expect(refused.code).toBe(1);
  expect(refused.output).toMatch(/HTTP 401/);
});

test('one failing object of 20 (a branch typo): the other 19 exist, the apply names the one; fixed, it converges', async () => {
  const declare = (typoBranch: string) =>
    scenario.project.synth((stack) => {
      for (let i = 0; i < 20; i++) new DatabasePassword(stack, `svc${i}`, { database: 'inventory', branch: i === 7 ? typoBranch : 'main' });
    });
  declare('mian');
  const failed = await scenario.project.apply();
  expect(failed.code).not.toBe(0);
  expect(failed.output).toContain('planetscale access/svc7: branch mian not found in database inventory (organization acme)');
  expect(failed.output).toContain('19 created, 0 changed, 0 renewed, 0 deleted, 1 failed');
  expect((await ownedPasswords()).length).toBe(19);
  expect(Object.keys(scenario.project.outputs().access)).toHaveLength(19);

  declare('main');
  const output = await scenario.project.applyOk();
  expect(output).toContain('1 created, 0 changed, 0 renewed, 0 deleted, 0 failed');
  expect((await ownedPasswords()).length).toBe(20);
  expect(Object.keys(scenario.project.outputs().access)).toHaveLength(20);
});

test('destroy after a failed apply (its reconciler tainted) still deletes everything the stack owns', async () => {
  scenario.project.synth((stack) => {
    new DatabasePassword(stack, 'app', { database: 'shop', branch: 'dev' });
    new DatabasePassword(stack, 'typo', { database: 'shop', branch: 'deev' });
    new ServiceToken(stack, 'ci');
  });
  expect((await scenario.project.apply()).code).not.toBe(0);
  const state = await scenario.project.terraform(['state', 'list']);
  const reconciler = state.output.split('\n').find((line) => line.includes('Reconciler'))!;
  expect((await scenario.project.terraform(['state', 'show', reconciler])).output).toContain('tainted');
  expect((await ownedPasswords()).length).toBe(1);

  const destroyed = await scenario.project.destroy();
  expect(destroyed.code).toBe(0);
  expect(destroyed.output).toContain('destroy finished');
  expect(await ownedPasswords()).toEqual([]);
  expect(scenario.emulator.store.state.serviceTokens.filter((t) => t.name && parseOwnedName(t.name, 'access'))).toEqual([]);
  expect(scenario.project.outputs()).toEqual({});
});

test('a change of stack settings updates the destroyer in place: nothing is deleted, and destroy still deletes everything', async () => {
  scenario.project.synth((stack) => new DatabasePassword(stack, 'app', { database: 'shop', branch: 'dev' }));
  await scenario.project.applyOk();
  const entry = scenario.project.passwordEntry('access/app');
  const received = resolve(scenario.project.root, 'received.txt');
  const sink = [process.execPath, '-e', `require('fs').appendFileSync(${JSON.stringify(received)}, 'x')`];
  scenario.project.synth((stack) => new DatabasePassword(stack, 'app', { database: 'shop', branch: 'dev' }), { sink });
  const output = await scenario.project.applyOk();
  expect(output).toMatch(/terraform_data\.planetscale_Destroyer_\w+ will be updated in-place/);
  expect(output).toContain('0 created, 0 changed, 0 renewed, 0 deleted, 0 failed');
  expect((await ownedPasswords()).map((p) => p.id)).toEqual([entry.id]);
  expect((await scenario.project.destroy()).code).toBe(0);
  expect(await ownedPasswords()).toEqual([]);
});

test('renewBefore: once the clock is inside the window, the password is renewed (same secret, later expiry)', async () => {
  const props: Partial<DatabasePasswordProps> = { database: 'shop', branch: 'dev', ttl: '30d', renewBefore: '7d' };
  scenario.project.synth((stack) => new DatabasePassword(stack, 'app', props as DatabasePasswordProps));
  await scenario.project.applyOk();
  const before = scenario.project.passwordEntry('access/app');
  expect((await cli(['plan'])).code).toBe(0);

  scenario.emulator.clock.advance(25 * 86_400_000);
  const plan = await cli(['plan']);
  expect(plan.code).toBe(2);
  expect(plan.output).toContain(`~ renew password access/app (expires ${before.expires_at}; same secret)`);
  const reconciled = await cli(['reconcile']);
  expect(reconciled.code).toBe(0);
  const live = await scenario.api.getPassword('shop', 'dev', before.id);
  expect(new Date(live.expires_at!).getTime()).toBeGreaterThan(new Date(before.expires_at!).getTime() + 20 * 86_400_000);
  const after = scenario.project.passwordEntry('access/app');
  expect(after).toEqual({ ...before, expires_at: live.expires_at });
  expect((await cli(['plan'])).code).toBe(0);
  scenario.emulator.clock.advance(-25 * 86_400_000);
});

test('credentials that cannot renew themselves: plan warns inside the --expiring-within window (exit 2), not outside it (exit 0)', async () => {
  scenario.project.synth((stack) => {
    new DatabasePassword(stack, 'app', { database: 'shop', branch: 'dev', ttl: '30d' });
    new ServiceToken(stack, 'ci', { ttl: '30d' }).grant('shop', ['read_branch']);
  });
  await scenario.project.applyOk();
  expect((await cli(['plan'])).code).toBe(0);
  scenario.emulator.clock.advance(25 * 86_400_000);
  try {
    const plan = await cli(['plan']);
    expect(plan.code).toBe(2);
    expect(plan.output).toMatch(/! access\/app: password app\.access\.\S+ expires \S+ \(in [45] days\); set `renewBefore` to renew it, or change its `rotation` label/);
    expect(plan.output).toMatch(/! access\/ci: service token ci\.access\.\S+ expires \S+ \(in [45] days\); tokens cannot be renewed: change its `rotation` label/);
    const narrower = await cli(['plan', '--expiring-within', '2d']);
    expect([narrower.code, narrower.output]).toEqual([0, expect.not.stringContaining('expires')]);
  } finally {
    scenario.emulator.clock.advance(-25 * 86_400_000);
  }
});

test('an expired service token: plan names it, reconcile issues a new one with the same grants and deletes the expired one', async () => {
  scenario.project.synth((stack) => new ServiceToken(stack, 'ci', { ttl: '1d' }).grant('shop', ['read_branch']));
  await scenario.project.applyOk();
  const before = scenario.project.tokenEntry('access/ci');
  scenario.emulator.clock.advance(2 * 86_400_000);
  try {
    const plan = await cli(['plan']);
    expect(plan.code).toBe(2);
    expect(plan.output).toContain('+ create service token access/ci with read_branch on database shop: expired: a new one replaces it; new secret');
    expect(plan.output).toMatch(/- delete service token ci\.access\.\S+ \(\w+\): expired/);
    expect((await cli(['reconcile'])).code).toBe(0);
    const after = scenario.project.tokenEntry('access/ci');
    scenario.project.secrets.add(after.token);
    expect(after.id).not.toBe(before.id);
    const owned = scenario.emulator.store.state.serviceTokens.filter((t) => t.name && parseOwnedName(t.name, 'access'));
    expect(owned.map((t) => t.id)).toEqual([after.id]);
    expect((await scenario.api.getServiceTokenGrants(after.id)).flatMap((g) => g.accesses.map((a) => a.access))).toEqual(['read_branch']);
    expect((await cli(['plan'])).code).toBe(0);
  } finally {
    scenario.emulator.clock.advance(-2 * 86_400_000);
  }
});

test('a storm of 429s and a lost create response during a 50-object apply: converges, nothing created twice', async () => {
  scenario.project.synth((stack) => {
    for (let i = 0; i < 50; i++) new DatabasePassword(stack, `svc${i}`, { database: i % 2 ? 'shop' : 'inventory', branch: 'main' });
  });
  scenario.emulator.faults.add({ kind: 'status', status: 429, retryAfter: '0', count: 60 });
  scenario.emulator.faults.add({ kind: 'drop-after-change', method: 'POST', pathIncludes: '/passwords', count: 1 });
  scenario.emulator.requests.reset();
  const output = await scenario.project.applyOk();
  expect(output).toContain('outcome unknown');
  expect(scenario.emulator.faults.pending).toBe(0);
  const owned = await ownedPasswords();
  expect(owned).toHaveLength(50);
  expect(new Set(owned.map((p) => p.name)).size).toBe(50);
  const entries = Object.values(scenario.project.outputs().access);
  expect(entries.map((e) => e.id).sort()).toEqual(owned.map((p) => p.id).sort());
  // 50 live and exactly one deleted: the password whose answer was lost, made again. Nothing else was created.
  expect(scenario.emulator.requests.count('delete_password')).toBe(1);
  expect(scenario.emulator.store.state.passwords.filter((p) => parseOwnedName(p.name, 'access'))).toHaveLength(50);
});

test('the outputs file deleted between applies (no sink): plan and the next apply name every credential whose secret is held nowhere', async () => {
  scenario.project.synth((stack) => {
    new DatabasePassword(stack, 'app', { database: 'shop', branch: 'dev' });
    new ServiceToken(stack, 'ci');
  });
  await scenario.project.applyOk();
  rmSync(scenario.project.outputsPath);
  const plan = await cli(['plan']);
  expect(plan.code).toBe(2);
  for (const path of ['access/app', 'access/ci']) {
    expect(plan.output).toMatch(new RegExp(`! ${path}: (password|service token) \\S+ exists but its secret is held nowhere: it is not in \\S+ and no sink is configured; if nothing that uses it still has it, change its \`rotation\` label to issue a new one`));
  }
  // The next apply says so too, and replaces nothing on its own.
  scenario.project.synth((stack) => {
    new DatabasePassword(stack, 'app', { database: 'shop', branch: 'dev' });
    new ServiceToken(stack, 'ci');
    new DatabasePassword(stack, 'other', { database: 'shop', branch: 'dev' });
  });
  const output = await scenario.project.applyOk();
  expect(output).toMatch(/warning: access\/app: password app\.access\.\S+ exists but its secret is held nowhere/);
  expect(output).toMatch(/warning: access\/ci: service token ci\.access\.\S+ exists but its secret is held nowhere/);
  expect(output).toContain('1 created, 0 changed, 0 renewed, 0 deleted, 0 failed');
});

test('a sink-only setup whose outputs file went with the job is healthy, not drift; a relative sink runs in the stack directory under reconcile too', async () => {
  const received = resolve(scenario.project.root, 'received.jsonl');
  writeFileSync(
    resolve(scenario.project.root, 'store-secret.js'),
    `let input = '';\nprocess.stdin.on('data', (c) => (input += c));\nprocess.stdin.on('end', () => require('fs').appendFileSync(${JSON.stringify(received)}, input));\n`,
  );
  // Relative to the stack directory (cdktf.out/stacks/<stack>), where terraform runs the handler.
  const sink = [process.execPath, '../../../store-secret.js'];
  scenario.project.synth((stack) => new DatabasePassword(stack, 'app', { database: 'shop', branch: 'dev' }), { sink });
  await scenario.project.applyOk();
  const delivered = () => readFileSync(received, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { path: string; entry: { id: string } });
  const first = scenario.project.passwordEntry('access/app');
  expect(delivered().map((d) => d.entry.id)).toEqual([first.id]);

  rmSync(scenario.project.outputsPath);
  const plan = await cli(['plan']);
  expect(plan.code).toBe(0);
  expect(plan.output).not.toContain('held nowhere');

  await scenario.api.deletePassword('shop', 'dev', first.id);
  // The CLI runs from the repository, not the stack directory: the sink is still found.
  const reconciled = await cli(['reconcile']);
  expect(reconciled.code).toBe(0);
  const second = scenario.project.passwordEntry('access/app');
  scenario.project.secrets.add(second.password);
  expect(delivered().map((d) => d.entry.id)).toEqual([first.id, second.id]);
  expect((await cli(['plan'])).code).toBe(0);
});

test('a password deleted by hand, then destroy: its outputs entry goes too', async () => {
  scenario.project.synth((stack) => {
    new DatabasePassword(stack, 'app', { database: 'shop', branch: 'dev' });
    new DatabasePassword(stack, 'kept', { database: 'shop', branch: 'dev' });
  });
  await scenario.project.applyOk();
  await scenario.api.deletePassword('shop', 'dev', scenario.project.passwordEntry('access/app').id);
  expect((await scenario.project.destroy()).code).toBe(0);
  expect(scenario.project.outputs()).toEqual({});
});

test('a run killed between a create and the recording of its secret: the next apply deletes that credential and issues it again', async () => {
  scenario.project.synth((stack) => new DatabasePassword(stack, 'app', { database: 'shop', branch: 'dev' }));
  await scenario.project.terraform(['init', '-input=false', '-no-color']);
  // The password is created, and its answer (the only copy of its secret) never arrives.
  scenario.emulator.faults.add({ kind: 'hang-after-change', method: 'POST', pathIncludes: '/passwords' });
  const apply = spawn(TERRAFORM, ['apply', '-auto-approve', '-input=false', '-no-color'], { cwd: scenario.project.stackDirectory, env: scenario.project.env() });
  const lock = `${scenario.project.outputsPath}.lock`;
  const hung = await new Promise<string>((done, fail) => {
    const started = Date.now();
    const poll = setInterval(() => {
      const created = scenario.emulator.store.state.passwords.find((p) => parseOwnedName(p.name, 'access'));
      if (created && existsSync(lock)) {
        clearInterval(poll);
        process.kill((JSON.parse(readFileSync(lock, 'utf8')) as { pid: number }).pid, 'SIGKILL');
        done(created.id);
      } else if (Date.now() - started > 30_000) {
        clearInterval(poll);
        fail(new Error('the run never created the password'));
      }
    }, 20);
  });
  await new Promise((done) => apply.on('close', done));
  expect(scenario.project.outputs().access?.['access/app']).toBeUndefined();

  const output = await scenario.project.applyOk();
  expect(output).toMatch(new RegExp(`deleting password app\\.access\\.\\S+ \\(${hung}\\) left by an interrupted run; its secret was never recorded`));
  const entry = scenario.project.passwordEntry('access/app');
  expect(entry.id).not.toBe(hung);
  expect((await ownedPasswords()).map((p) => p.id)).toEqual([entry.id]);
  expect((await cli(['plan'])).code).toBe(0);
});

test('a run killed while it held the lock: the next apply takes the lock over at once, and converges', async () => {
  scenario.project.synth((stack) => {
    for (let i = 0; i < 6; i++) new DatabasePassword(stack, `svc${i}`, { database: 'shop', branch: 'dev' });
  });
  await scenario.project.terraform(['init', '-input=false', '-no-color']);
  scenario.emulator.faults.latencyMs = 400;
  const lock = `${scenario.project.outputsPath}.lock`;
  const apply = spawn(TERRAFORM, ['apply', '-auto-approve', '-input=false', '-no-color'], { cwd: scenario.project.stackDirectory, env: scenario.project.env() });
  let applyOutput = '';
  apply.stdout.on('data', (c: Buffer) => (applyOutput += c.toString()));
  const killed = await new Promise<number>((done, fail) => {
    const started = Date.now();
    const poll = setInterval(() => {
      if (existsSync(lock)) {
        clearInterval(poll);
        const { pid } = JSON.parse(readFileSync(lock, 'utf8')) as { pid: number };
        process.kill(pid, 'SIGKILL');
        done(pid);
      } else if (Date.now() - started > 30_000) {
        clearInterval(poll);
        fail(new Error('the run never took its lock'));
      }
    }, 20);
  });
  await new Promise((done) => apply.on('close', done));
  scenario.project.transcript.push(applyOutput);
  scenario.emulator.faults.latencyMs = 0;
  expect(existsSync(lock)).toBe(true);
  expect(JSON.parse(readFileSync(lock, 'utf8')).pid).toBe(killed);

  const output = await scenario.project.applyOk();
  expect(output).not.toContain('waiting for another run');
  expect(existsSync(lock)).toBe(false);
  expect((await ownedPasswords()).length).toBe(6);
  expect(Object.keys(scenario.project.outputs().access).sort()).toEqual([...Array(6).keys()].map((i) => `access/svc${i}`).sort());
});
