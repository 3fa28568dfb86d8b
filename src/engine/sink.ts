import { spawn } from 'node:child_process';
import { redact } from './redact';
import { CREDENTIAL_VARIABLES } from '../api/credentials';
import { sanitizeSnippet } from '../api/error-body';

const SINK_TIMEOUT_MS = 60_000;

/** The sink's environment: Terraform's, without the PlanetScale deploy credentials, which a sink has no use for. */
function sinkEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const rest = { ...env };
  for (const name of CREDENTIAL_VARIABLES) delete rest[name];
  return rest;
}

/**
 * Runs the sink command in `directory` (the stack's) with the document on standard input (no shell, so nothing in it
 * is interpreted). A relative program path is found from there, at apply and at `planetscale-cdktf reconcile` alike. The sink's
 * own output is not shown: it could echo the secret. On failure, the error carries the exit status and a short
 * excerpt of its standard error with the secret (whole, its body, or any long part of it) removed.
 */
export function runSink(
  command: readonly string[],
  directory: string,
  document: unknown,
  secret: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const [program, ...args] = command;
    const child = spawn(program, args, { cwd: directory, stdio: ['pipe', 'ignore', 'pipe'], timeout: SINK_TIMEOUT_MS, env: sinkEnvironment(env) });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString();
    });
    child.on('error', (error) => reject(new Error(`sink ${program} could not be started (${(error as NodeJS.ErrnoException).code ?? error.message})`)));
    child.on('close', (code, signal) => {
      if (code === 0) return resolve();
      // Redacted before it is cut to a snippet, so no part of the secret survives at the cut.
      const said = sanitizeSnippet(redact(stderr, [secret]));
      const how = signal ? `was stopped by ${signal}` : `exited with status ${code}`;
      reject(new Error(`sink ${program} ${how}${said ? `: ${said}` : ''}`));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(`${JSON.stringify(document)}\n`);
  });
}
