import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { App, LocalBackend, TerraformStack } from 'cdktf';
import { DatabasePassword, IpRestriction, PlanetScale } from '../src';
import { PlanetScaleClient } from '../src/api';
import { startEmulator, type RunningEmulator } from '../src/emulator';
import { TERRAFORM } from './support/terraform';
import type { OutputsDocument } from '../src/outputs/entries';

const run = promisify(execFile);

/**
 * A stack synthesized in one directory, moved elsewhere (as a CI artifact would be), and applied from there: the
 * handler is found through the relative asset path, and the default outputs file lands beside the moved project.
 */
let emulator: RunningEmulator;
const directories: string[] = [];

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.stop();
  for (const dir of directories) rmSync(dir, { recursive: true, force: true });
});

test('synthesize here, move the output, apply there', async () => {
  const first = mkdtempSync(join(tmpdir(), 'psc-synth-here-'));
  const second = mkdtempSync(join(tmpdir(), 'psc-apply-there-'));
  directories.push(first, second);
  const cwd = jest.spyOn(process, 'cwd').mockReturnValue(first);
  try {
    const app = new App({ outdir: join(first, 'cdktf.out') });
    const stack = new TerraformStack(app, 'moved');
    new LocalBackend(stack, { path: 'terraform.tfstate' });
    new PlanetScale(stack, 'planetscale', { organization: 'acme' });
    const password = new DatabasePassword(stack, 'app', { database: 'inventory', branch: 'dev' });
    new IpRestriction(stack, 'office', { password, cidrs: ['203.0.113.0/24'] });
    app.synth();
  } finally {
    cwd.mockRestore();
  }
  cpSync(join(first, 'cdktf.out'), join(second, 'cdktf.out'), { recursive: true });
  rmSync(first, { recursive: true, force: true });

  const stackDirectory = join(second, 'cdktf.out', 'stacks', 'moved');
  writeFileSync(join(second, 'empty.tfrc'), '');
  const env = {
    PATH: process.env.PATH,
    HOME: second,
    TF_CLI_CONFIG_FILE: join(second, 'empty.tfrc'),
    CHECKPOINT_DISABLE: '1',
    ...emulator.env,
  };
  await run(TERRAFORM, ['init', '-input=false', '-no-color'], { cwd: stackDirectory, env });
  const applied = await run(TERRAFORM, ['apply', '-auto-approve', '-input=false', '-no-color'], { cwd: stackDirectory, env });
  // The password's declaration and the stack's reconciler.
  expect(applied.stdout).toContain('Apply complete! Resources: 3 added');
  expect(readFileSync(join(stackDirectory, 'cdk.tf.json'), 'utf8')).not.toContain(first);

  const outputsPath = join(second, 'planetscale-outputs.json');
  const outputs = JSON.parse(readFileSync(outputsPath, 'utf8')) as OutputsDocument;
  expect(statSync(outputsPath).mode.toString(8).slice(-3)).toBe('600');
  const entry = outputs.moved['moved/app'];
  const api = new PlanetScaleClient({ organization: 'acme', baseUrl: emulator.url, credentials: emulator.token });
  try {
    expect((await api.getPassword('inventory', 'dev', entry.id)).cidrs).toEqual(['203.0.113.0/24']);
    await run(TERRAFORM, ['destroy', '-auto-approve', '-input=false', '-no-color'], { cwd: stackDirectory, env });
    expect(await api.listPasswords('inventory', 'dev')).toEqual([]);
  } finally {
    await api.close();
  }
});
