import { spawn } from 'node:child_process';
import { sanitizeSnippet } from '../api/error-body';

const SINK_TIMEOUT_MS = 60_000;

/**
 * Runs the sink command with the document on standard input (no shell, so nothing in it is interpreted). The sink's
 * own output is not shown: it could echo the secret. On failure, the error carries the exit status and a short
 * excerpt of its standard error with the secret removed.
 */
export function runSink(command: readonly string[], document: unknown, secret: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const [program, ...args] = command;
    const child = spawn(program, args, { stdio: ['pipe', 'ignore', 'pipe'], timeout: SINK_TIMEOUT_MS });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString();
    });
    child.on('error', (error) => reject(new Error(`sink ${program} could not be started (${(error as NodeJS.ErrnoException).code ?? error.message})`)));
    child.on('close', (code, signal) => {
      if (code === 0) return resolve();
      const said = sanitizeSnippet(stderr.split(secret).join('[redacted]'));
      const how = signal ? `was stopped by ${signal}` : `exited with status ${code}`;
      reject(new Error(`sink ${program} ${how}${said ? `: ${said}` : ''}`));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(`${JSON.stringify(document)}\n`);
  });
}
