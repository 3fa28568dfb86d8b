import { spawn } from 'node:child_process';
import type { CommandResult, TerraformProject } from './terraform';
import { BUNDLES } from '../../scripts/bundle';

const CLI = BUNDLES.cli.outfile;

/** Runs `planetscale-cdktf <args>` (the bundled CLI npm ships, built by the global setup) against a project's synthesized output and emulator. */
export function runCli(project: TerraformProject, args: string[], extraEnv: Record<string, string> = {}): Promise<CommandResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args, '--out', project.outdir], { env: project.env(extraEnv) });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('close', (code) => {
      project.transcript.push(output);
      done({ code: code ?? 1, output });
    });
  });
}
