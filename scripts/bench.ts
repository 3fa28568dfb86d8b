/**
 * Apply-time benchmark: a stack of 50 DatabasePasswords against a baseline stack of 50 bare terraform_data resources
 * whose local-exec runs `node -e ""`, measured in the same run on the same machine, rounds interleaved. Reports
 * medians and the ratio; writes bench-results/apply-50.json.
 *
 *     npm run bench            (BENCH_ROUNDS=3, BENCH_PASSWORDS=50 by default)
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { App, LocalBackend, TerraformResource, TerraformStack } from 'cdktf';
import { DatabasePassword, PlanetScale } from '../src';
import { startEmulator, type RunningEmulator } from '../src/emulator';
import { bundleHandler } from './bundle-handler';
import { offlineEnvironment } from './cdktf-cli';

const run = promisify(execFile);
const TERRAFORM = '/usr/local/bin/terraform';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const COUNT = Number(process.env.BENCH_PASSWORDS ?? 50);
const BRANCHES = [['shop', 'main'], ['shop', 'dev'], ['inventory', 'main'], ['inventory', 'dev']] as const;

class BareData extends TerraformResource {
  protected synthesizeAttributes(): Record<string, unknown> {
    return { input: this.node.id };
  }
}

type Variant = 'baseline' | 'passwords';

function synth(variant: Variant, dir: string): string {
  const app = new App({ outdir: join(dir, 'cdktf.out') });
  const stack = new TerraformStack(app, variant);
  new LocalBackend(stack, { path: join(dir, `${variant}.tfstate`) });
  if (variant === 'baseline') {
    for (let i = 0; i < COUNT; i++) {
      new BareData(stack, `bare${i}`, {
        terraformResourceType: 'terraform_data',
        provisioners: [{ type: 'local-exec', command: 'node -e ""' }],
      });
    }
  } else {
    new PlanetScale(stack, 'planetscale', { organization: 'acme', outputsFile: join(dir, 'outputs.json') });
    for (let i = 0; i < COUNT; i++) {
      const [database, branch] = BRANCHES[i % BRANCHES.length];
      new DatabasePassword(stack, `svc${i}`, { database, branch, role: 'reader' });
    }
  }
  app.synth();
  return join(dir, 'cdktf.out', 'stacks', variant);
}

/** Applies (timed) and destroys (not timed) one stack; returns seconds and the API requests the apply made. */
async function timedApply(variant: Variant, dir: string, sharedEnv: NodeJS.ProcessEnv, emulator: RunningEmulator): Promise<{ seconds: number; requests: number }> {
  const cwd = synth(variant, dir);
  const env = { ...sharedEnv, TF_DATA_DIR: join(dir, 'tf-data') };
  await run(TERRAFORM, ['init', '-input=false', '-no-color'], { cwd, env });
  emulator.requests.reset();
  const started = process.hrtime.bigint();
  await run(TERRAFORM, ['apply', '-auto-approve', '-input=false', '-no-color'], { cwd, env, maxBuffer: 256 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const requests = emulator.requests.total;
  await run(TERRAFORM, ['destroy', '-auto-approve', '-input=false', '-no-color'], { cwd, env, maxBuffer: 256 * 1024 * 1024 });
  return { seconds, requests };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function main(): Promise<void> {
  await bundleHandler();
  const emulator = await startEmulator();
  const scratch = mkdtempSync(join(tmpdir(), 'planetscale-bench-'));
  writeFileSync(join(scratch, 'empty.tfrc'), '');
  const env = offlineEnvironment(join(scratch, 'empty.tfrc'), emulator.env);
  const times: Record<Variant, number[]> = { baseline: [], passwords: [] };
  let requests = 0;
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const variant of ['baseline', 'passwords'] as const) {
        const dir = mkdtempSync(join(scratch, `${variant}-`));
        const { seconds, requests: made } = await timedApply(variant, dir, env, emulator);
        if (variant === 'passwords') requests = made;
        times[variant].push(seconds);
        process.stdout.write(`round ${round}: ${variant.padEnd(9)} ${seconds.toFixed(2)}s\n`);
      }
    }
  } finally {
    await emulator.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  const baseline = median(times.baseline);
  const passwords = median(times.passwords);
  const result = {
    date: new Date().toISOString(),
    rounds: ROUNDS,
    count: COUNT,
    baseline_seconds: times.baseline,
    passwords_seconds: times.passwords,
    baseline_median: baseline,
    passwords_median: passwords,
    ratio: passwords / baseline,
    api_requests_per_apply: requests,
  };
  const out = resolve(__dirname, '..', 'bench-results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, `apply-${COUNT}.json`), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(
    `\n${COUNT} passwords: median ${passwords.toFixed(2)}s; ${COUNT} bare terraform_data + node -e "": median ${baseline.toFixed(2)}s; ` +
      `ratio ${result.ratio.toFixed(2)}x; ${requests} API requests per apply\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).message}\n`);
  process.exit(1);
});
