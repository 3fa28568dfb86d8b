import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { App, LocalBackend, TerraformStack } from 'cdktf';
import { temporaryDirectory } from './env';
import { PlanetScale, type PlanetScaleProps } from '../../src';
import type { PlanetScaleCredentials } from '../../src/api';
import type { RunningEmulator } from '../../src/emulator';
import { secretOf, type OutputEntry, type OutputsDocument, type PasswordEntry, type ServiceTokenEntry } from '../../src/outputs/entries';

const run = promisify(execFile);
export const TERRAFORM = '/usr/local/bin/terraform';

export interface CommandResult {
  readonly code: number;
  readonly output: string;
}

/**
 * One Terraform working setup for end-to-end tests: a temporary directory holding the synthesized app, the state
 * (outside the stack directory, so re-synthesizing keeps it), an empty CLI config and its own data dir, so runs are
 * hermetic. Every command's output is kept for the secret-hygiene check.
 */
export class TerraformProject {
  /** Environment that makes the handler authenticate with `credentials` instead of the bootstrap token. */
  static credentialsEnv(credentials: PlanetScaleCredentials): Record<string, string> {
    return 'accessToken' in credentials
      ? { PLANETSCALE_SERVICE_TOKEN_ID: '', PLANETSCALE_SERVICE_TOKEN: '', PLANETSCALE_ACCESS_TOKEN: credentials.accessToken }
      : { PLANETSCALE_SERVICE_TOKEN_ID: credentials.id, PLANETSCALE_SERVICE_TOKEN: credentials.token };
  }

  readonly root: string;
  readonly outdir: string;
  readonly outputsPath: string;
  readonly statePath: string;
  readonly transcript: string[] = [];
  /** Every secret that has appeared in the outputs file during this project's life. */
  readonly secrets = new Set<string>();
  private readonly cleanup: () => void;
  /** Directories `terraform init` has run in. */
  private readonly initialized = new Set<string>();

  constructor(
    readonly emulator: RunningEmulator,
    readonly stackName = 'access',
  ) {
    const dir = temporaryDirectory('tf');
    this.root = dir.path;
    this.cleanup = dir.remove;
    this.outdir = join(this.root, 'cdktf.out');
    this.outputsPath = join(this.root, 'planetscale-outputs.json');
    this.statePath = join(this.root, 'terraform.tfstate');
    writeFileSync(join(this.root, 'empty.tfrc'), '');
  }

  get stackDirectory(): string {
    return join(this.outdir, 'stacks', this.stackName);
  }

  /** Synthesizes a stack: `define` adds constructs after the PlanetScale construct. */
  synth(define: (stack: TerraformStack, planetscale: PlanetScale) => void, props: Partial<PlanetScaleProps> = {}): void {
    const app = new App({ outdir: this.outdir });
    const stack = new TerraformStack(app, this.stackName);
    new LocalBackend(stack, { path: this.statePath });
    const planetscale = new PlanetScale(stack, 'planetscale', { organization: 'acme', outputsFile: this.outputsPath, ...props });
    define(stack, planetscale);
    app.synth();
  }

  /** The environment Terraform runs in; one data dir per stack directory (two stacks of one app have two backends). */
  env(extra: Record<string, string> = {}, cwd = this.stackDirectory): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      HOME: this.root,
      TF_CLI_CONFIG_FILE: join(this.root, 'empty.tfrc'),
      TF_DATA_DIR: join(this.root, 'tf-data', basename(cwd)),
      TF_IN_AUTOMATION: '1',
      CHECKPOINT_DISABLE: '1',
      ...this.emulator.env,
      ...extra,
    };
  }

  async terraform(args: string[], extraEnv: Record<string, string> = {}, cwd = this.stackDirectory): Promise<CommandResult> {
    if (!this.initialized.has(cwd) && args[0] !== 'init') {
      const init = await this.terraform(['init', '-input=false', '-no-color'], extraEnv, cwd);
      if (init.code !== 0) throw new Error(`terraform init failed:\n${init.output}`);
    }
    if (args[0] === 'init') this.initialized.add(cwd);
    let result: CommandResult;
    try {
      const { stdout, stderr } = await run(TERRAFORM, args, { cwd, env: this.env(extraEnv, cwd), maxBuffer: 64 * 1024 * 1024 });
      result = { code: 0, output: stdout + stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      result = { code: typeof failed.code === 'number' ? failed.code : 1, output: (failed.stdout ?? '') + (failed.stderr ?? '') };
    }
    this.transcript.push(result.output);
    for (const secret of secretsIn(this.outputs())) this.secrets.add(secret);
    return result;
  }

  apply(extraEnv: Record<string, string> = {}, extraArgs: string[] = []): Promise<CommandResult> {
    return this.terraform(['apply', '-auto-approve', '-input=false', '-no-color', ...extraArgs], extraEnv);
  }

  /** The address of the one resource in state whose address starts with `prefix` (e.g. 'terraform_data.app_Cidrs'). */
  async address(prefix: string): Promise<string> {
    const listed = await this.terraform(['state', 'list']);
    const found = listed.output.split('\n').filter((line) => line.startsWith(prefix));
    if (found.length !== 1) throw new Error(`expected one resource starting with ${prefix}, found: ${found.join(', ') || 'none'}`);
    return found[0];
  }

  plan(): Promise<CommandResult> {
    return this.terraform(['plan', '-input=false', '-no-color']);
  }

  /** Destroys the project's stack (nothing to do when a test never synthesized it). */
  async destroy(): Promise<CommandResult> {
    if (!existsSync(this.stackDirectory)) return { code: 0, output: '' };
    return this.terraform(['destroy', '-auto-approve', '-input=false', '-no-color']);
  }

  /** Applies and fails the test with Terraform's own output when the apply fails. */
  async applyOk(extraEnv: Record<string, string> = {}): Promise<string> {
    const result = await this.apply(extraEnv);
    if (result.code !== 0) throw new Error(`terraform apply failed:\n${result.output}`);
    return result.output;
  }

  outputs(): OutputsDocument {
    return existsSync(this.outputsPath) ? (JSON.parse(readFileSync(this.outputsPath, 'utf8')) as OutputsDocument) : {};
  }

  entry(constructPath: string): OutputEntry {
    const entry = this.outputs()[this.stackName]?.[constructPath];
    if (!entry) throw new Error(`no outputs entry for ${constructPath}; have ${Object.keys(this.outputs()[this.stackName] ?? {}).join(', ')}`);
    return entry;
  }

  passwordEntry(constructPath: string): PasswordEntry {
    const entry = this.entry(constructPath);
    if (entry.kind !== 'password') throw new Error(`${constructPath} is a ${entry.kind}, not a password`);
    return entry;
  }

  tokenEntry(constructPath: string): ServiceTokenEntry {
    const entry = this.entry(constructPath);
    if (entry.kind !== 'service-token') throw new Error(`${constructPath} is a ${entry.kind}, not a service token`);
    return entry;
  }

  /**
   * Every place a secret must never be: state files and backups, everything Terraform printed (plan, apply and
   * destroy, including handler output), and the synthesized configuration.
   */
  forbiddenText(): string {
    const parts = [...this.transcript];
    for (const file of readdirSync(this.root)) {
      if (file.includes('tfstate')) parts.push(readFileSync(join(this.root, file), 'utf8'));
    }
    if (existsSync(join(this.stackDirectory, 'cdk.tf.json'))) parts.push(readFileSync(join(this.stackDirectory, 'cdk.tf.json'), 'utf8'));
    return parts.join('\n');
  }

  /** Secrets that leaked anywhere but the outputs file. */
  leakedSecrets(): string[] {
    const forbidden = this.forbiddenText();
    return [...this.secrets].filter((secret) => forbidden.includes(secret));
  }

  outputsMode(): string {
    return statSync(this.outputsPath).mode.toString(8).slice(-3);
  }

  remove(): void {
    this.cleanup();
  }
}

/** Secrets seen so far in a project's outputs file; collect after each apply, check at the end. */
export function secretsIn(document: OutputsDocument): string[] {
  return Object.values(document).flatMap((entries) => Object.values(entries).map(secretOf));
}
