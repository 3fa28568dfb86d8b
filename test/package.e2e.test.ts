import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { offlineEnvironment } from '../scripts/cdktf-cli';
import { temporaryDirectory } from './support/env';
import { nodeRuntime } from './support/node-runtime';
import { installOfflineApp, lockedVersion, packPackage } from './support/offline-app';
import { secretOf, type OutputsDocument } from '../src/outputs/entries';

/**
 * The packed tarball, used as a new user uses it: installed (offline, from the tarball and npm's cache) into apps
 * outside this repository, one on CDK for Terraform (cdktf + cdktf-cli) and one on CDK Terrain (cdktn + cdktn-cli,
 * with no cdktf anywhere in node_modules), each also holding a second copy of the package under another name. The
 * example stack (examples/main.ts, its imports pointed at the package and the app's framework) is type-checked
 * against the shipped declarations, synthesized and deployed with the framework's real CLI against the emulator
 * the package exports, checked with the `planetscale-cdktf` command and the client export, and destroyed.
 *
 * This is the tested version matrix the README states: cdktf 0.21 on this machine's Node (20) with cdktf-cli and on
 * Node 24 without it (cdktf-cli 0.21 cannot start there), cdktn 0.24 on Node 22 and on Node 24 (cdktn-cli itself
 * requires Node 22.19 or later).
 */
const ROOT = resolve(__dirname, '..');
const NODE_22 = '22.23.3';
const NODE_24 = '24.21.0';
const COPY = 'psc-copy';

let work: { path: string; remove: () => void };
let tarball: string;

beforeAll(() => {
  work = temporaryDirectory('package');
  tarball = packPackage(work.path);
}, 300_000);
afterAll(() => work.remove());

interface Framework {
  readonly name: 'cdktf' | 'cdktn';
  readonly cli: string;
}

/** An app on `framework`, as `cdktf init` / `cdktn init` would lay it out, with the example stack as its main.ts. */
function createApp(framework: Framework): string {
  const app = join(work.path, `app-${framework.name}`);
  installOfflineApp(app, tarball, [framework.name, framework.cli, 'constructs', 'typescript', 'ts-node', '@types/node'], ['cdktf-planetscale-credentials', COPY]);
  writeFileSync(
    join(app, 'cdktf.json'),
    JSON.stringify({ language: 'typescript', app: 'npx ts-node main.ts', output: 'cdktf.out', sendCrashReports: 'false', terraformProviders: [], terraformModules: [] }),
  );
  // As the frameworks' project templates: CommonJS, strict, no skipLibCheck (the shipped declarations are checked).
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { target: 'ES2020', module: 'CommonJS', lib: ['es2020'], strict: true, types: ['node'], noEmit: true }, include: ['*.ts'] }),
  );
  const example = readFileSync(join(ROOT, 'examples', 'main.ts'), 'utf8')
    .replace("from 'cdktf';", `from '${framework.name}';`)
    .replace("from '../src';", "from 'cdktf-planetscale-credentials';")
    .replace(
      /\napp\.synth\(\);\n$/,
      `
// The same stack with constructs of a second copy of the package (as npm nests one under another dependent).
import * as another from '${COPY}';
const copied = new another.DatabasePassword(stack, 'copy', { database: 'shop', branch: 'dev' });
new another.IpRestriction(stack, 'copy-office', { password: copied, cidrs: ['192.0.2.0/24'] });
new IpRestriction(stack, 'copy-vpn', { password: copied, cidrs: ['198.51.100.7'] });

app.synth();
`,
    );
  if (!example.includes(COPY) || example.includes("'cdktf'") === (framework.name === 'cdktn')) throw new Error('examples/main.ts changed shape: update this test');
  writeFileSync(join(app, 'main.ts'), example);
  // The subpath exports, type-checked too: the emulator a user's own tests would start, and the API client.
  writeFileSync(
    join(app, 'emulator.ts'),
    `import { startEmulator } from 'cdktf-planetscale-credentials/emulator';
void startEmulator().then((emulator) => process.stdout.write(JSON.stringify(emulator.env) + '\\n'));
`,
  );
  writeFileSync(
    join(app, 'passwords.ts'),
    `import { PlanetScaleClient } from 'cdktf-planetscale-credentials/client';
const env = process.env as Record<string, string>;
const api = new PlanetScaleClient({
  organization: 'acme',
  baseUrl: env.PLANETSCALE_API_URL,
  credentials: { id: env.PLANETSCALE_SERVICE_TOKEN_ID, token: env.PLANETSCALE_SERVICE_TOKEN },
});
void Promise.all([api.listPasswords('shop', 'main'), api.listPasswords('shop', 'dev')]).then(async (lists) => {
  process.stdout.write(JSON.stringify(lists.flat().map((p) => p.id).sort()) + '\\n');
  await api.close();
});
`,
  );
  // The whole app type-checked with tsc: unlike ts-node, it reports errors in the shipped declarations too (a
  // declaration naming a framework the app does not have would fail here).
  const check = spawnSync(join(app, 'node_modules', '.bin', 'tsc'), ['--noEmit', '-p', '.'], { cwd: app, encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`tsc found errors in the ${framework.name} app:\n${check.stdout}${check.stderr}`);
  return app;
}

/** Runs the app's commands on one Node version, against an emulator started from the package's emulator export. */
class Session {
  readonly transcript: string[] = [];
  private emulator?: ChildProcess;
  private env: NodeJS.ProcessEnv;

  constructor(
    readonly app: string,
    nodeBin: string | undefined,
  ) {
    writeFileSync(join(app, 'empty.tfrc'), '');
    const path = [...(nodeBin ? [nodeBin] : []), join(app, 'node_modules', '.bin'), process.env.PATH].join(delimiter);
    this.env = offlineEnvironment(join(app, 'empty.tfrc'), { PATH: path });
  }

  async start(): Promise<void> {
    const child = spawn('ts-node', ['emulator.ts'], { cwd: this.app, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.emulator = child;
    const line = await new Promise<string>((done, fail) => {
      let out = '';
      let err = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) done(out.split('\n')[0]);
      });
      child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
      child.on('close', (code) => fail(new Error(`the emulator exited (${code}):\n${err}`)));
    });
    this.env = { ...this.env, ...(JSON.parse(line) as Record<string, string>) };
  }

  stop(): void {
    this.emulator?.kill();
  }

  /** Runs a command in the app; its output (stdout and stderr) joins the transcript. */
  run(command: string, args: string[], extra: Record<string, string> = {}): { code: number; output: string } {
    const result = spawnSync(command, args, { cwd: this.app, env: { ...this.env, ...extra }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
    this.transcript.push(output);
    return { code: result.status ?? 1, output };
  }

  ok(command: string, args: string[], extra: Record<string, string> = {}): string {
    const result = this.run(command, args, extra);
    if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.code}:\n${result.output.slice(-4000)}`);
    return result.output;
  }

  outputs(): OutputsDocument[string] {
    return (JSON.parse(readFileSync(join(this.app, 'planetscale-outputs.json'), 'utf8')) as OutputsDocument).access ?? {};
  }

  /** Ids of the MySQL passwords on shop/main and shop/dev, read with the package's client export. */
  passwordIds(): string[] {
    return JSON.parse(this.ok('ts-node', ['passwords.ts']).trim().split('\n').pop()!) as string[];
  }
}

const EXPECTED = ['access/analytics', 'access/app', 'access/ci', 'access/copy', 'access/dev-admin', 'access/reporting'];

/**
 * The app on one Node (this machine's when `nodeBin` is undefined), against a fresh emulator, with what an earlier
 * session left removed; `use` deploys and destroys, returning what the outputs file held, none of which may appear in
 * anything printed.
 */
async function inSession(
  app: string,
  nodeBin: string | undefined,
  expectedNode: string,
  use: (session: Session) => Promise<OutputsDocument[string]>,
): Promise<void> {
  for (const leftover of ['cdktf.out', 'planetscale-outputs.json', 'terraform.access.tfstate', 'terraform.access.tfstate.backup']) {
    rmSync(join(app, leftover), { recursive: true, force: true });
  }
  const session = new Session(app, nodeBin);
  await session.start();
  try {
    expect(session.ok('node', ['--version']).trim()).toBe(`v${expectedNode}`);
    const outputs = await use(session);
    const forbidden = session.transcript.join('\n');
    for (const entry of Object.values(outputs)) expect(forbidden).not.toContain(secretOf(entry));
  } finally {
    session.stop();
  }
}

/** After a deploy: every credential in the outputs file, and the package's CLI agrees PlanetScale matches the code. */
function expectDeployed(session: Session): OutputsDocument[string] {
  const outputs = session.outputs();
  expect(Object.keys(outputs).sort()).toEqual(EXPECTED);
  expect(session.run('planetscale-cdktf', ['plan', '--stack', 'access'])).toMatchObject({ code: 0 });
  return outputs;
}

/** After a destroy: nothing recorded, nothing left. */
function expectDestroyed(session: Session): void {
  expect(session.outputs()).toEqual({});
  expect(session.passwordIds()).toEqual([]);
}

/** synth, deploy, `planetscale-cdktf plan` (converged), an optional diff, destroy: the user's path with `cli`. */
function deployAndDestroy(app: string, cli: string, nodeBin: string | undefined, expectedNode: string, checkDiff: boolean): Promise<void> {
  return inSession(app, nodeBin, expectedNode, async (session) => {
    session.ok(cli, ['synth']);
    expect(existsSync(join(app, 'cdktf.out', 'stacks', 'access', 'planetscale-desired-state.json'))).toBe(true);
    session.ok(cli, ['deploy', 'access', '--auto-approve']);
    const outputs = expectDeployed(session);
    const mysql = Object.values(outputs).filter((e) => e.kind === 'password' && e.engine !== 'postgresql');
    expect(session.passwordIds()).toEqual(mysql.map((e) => e.id).sort());
    // Constructs of both copies landed in one desired state: the copy's password carries both restrictions.
    const state = JSON.parse(readFileSync(join(app, 'cdktf.out', 'stacks', 'access', 'planetscale-desired-state.json'), 'utf8'));
    expect(state.passwords.find((p: { path: string }) => p.path === 'access/copy').cidrs).toEqual(['192.0.2.0/24', '198.51.100.7/32']);
    if (checkDiff) {
      const diff = session.ok(cli, ['diff', 'access'], { OFFICE_CIDRS: '203.0.113.0/24,192.0.2.7' });
      expect(diff).toMatch(/# terraform_data\.app_\w+ \(app\/Resource\) will be updated in-place/);
    }
    session.ok(cli, ['destroy', 'access', '--auto-approve']);
    expectDestroyed(session);
    return outputs;
  });
}

/**
 * The app on `nodeBin` without the framework's CLI: synthesized by running the app itself (what `cdktf synth` does),
 * applied and destroyed with terraform. For cdktf on Node 24, where the archived cdktf-cli 0.21 cannot start (its
 * native pty module, @cdktf/node-pty-prebuilt-multiarch, has no build for that Node), while the library and ours run.
 */
function applyWithoutCli(app: string, nodeBin: string, expectedNode: string): Promise<void> {
  return inSession(app, nodeBin, expectedNode, async (session) => {
    session.ok('ts-node', ['main.ts']);
    const stack = ['-chdir=cdktf.out/stacks/access'];
    session.ok('terraform', [...stack, 'init', '-input=false', '-no-color']);
    session.ok('terraform', [...stack, 'apply', '-auto-approve', '-input=false', '-no-color']);
    const outputs = expectDeployed(session);
    session.ok('terraform', [...stack, 'destroy', '-auto-approve', '-input=false', '-no-color']);
    expectDestroyed(session);
    return outputs;
  });
}

test(
  `cdktf ${lockedVersion('cdktf')}: with cdktf-cli on this machine's Node; on Node ${NODE_24} synthesized by the app and applied with terraform: install offline, deploy, destroy`,
  async () => {
    const app = createApp({ name: 'cdktf', cli: 'cdktf-cli' });
    await deployAndDestroy(app, 'cdktf', undefined, process.versions.node, false);
    await applyWithoutCli(app, nodeRuntime(NODE_24), NODE_24);
  },
  600_000,
);

test(
  `cdktn ${lockedVersion('cdktn')} with cdktn-cli on Node ${NODE_22} and ${NODE_24}, no cdktf installed: synth, deploy, diff, destroy`,
  async () => {
    const app = createApp({ name: 'cdktn', cli: 'cdktn-cli' });
    const installed = Object.keys((JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8')) as { packages: object }).packages);
    expect(installed.filter((path) => /(^|\/)node_modules\/(cdktf|@cdktf\/[^/]+)$/.test(path))).toEqual([]);
    expect(existsSync(join(app, 'node_modules', 'cdktf'))).toBe(false);
    expect(existsSync(join(app, 'node_modules', COPY, 'package.json'))).toBe(true);
    await deployAndDestroy(app, 'cdktn', nodeRuntime(NODE_22), NODE_22, true);
    await deployAndDestroy(app, 'cdktn', nodeRuntime(NODE_24), NODE_24, false);
  },
  900_000,
);
