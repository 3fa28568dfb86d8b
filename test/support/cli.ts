import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { CommandResult, TerraformProject } from './terraform';

const CLI = resolve(__dirname, '..', '..', 'src', 'cli.ts');

/** Runs `planetscale-cdktf <args>` (from source) against a project's synthesized output and emulator. */
export function runCli(project: TerraformProject, args: string[], extraEnv: Record<string, string> = {}): Promise<CommandResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', CLI, ...args, '--out', project.outdir], {
      env: { ...project.env(extraEnv), TS_NODE_TRANSPILE_ONLY: 'true' },
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('close', (code) => {
      project.transcript.push(output);
      done({ code: code ?? 1, output });
    });
  });
}
