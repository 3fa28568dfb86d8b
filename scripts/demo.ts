/**
 * The demo: the example stack (examples/main.ts) deployed with the real cdktf CLI against the embedded PlanetScale
 * emulator, a CIDR edit applied in place, drift made in the "console" found by `planetscale-cdktf plan` and healed
 * by `planetscale-cdktf reconcile`, then real connections with the outputs file's connection strings to the
 * MariaDB and PostgreSQL servers the emulator runs (`databases: true`): allow-lists and rotation enforced by the
 * servers themselves. Destroyed at the end. Prints what happened, never a secret.
 *
 *     npm run demo
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PlanetScaleClient } from '../src/api';
import { startEmulator, type RunningEmulator } from '../src/emulator';
import { secretOf, type OutputEntry, type OutputsDocument } from '../src/outputs/entries';
import { parseOwnedName, ruleMarker } from '../src/model/naming';
import { BUNDLES, bundleAll } from './bundle';
import { handlerLines, offlineEnvironment, runCdktf } from './cdktf-cli';
import { runProbe, type ProbeAttempt, type ProbeResult } from './connect-probe';

const ROOT = resolve(__dirname, '..');
const STACK = 'access';
const OUTPUTS = join(ROOT, 'planetscale-outputs.json');
const GENERATED = [OUTPUTS, join(ROOT, 'cdktf.out'), join(ROOT, `terraform.${STACK}.tfstate`), join(ROOT, `terraform.${STACK}.tfstate.backup`)];

function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** Runs the project's cdktf CLI; shows the handler's own lines, keeps the full output for the checks and errors. */
async function cdktf(args: string[], env: NodeJS.ProcessEnv, transcript: string[]): Promise<void> {
  const { code, output } = await runCdktf(args, ROOT, env);
  transcript.push(output);
  for (const line of handlerLines(output)) say(`    ${line}`);
  if (code !== 0) throw new Error(`cdktf ${args.join(' ')} failed (exit ${code}):\n${output.split('\n').slice(-30).join('\n')}`);
}

/** Runs `planetscale-cdktf <args>` (the bundled CLI npm ships) in the project; prints its output indented. */
function planetscaleCdktf(args: string[], env: NodeJS.ProcessEnv, transcript: string[]): Promise<number> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BUNDLES.cli.outfile, ...args], {
      cwd: ROOT,
      env,
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => {
      transcript.push(output);
      for (const line of output.trimEnd().split('\n')) say(`    ${line}`);
      done(code ?? 1);
    });
  });
}

/** A connection attempt with an entry's own connection string (mysql2 for MySQL, node-postgres for Postgres). */
function connectWith(label: string, entry: OutputEntry | undefined): ProbeAttempt[] {
  if (entry?.kind !== 'password') return [];
  return entry.engine === 'postgresql'
    ? [{ label, client: 'pg', connection: entry.connection_strings.node_postgres, statements: ['SELECT current_user AS user'] }]
    : [{ label, client: 'mysql2', connection: entry.connection_strings.general, statements: ['SELECT CURRENT_USER() AS user'] }];
}

/** One line per attempt: who the server says we are, or why it refused. */
function describeConnection(result: ProbeResult): string {
  const client = result.label.padEnd(30);
  return result.ok ? `${client}connected, current_user = ${String(result.rows[0]?.user)}` : `${client}refused: ${result.message.split('\n')[0]}`;
}

/** The emulator with real database servers, or without them (and why) where MariaDB or PostgreSQL is missing. */
async function emulatorForDemo(): Promise<{ emulator: RunningEmulator; noDatabases?: string }> {
  try {
    return { emulator: await startEmulator({ databases: true }) };
  } catch (error) {
    return { emulator: await startEmulator(), noDatabases: (error as Error).message };
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  for (const path of GENERATED) rmSync(path, { recursive: true, force: true });
  await bundleAll();
  const { emulator, noDatabases } = await emulatorForDemo();
  const scratch = mkdtempSync(join(tmpdir(), 'planetscale-demo-'));
  writeFileSync(join(scratch, 'empty.tfrc'), '');
  const env = offlineEnvironment(join(scratch, 'empty.tfrc'), emulator.env);
  const api = new PlanetScaleClient({ organization: emulator.organization, baseUrl: emulator.url, credentials: emulator.token });
  const transcript: string[] = [];
  const secrets = new Set<string>();
  const remember = () => {
    const document = existsSync(OUTPUTS) ? (JSON.parse(readFileSync(OUTPUTS, 'utf8')) as OutputsDocument) : {};
    for (const entry of Object.values(document[STACK] ?? {})) secrets.add(secretOf(entry));
    return document;
  };
  const owned = async () => {
    const found = [];
    for (const branch of ['main', 'dev']) {
      for (const password of await api.listPasswords('shop', branch)) if (parseOwnedName(password.name, STACK)) found.push(password);
    }
    return found;
  };

  try {
    say(`PlanetScale API emulator on ${emulator.url} (organization ${emulator.organization})`);
    if (emulator.databases) say(`with real database servers on ${emulator.databases.address}: MariaDB on 3306, PostgreSQL on 5432, TLS from the emulator's CA`);
    else say(`without database servers (${noDatabases}): the connections at step 4 are skipped`);
    say();
    say('1/5  cdktf deploy: the example stack (examples/main.ts): 3 MySQL passwords with IP restrictions, a CI service token with');
    say('     grants, a Postgres role with an IP rule that follows it, a Postgres database IP rule');
    await cdktf(['deploy', STACK, '--auto-approve'], env, transcript);
    const outputs = remember()[STACK] ?? {};
    say();
    say('     construct         branch  role        expires     allowed from');
    for (const password of await owned()) {
      const entry = Object.entries(outputs).find(([, e]) => e.id === password.id);
      const allowed = password.cidrs?.join(', ') ?? 'any address';
      const expires = password.expires_at?.slice(0, 10) ?? 'never';
      say(`     ${(entry?.[0] ?? '?').padEnd(18)}${password.database_branch.name.padEnd(8)}${password.role.padEnd(12)}${expires.padEnd(12)}${allowed}`);
    }
    const ci = outputs[`${STACK}/ci`];
    if (ci?.kind === 'service-token') {
      const grants = await api.getServiceTokenGrants(ci.id);
      const described = grants.map((g) => `${g.resource_type === 'Organization' ? 'organization' : g.resource_name}: ${g.accesses.map((a) => a.access).join(', ')}`);
      say(`     access/ci         service token ${ci.id}, expires ${ci.expires_at?.slice(0, 10) ?? 'never'}; ${described.join('; ')}`);
    }
    const reporting = outputs[`${STACK}/reporting`];
    if (reporting?.kind === 'password' && reporting.engine === 'postgresql') {
      const expires = reporting.expires_at?.slice(0, 10) ?? 'never';
      say(`     access/reporting  Postgres role ${reporting.base_username} on analytics/main, inherits ${reporting.inherited_roles.join(', ')}, expires ${expires}`);
    }
    for (const rule of await api.listPostgresIpRules('analytics')) {
      const path = `${STACK}/${parseOwnedName(ruleMarker(rule.description) ?? '', STACK)?.display ?? '?'}`;
      say(`     ${path.padEnd(18)}Postgres rule on analytics: ${rule.cidrs.join(', ')}, schema ${rule.schema || '(all)'}, role ${rule.role || '(all)'}`);
    }
    say(`     secrets: ${OUTPUTS} (mode 600), ${Object.keys(outputs).length} entries (MySQL passwords with connection strings for 11 frameworks,`);
    say('     the Postgres role with 13, the token with its PLANETSCALE_SERVICE_TOKEN_ID / PLANETSCALE_SERVICE_TOKEN pair)');
    const appBefore = outputs[`${STACK}/app`];

    say();
    say('2/5  edit the office CIDRs (OFFICE_CIDRS) and deploy again: the password is patched in place');
    await cdktf(['deploy', STACK, '--auto-approve'], { ...env, OFFICE_CIDRS: '203.0.113.0/24,192.0.2.0/28' }, transcript);
    const appAfter = remember()[STACK]?.[`${STACK}/app`];
    const live = await api.getPassword('shop', 'main', appBefore.id);
    say(`     app password ${appAfter?.id === appBefore.id ? 'kept its id and secret' : 'CHANGED (unexpected)'}: ${appBefore.id}; allowed from ${live.cidrs?.join(', ')}`);

    say();
    say('3/5  drift made outside code: the analytics password deleted in the console, the CI token given create_branch on inventory');
    const analytics = remember()[STACK]?.[`${STACK}/analytics`];
    if (analytics) await api.deletePassword('shop', 'main', analytics.id);
    if (ci) await api.addServiceTokenAccess(ci.id, { database: 'inventory', access: ['create_branch'] });
    say('     planetscale-cdktf plan  (exit 0: converged, 2: changes pending, 1: error)');
    const planned = await planetscaleCdktf(['plan', '--stack', STACK], env, transcript);
    say(`     exit ${planned}`);
    say('     planetscale-cdktf reconcile  (what a scheduled pipeline runs to heal drift without a code change)');
    const reconciled = await planetscaleCdktf(['reconcile', '--stack', STACK], env, transcript);
    if (reconciled !== 0) throw new Error(`reconcile failed (exit ${reconciled})`);
    remember();
    const again = await planetscaleCdktf(['plan', '--stack', STACK], env, transcript);
    say(`     exit ${again}`);

    // Each attempt with the outcome the credentials promise: the demo fails if a server disagrees.
    const connect = async (attempts: ProbeAttempt[], expected: ('connects' | 'refused')[]) => {
      const results = await runProbe(attempts, emulator.databases!.caFile);
      const lines = results.map(describeConnection);
      transcript.push(...lines);
      for (const line of lines) say(`     ${line}`);
      const wrong = results.flatMap((result, i) => (result.ok === (expected[i] === 'connects') ? [] : [`${result.label} ${result.ok ? 'connected' : 'was refused'}`]));
      if (results.length !== expected.length) throw new Error(`${results.length} connection results for ${expected.length} attempts`);
      if (wrong.length > 0) throw new Error(`the database servers disagree with the credentials: ${wrong.join('; ')}`);
      return results;
    };
    const secretsBeforeDestroy: ProbeAttempt[] = [];
    if (emulator.databases) {
      const cidrs = '203.0.113.0/24,192.0.2.0/28';
      say();
      say('4/5  connect with the outputs file, as applications would: mysql2 and pg, the connection strings verbatim, TLS verified');
      say(`     against the emulator's CA (NODE_EXTRA_CA_CERTS); the servers enforce roles, allow-lists and deletions themselves`);
      let outputs = remember()[STACK] ?? {};
      await connect([
        ...connectWith('access/app (office only)', outputs[`${STACK}/app`]),
        ...connectWith('access/analytics', outputs[`${STACK}/analytics`]),
        ...connectWith('access/dev-admin', outputs[`${STACK}/dev-admin`]),
        ...connectWith('access/reporting (Postgres)', outputs[`${STACK}/reporting`]),
      ], ['refused', 'connects', 'connects', 'connects']);
      say('     (reporting-hosts, a Postgres IP rule, is recorded by the emulator but not enforced by the local server: docs/databases.md)');
      say(`     allow 127.0.0.0/8 too (OFFICE_CIDRS=${cidrs},127.0.0.0/8), deploy: patched in place, same secret`);
      const local = { ...env, OFFICE_CIDRS: `${cidrs},127.0.0.0/8` };
      await cdktf(['deploy', STACK, '--auto-approve'], local, transcript);
      outputs = remember()[STACK] ?? {};
      const first = outputs[`${STACK}/app`];
      await connect(connectWith('access/app (+127.0.0.0/8)', first), ['connects']);
      say('     rotate the app password (APP_ROTATION=2), deploy: a new secret, the old one deleted once the new one is delivered');
      await cdktf(['deploy', STACK, '--auto-approve'], { ...local, APP_ROTATION: '2' }, transcript);
      outputs = remember()[STACK] ?? {};
      await connect([...connectWith('access/app (rotated away)', first), ...connectWith('access/app (new secret)', outputs[`${STACK}/app`])], ['refused', 'connects']);
      for (const name of ['app', 'analytics', 'dev-admin', 'reporting']) secretsBeforeDestroy.push(...connectWith(`access/${name}`, outputs[`${STACK}/${name}`]));
    }

    say();
    say('5/5  cdktf destroy');
    await cdktf(['destroy', STACK, '--auto-approve'], env, transcript);
    const tokensLeft = (await api.listServiceTokens()).filter((t) => t.name && parseOwnedName(t.name, STACK)).length;
    const rolesLeft = (await api.listRoles('analytics', 'main')).filter((r) => parseOwnedName(r.name, STACK)).length;
    const rulesLeft = (await api.listPostgresIpRules('analytics')).length;
    say(`     left owned by the stack: ${(await owned()).length} passwords, ${rolesLeft} roles, ${tokensLeft} service tokens, ${rulesLeft} IP rules`);
    if (secretsBeforeDestroy.length > 0) {
      say('     the same connection strings after destroy:');
      await connect(secretsBeforeDestroy, secretsBeforeDestroy.map(() => 'refused'));
    }

    const state = [`terraform.${STACK}.tfstate`, `terraform.${STACK}.tfstate.backup`]
      .map((file) => join(ROOT, file))
      .filter(existsSync)
      .map((file) => readFileSync(file, 'utf8'));
    const leaked = [...secrets].filter((secret) => [...transcript, ...state].some((text) => text.includes(secret)));
    say();
    say(`checked: ${secrets.size} generated secrets appear in no cdktf output and no Terraform state (${leaked.length} leaks)`);
    if (leaked.length > 0) throw new Error('a secret leaked');
    say(`demo finished in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  } finally {
    await api.close();
    await emulator.stop();
    rmSync(scratch, { recursive: true, force: true });
    for (const path of GENERATED) rmSync(path, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${(error as Error).message}\n`);
  process.exit(1);
});
