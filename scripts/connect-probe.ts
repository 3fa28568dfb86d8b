/**
 * A stand-in application, run as its own Node process so that it trusts CAs the way an application does: the
 * system store plus NODE_EXTRA_CA_CERTS, read at start-up (a test process cannot add a CA to its own store).
 * Reads attempts as JSON on standard input (secrets never on a command line), connects with each through a real
 * client library (mysql2, pg), runs its statements and prints one JSON result per attempt. Never prints a secret:
 * an error is reported by its code and the server's message (which names the user, not the password).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { createConnection, type ConnectionOptions } from 'mysql2/promise';
import { Client, type ClientConfig } from 'pg';

export interface ProbeAttempt {
  readonly label: string;
  readonly client: 'mysql2' | 'pg';
  /** A connection string given to the client verbatim, or options (with `caFile` read into `ssl.ca`). */
  readonly connection: string | ProbeOptions;
  readonly statements: readonly string[];
}

export interface ProbeOptions {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  /** TLS verified against this CA file; without one, against the system store (and NODE_EXTRA_CA_CERTS). */
  readonly caFile?: string;
}

export type ProbeResult =
  | { readonly label: string; readonly ok: true; readonly rows: Array<Record<string, unknown>> }
  | { readonly label: string; readonly ok: false; readonly code: string; readonly message: string };

function tls(options: ProbeOptions) {
  return options.caFile ? { ca: readFileSync(options.caFile, 'utf8'), rejectUnauthorized: true } : { rejectUnauthorized: true };
}

async function viaMysql(attempt: ProbeAttempt): Promise<Array<Record<string, unknown>>> {
  const { connection } = attempt;
  const options: ConnectionOptions | string =
    typeof connection === 'string' ? connection : { host: connection.host, port: connection.port, user: connection.user, password: connection.password, database: connection.database, ssl: tls(connection) };
  const client = await createConnection(options as ConnectionOptions);
  try {
    let rows: Array<Record<string, unknown>> = [];
    for (const statement of attempt.statements) rows = (await client.query(statement))[0] as Array<Record<string, unknown>>;
    return rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function viaPg(attempt: ProbeAttempt): Promise<Array<Record<string, unknown>>> {
  const { connection } = attempt;
  const config: ClientConfig =
    typeof connection === 'string' ? { connectionString: connection } : { host: connection.host, port: connection.port, user: connection.user, password: connection.password, database: connection.database, ssl: tls(connection) };
  const client = new Client(config);
  client.on('error', () => undefined);
  try {
    await client.connect();
    let rows: Array<Record<string, unknown>> = [];
    for (const statement of attempt.statements) rows = (await client.query(statement)).rows as Array<Record<string, unknown>>;
    return rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function probe(attempt: ProbeAttempt): Promise<ProbeResult> {
  try {
    const rows = await (attempt.client === 'mysql2' ? viaMysql(attempt) : viaPg(attempt));
    return { label: attempt.label, ok: true, rows };
  } catch (error) {
    const failure = error as { code?: string; message?: string };
    return { label: attempt.label, ok: false, code: String(failure.code ?? 'error'), message: String(failure.message ?? error) };
  }
}

async function main(): Promise<void> {
  const attempts = JSON.parse(readFileSync(0, 'utf8')) as ProbeAttempt[];
  const results: ProbeResult[] = [];
  for (const attempt of attempts) results.push(await probe(attempt));
  process.stdout.write(JSON.stringify(results));
}

if (require.main === module) void main();

/**
 * Runs the attempts in a new Node process that trusts `caFile` through NODE_EXTRA_CA_CERTS, as an application
 * pointed at the emulator's servers would.
 */
export function runProbe(attempts: readonly ProbeAttempt[], caFile: string): Promise<ProbeResult[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', __filename], {
      cwd: resolvePath(__dirname, '..'),
      env: { PATH: process.env.PATH ?? '', NODE_EXTRA_CA_CERTS: caFile, TS_NODE_TRANSPILE_ONLY: 'true' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    let errors = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) reject(new Error(`the connection probe failed (exit ${code}): ${errors.trim().split('\n').slice(-3).join(' | ')}`));
      else resolve(JSON.parse(output) as ProbeResult[]);
    });
    child.stdin.end(JSON.stringify(attempts));
  });
}
