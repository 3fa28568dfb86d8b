/**
 * Apply-time benchmark of the reconcile engine, against Terraform's own floor measured in the same run.
 *
 * For 50 and 500 passwords (each with an IP restriction) plus 10 service tokens with grants, it applies the stack
 * against the emulator and, rounds interleaved, a stack of the same number of `terraform_data` resources with no
 * provisioner at all (what Terraform alone costs), and the stack's own declarations with their provisioners and
 * dependencies stripped (what their data costs Terraform, so the engine's share shows). It reports the median apply time of each, their ratio, the API
 * requests one apply makes (by operation), how many handler processes ran and the handler's peak memory. Then, on the
 * 500-password stack: a CIDR edit on one password (the listing plus one PATCH), 500 creates with 100 ms of emulator
 * latency (closer to the real API: concurrency must show), and 1000 creates in one run with the emulator's
 * 600-per-minute limit on (more than a minute's budget: no 429 may occur, or the benchmark fails). Results go to
 * bench-results/engine.json.
 *
 *     npm run bench                 (BENCH_ROUNDS=3 by default)
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { App, LocalBackend, TerraformResource, TerraformStack } from 'cdktf';
import { DatabasePassword, IpRestriction, PlanetScale, ServiceToken } from '../src';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../src/emulator';
import { bundleAll } from './bundle';
import { offlineEnvironment } from './cdktf-cli';

const run = promisify(execFile);
const TERRAFORM = '/usr/local/bin/terraform';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TOKENS = 10;
const BRANCHES = [['shop', 'main'], ['shop', 'dev'], ['inventory', 'main'], ['inventory', 'dev']] as const;

class BareData extends TerraformResource {
  protected synthesizeAttributes(): Record<string, unknown> {
    return { input: this.node.id };
  }
}

/** A stack of `passwords` passwords (each with an IP restriction) and the 10 tokens; `officeOf` picks CIDRs. */
function declareStack(stack: TerraformStack, dir: string, passwords: number, officeOf: (i: number) => string[] = (i) => [`10.${Math.floor(i / 250)}.${i % 250}.0/24`]): void {
  new PlanetScale(stack, 'planetscale', { organization: 'acme', outputsFile: join(dir, 'outputs.json') });
  for (let i = 0; i < passwords; i++) {
    const [database, branch] = BRANCHES[i % BRANCHES.length];
    const password = new DatabasePassword(stack, `svc${i}`, { database, branch, role: 'reader' });
    new IpRestriction(stack, `svc${i}-office`, { password, cidrs: officeOf(i) });
  }
  for (let i = 0; i < TOKENS; i++) {
    new ServiceToken(stack, `ci${i}`, { ttl: '30d' }).grant('shop', ['read_branch', 'create_deploy_request']).grantOrganization(['read_databases']);
  }
}

/** The synthesized stack without provisioners or dependencies, its state in `dir`: the declarations' data alone. */
function withoutProvisioners(stack: { resource: Record<string, Record<string, Record<string, unknown>>> }, dir: string) {
  const resources: Record<string, Record<string, unknown>> = {};
  for (const [name, resource] of Object.entries(stack.resource.terraform_data)) {
    const { provisioner: _run, depends_on: _after, ...declaration } = resource;
    resources[name] = declaration;
  }
  return { terraform: { backend: { local: { path: join(dir, 'declarations.tfstate') } } }, resource: { terraform_data: resources } };
}

/** Synthesizes a stack into `dir` and returns its directory: the PlanetScale stack, or `resources` bare terraform_data. */
function synth(dir: string, name: string, define: (stack: TerraformStack) => void): string {
  const app = new App({ outdir: join(dir, 'cdktf.out') });
  const stack = new TerraformStack(app, name);
  new LocalBackend(stack, { path: join(dir, `${name}.tfstate`) });
  define(stack);
  app.synth();
  return join(dir, 'cdktf.out', 'stacks', name);
}

interface Measure {
  readonly seconds: number;
  readonly requests: number;
  readonly byOperation: Record<string, number>;
  readonly handlerRuns: number;
  readonly peakMemoryMb: number;
  readonly rateLimited: number;
  /** Seconds from the start of the apply to the run's first API request (Terraform reaching the reconciler). */
  readonly engineStartSeconds: number;
  /** The handler's own time, from its summary line. */
  readonly engineSeconds: number;
}

async function terraform(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout, stderr } = await run(TERRAFORM, [...args, '-input=false', '-no-color'], { cwd, env, maxBuffer: 512 * 1024 * 1024 });
  return stdout + stderr;
}

/** One timed `terraform apply`, with what the emulator and the handler's summary line say about it. */
async function timedApply(cwd: string, env: NodeJS.ProcessEnv, emulator?: RunningEmulator): Promise<Measure> {
  emulator?.requests.reset();
  const limitedBefore = emulator?.rateLimited ?? 0;
  const started = process.hrtime.bigint();
  const startedAt = Date.now();
  const output = await terraform(['apply', '-auto-approve'], cwd, env);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const summaries = [...output.matchAll(/apply finished in ([\d.]+)s: .*peak memory (\d+) MB/g)];
  return {
    seconds,
    requests: emulator?.requests.total ?? 0,
    byOperation: emulator?.requests.snapshot() ?? {},
    handlerRuns: summaries.length,
    peakMemoryMb: Math.max(0, ...summaries.map((m) => Number(m[2]))),
    rateLimited: (emulator?.rateLimited ?? 0) - limitedBefore,
    engineStartSeconds: emulator?.requests.firstAt === undefined ? 0 : (emulator.requests.firstAt - startedAt) / 1000,
    engineSeconds: summaries.reduce((sum, m) => sum + Number(m[1]), 0),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

async function withEmulator<T>(options: EmulatorOptions, scratch: string, use: (emulator: RunningEmulator, env: NodeJS.ProcessEnv) => Promise<T>): Promise<T> {
  const emulator = await startEmulator(options);
  try {
    return await use(emulator, offlineEnvironment(join(scratch, 'empty.tfrc'), emulator.env));
  } finally {
    await emulator.stop();
  }
}

/** Median apply of the PlanetScale stack and of its floor, interleaved over the rounds. */
async function compare(passwords: number, scratch: string) {
  const resources = passwords + TOKENS + 1;
  const engine: Measure[] = [];
  const floor: number[] = [];
  const declarationsOnly: number[] = [];
  await withEmulator({}, scratch, async (emulator, env) => {
    for (let round = 1; round <= ROUNDS; round++) {
      const floorDir = mkdtempSync(join(scratch, 'floor-'));
      const floorCwd = synth(floorDir, 'floor', (stack) => {
        for (let i = 0; i < resources; i++) new BareData(stack, `bare${i}`, { terraformResourceType: 'terraform_data' });
      });
      const floorEnv = { ...env, TF_DATA_DIR: join(floorDir, 'tf-data') };
      await terraform(['init'], floorCwd, floorEnv);
      floor.push((await timedApply(floorCwd, floorEnv)).seconds);

      const dir = mkdtempSync(join(scratch, 'engine-'));
      const cwd = synth(dir, 'access', (stack) => declareStack(stack, dir, passwords));
      const stackEnv = { ...env, TF_DATA_DIR: join(dir, 'tf-data') };
      await terraform(['init'], cwd, stackEnv);

      // The same resources with the same declarations but nothing run and nothing to wait for: what the declarations'
      // data costs Terraform alone, so the engine's own share can be told apart.
      const onlyDir = mkdtempSync(join(scratch, 'declarations-'));
      writeFileSync(join(onlyDir, 'cdk.tf.json'), JSON.stringify(withoutProvisioners(JSON.parse(readFileSync(join(cwd, 'cdk.tf.json'), 'utf8')), onlyDir)));
      const onlyEnv = { ...env, TF_DATA_DIR: join(onlyDir, 'tf-data') };
      await terraform(['init'], onlyDir, onlyEnv);
      declarationsOnly.push((await timedApply(onlyDir, onlyEnv)).seconds);
      rmSync(onlyDir, { recursive: true, force: true });

      const measure = await timedApply(cwd, stackEnv, emulator);
      engine.push(measure);
      say(
        `  round ${round}: ${resources} terraform_data with no provisioner ${floor[floor.length - 1].toFixed(2)}s; ` +
          `the same with the stack's declarations ${declarationsOnly[declarationsOnly.length - 1].toFixed(2)}s; the stack ${measure.seconds.toFixed(2)}s ` +
          `(run started at ${measure.engineStartSeconds.toFixed(2)}s, took ${measure.engineSeconds.toFixed(1)}s)`,
      );
      await terraform(['destroy', '-auto-approve'], cwd, stackEnv);
      rmSync(dir, { recursive: true, force: true });
      rmSync(floorDir, { recursive: true, force: true });
    }
  });
  const last = engine[engine.length - 1];
  return {
    passwords,
    tokens: TOKENS,
    terraform_resources: resources,
    rounds: ROUNDS,
    floor_seconds: floor,
    apply_seconds: engine.map((m) => m.seconds),
    run_started_after_seconds: engine.map((m) => m.engineStartSeconds),
    run_seconds: engine.map((m) => m.engineSeconds),
    floor_median: median(floor),
    apply_median: median(engine.map((m) => m.seconds)),
    ratio: median(engine.map((m) => m.seconds)) / median(floor),
    declarations_only_seconds: declarationsOnly,
    declarations_only_median: median(declarationsOnly),
    ratio_to_declarations_only: median(engine.map((m) => m.seconds)) / median(declarationsOnly),
    api_requests_per_apply: last.requests,
    api_requests_by_operation: last.byOperation,
    handler_processes_per_apply: last.handlerRuns,
    handler_peak_memory_mb: Math.max(...engine.map((m) => m.peakMemoryMb)),
  };
}

/**
 * One apply of a stack of `passwords` (500 unless given) under `options`, then (when given) an edit applied on top, then
 * a destroy (unless told not to: the scratch directory and the emulator go anyway).
 */
async function single(scratch: string, options: EmulatorOptions, edit?: (i: number) => string[], { passwords = 500, destroy = true } = {}) {
  return withEmulator(options, scratch, async (emulator, env) => {
    const dir = mkdtempSync(join(scratch, 'single-'));
    const cwd = synth(dir, 'access', (stack) => declareStack(stack, dir, passwords));
    const stackEnv = { ...env, TF_DATA_DIR: join(dir, 'tf-data') };
    await terraform(['init'], cwd, stackEnv);
    const create = await timedApply(cwd, stackEnv, emulator);
    let edited: Measure | undefined;
    if (edit) {
      synth(dir, 'access', (stack) => declareStack(stack, dir, passwords, edit));
      edited = await timedApply(cwd, stackEnv, emulator);
    }
    emulator.faults.latencyMs = 0;
    if (destroy) await terraform(['destroy', '-auto-approve'], cwd, stackEnv);
    rmSync(dir, { recursive: true, force: true });
    return { create, edited };
  });
}

async function main(): Promise<void> {
  await bundleAll();
  const scratch = mkdtempSync(join(tmpdir(), 'planetscale-bench-'));
  writeFileSync(join(scratch, 'empty.tfrc'), '');
  try {
    const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version };
    for (const passwords of [50, 500]) {
      say(`${passwords} passwords with IP restrictions + ${TOKENS} tokens with grants, against Terraform's floor:`);
      const result = await compare(passwords, scratch);
      results[`apply_${passwords}`] = result;
      say(
        `  median ${result.apply_median.toFixed(2)}s vs ${result.floor_median.toFixed(2)}s: ratio ${result.ratio.toFixed(2)} ` +
          `(declarations alone ${result.declarations_only_median.toFixed(2)}s, ratio ${result.ratio_to_declarations_only.toFixed(2)} to them); ` +
          `${result.api_requests_per_apply} API requests per apply; ${result.handler_processes_per_apply} handler process; ` +
          `handler peak memory ${result.handler_peak_memory_mb} MB`,
      );
    }

    say('500 passwords, then one password\'s CIDRs edited:');
    const { edited } = await single(scratch, {}, (i) => (i === 123 ? ['10.0.123.0/24', '192.0.2.0/24'] : [`10.${Math.floor(i / 250)}.${i % 250}.0/24`]));
    results.cidr_edit_of_1_in_500 = { seconds: edited!.seconds, api_requests: edited!.requests, by_operation: edited!.byOperation };
    say(`  ${edited!.seconds.toFixed(2)}s; ${edited!.requests} API requests: ${JSON.stringify(edited!.byOperation)}`);

    say('500 passwords created with 100 ms of latency on every API answer:');
    const slow = (await single(scratch, { latencyMs: 100 })).create;
    results.create_500_latency_100ms = {
      seconds: slow.seconds,
      run_seconds: slow.engineSeconds,
      api_requests: slow.requests,
      sequential_estimate_seconds: slow.requests * 0.1,
    };
    say(
      `  ${slow.seconds.toFixed(2)}s for ${slow.requests} requests (the run ${slow.engineSeconds.toFixed(1)}s, started at ${slow.engineStartSeconds.toFixed(2)}s; ` +
        `one after another they would take ${(slow.requests * 0.1).toFixed(0)}s)`,
    );

    // More requests than PlanetScale allows in a minute, in one run: the client's own window must spread them out so
    // that the emulator, playing the limit, never has to refuse one. (Not destroyed: that would wait out another minute.)
    say('1000 passwords created with the emulator limiting to 600 requests per minute (more than a minute\'s budget in one run):');
    const limited = (await single(scratch, { rateLimit: { limit: 600, windowMs: 60_000 } }, undefined, { passwords: 1000, destroy: false })).create;
    results.create_1000_rate_limited = { seconds: limited.seconds, run_seconds: limited.engineSeconds, api_requests: limited.requests, answered_429: limited.rateLimited };
    say(`  ${limited.seconds.toFixed(2)}s (the run ${limited.engineSeconds.toFixed(1)}s); ${limited.requests} requests; ${limited.rateLimited} answered 429`);

    const out = resolve(__dirname, '..', 'bench-results');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'engine.json'), `${JSON.stringify(results, null, 2)}\n`);
    say(`\nwritten to ${join(out, 'engine.json')}`);
    if (limited.rateLimited > 0) throw new Error(`${limited.rateLimited} requests were answered 429 under the 600-per-minute limit: the client's rate limiter let too many through`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).message}\n`);
  process.exit(1);
});
