import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

/** The project's own cdktf CLI (a devDependency). */
export const CDKTF_BIN = join(resolve(__dirname, '..'), 'node_modules', '.bin', 'cdktf');

export interface CdktfResult {
  readonly code: number;
  readonly output: string;
}

/**
 * Environment for running cdktf and Terraform offline and hermetically: the given CLI config file (Terraform
 * complains when the configured one is missing), no checkpoint/telemetry calls, plain non-interactive output.
 */
export function offlineEnvironment(cliConfigFile: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, TF_CLI_CONFIG_FILE: cliConfigFile, CHECKPOINT_DISABLE: '1', CI: 'true', FORCE_COLOR: '0', ...extra };
}

/** Runs `cdktf <args>` in `cwd`, collecting stdout and stderr together. */
export function runCdktf(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<CdktfResult> {
  return new Promise((done, fail) => {
    const child = spawn(CDKTF_BIN, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? 1, output }));
  });
}

/** The handler's own lines from cdktf output (they never carry secrets). */
export function handlerLines(output: string): string[] {
  return output
    .split('\n')
    .map((line) => /\(local-exec\): (planetscale .*)$/.exec(line)?.[1])
    .filter((line): line is string => line !== undefined && !line.startsWith('planetscale: '));
}
