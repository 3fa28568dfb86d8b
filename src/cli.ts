#!/usr/bin/env node
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PlanetScaleClient } from './api/client';
import { PLANETSCALE_RATE_LIMIT, SlidingWindow } from './api/rate-limit';
import { Redactor } from './engine/redact';
import { exitCodeOf, renderJson, renderMarkdown, renderText } from './engine/report';
import { caBundleOf, outputsPathOf, runEngine } from './engine/run';
import { CA_BUNDLE_VARIABLE, DESIRED_STATE_FILE, MYSQL_PORT, POSTGRES_PORT } from './model/contract';
import { checkDesiredState, digestOf, type DesiredState } from './model/desired-state';
import { parseTtl } from './model/ttl';

const USAGE = `Usage: planetscale-cdktf <command> [options]

Commands:
  plan        Compare the synthesized desired state with PlanetScale: what an apply would do, drift made outside
              code, expired or expiring credentials, secrets held nowhere. Exit 0 converged, 2 pending, 1 error.
  reconcile   Carry that out (what an apply would do), with the same outputs file, sink and masking.
  emulator    Run the local PlanetScale API emulator on 127.0.0.1

plan and reconcile options:
  --out DIR               the synthesized output directory                  [default: cdktf.out]
  --stack NAME            one stack (repeatable)                              [default: every stack that has one]
  --format FORMAT         plan only: text, markdown (a pull-request comment) or json   [default: text]
  --output FILE           plan only: write the report there instead of standard output
  --expiring-within DUR   report credentials expiring within DUR (e.g. 14d)  [default: 7d]
Credentials and PLANETSCALE_API_URL / PLANETSCALE_OUTPUTS_FILE come from the environment, as for cdktf deploy.

Emulator options:
  --port N            port to listen on (0 picks a free one)            [default: 8787]
  --seed FILE         JSON seed of organizations, databases, branches   [default: built-in]
  --state FILE        persist state in FILE across restarts             [default: in memory]
  --token-file FILE   write the bootstrap service token (JSON, mode 0600) instead of printing it
  --latency MS        add MS milliseconds to every API response         [default: 0]
  --rate-limit N      answer 429 past N requests per minute per credential, as PlanetScale does at 600
  --access-token      also issue an OAuth access token (all scopes) and print it as PLANETSCALE_ACCESS_TOKEN
  --databases         run a real MariaDB and PostgreSQL on a loopback address (ports 3306, 5432, TLS from a CA of
                      its own): every password and role becomes a real database user, and the connection strings
                      in the outputs file connect (needs mariadb-server, postgresql, openssl; Linux)
  --behaviour K=V     play one of the open API behaviours (repeatable), e.g. serviceTokenRoutes=grants-refused,
                      passwordIpv6=refused, passwordCidrMerge=aggregate (see docs/api-fidelity.md)
`;

/** `--behaviour key=value` options, as a partial behaviour (checked by the emulator). */
function behaviourFrom(values: string[] | undefined): Record<string, string> {
  const behaviour: Record<string, string> = {};
  for (const setting of values ?? []) {
    const [key, value, ...rest] = setting.split('=');
    if (!key || value === undefined || rest.length > 0) throw new Error(`--behaviour takes KEY=VALUE, got "${setting}"`);
    behaviour[key] = value;
  }
  return behaviour;
}

async function runEmulator(args: string[]): Promise<number | undefined> {
  const { startEmulator } = await import('./emulator');
  const { values } = parseArgs({
    args,
    options: {
      'port': { type: 'string', default: '8787' },
      'seed': { type: 'string' },
      'state': { type: 'string' },
      'token-file': { type: 'string' },
      'latency': { type: 'string', default: '0' },
      'rate-limit': { type: 'string' },
      'access-token': { type: 'boolean', default: false },
      'databases': { type: 'boolean', default: false },
      'behaviour': { type: 'string', multiple: true },
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got "${values.port}"`);
  const rateLimit = values['rate-limit'] === undefined ? undefined : Number(values['rate-limit']);
  if (rateLimit !== undefined && (!Number.isInteger(rateLimit) || rateLimit < 1)) throw new Error(`--rate-limit must be a positive whole number, got "${values['rate-limit']}"`);
  const emulator = await startEmulator({
    port,
    seedFile: values.seed,
    statePath: values.state,
    latencyMs: Number(values.latency),
    behaviour: behaviourFrom(values.behaviour) as never,
    rateLimit: rateLimit === undefined ? undefined : { limit: rateLimit, windowMs: 60_000 },
    databases: values.databases,
  });
  const accessToken = values['access-token'] ? emulator.issueAccessToken() : undefined;
  process.stdout.write(`PlanetScale API emulator listening on ${emulator.url}\n`);
  process.stdout.write(`organization: ${emulator.organization}\n`);
  if (values['token-file']) {
    writeFileSync(values['token-file'], JSON.stringify({ ...emulator.token, ...accessToken }), { mode: 0o600 });
    process.stdout.write(`bootstrap service token written to ${values['token-file']}\n`);
  } else {
    // An emulator-only token with no value anywhere else; printed so a shell can be pointed at the emulator.
    process.stdout.write(`export PLANETSCALE_API_URL=${emulator.url}\n`);
    process.stdout.write(`export PLANETSCALE_SERVICE_TOKEN_ID=${emulator.token.id}\n`);
    process.stdout.write(`export PLANETSCALE_SERVICE_TOKEN=${emulator.token.token}\n`);
    if (accessToken) process.stdout.write(`# or, to deploy with an OAuth access token instead (unset the two above):\n# export PLANETSCALE_ACCESS_TOKEN=${accessToken.accessToken}\n`);
  }
  if (emulator.databases) {
    const { address, caFile } = emulator.databases;
    process.stdout.write(`database servers on ${address}: MariaDB on port ${MYSQL_PORT}, PostgreSQL on port ${POSTGRES_PORT} (TLS, CA ${caFile})\n`);
    process.stdout.write('# for deploys (connection strings that name a CA file name this one) and Node.js clients:\n');
    process.stdout.write(`export ${CA_BUNDLE_VARIABLE}=${caFile}\nexport NODE_EXTRA_CA_CERTS=${caFile}\n`);
  }
  let stopping = false;
  const stop = () => {
    // A second Ctrl-C while the servers stop must not kill the process before they are gone.
    if (stopping) return;
    stopping = true;
    void emulator
      .stop()
      .catch((error: Error) => process.stderr.write(`emulator: stopping: ${error.message}\n`))
      .finally(() => process.exit(0));
  };
  // A closed terminal (SIGHUP) stops it too: the database servers must not outlive it.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);
  return undefined;
}

/** The reconciler digests of a synthesized stack: what its desired-state file must match. */
function synthesizedDigests(stackDirectory: string): string[] {
  const config = JSON.parse(readFileSync(join(stackDirectory, 'cdk.tf.json'), 'utf8')) as { resource?: Record<string, Record<string, Record<string, unknown>>> };
  const digests: string[] = [];
  for (const resources of Object.values(config.resource ?? {})) {
    for (const resource of Object.values(resources)) {
      const triggers = (resource.triggers_replace ?? resource.triggers) as { digest?: unknown; state_file?: unknown } | undefined;
      if (triggers?.state_file === DESIRED_STATE_FILE && typeof triggers.digest === 'string') digests.push(triggers.digest);
    }
  }
  return digests;
}

/** The desired states under `out`, checked against the synthesized stacks they belong to. */
function loadStacks(out: string, only: readonly string[]): { directory: string; desired: DesiredState }[] {
  const stacksDirectory = join(out, 'stacks');
  if (!existsSync(stacksDirectory)) throw new Error(`${stacksDirectory} does not exist: run cdktf synth first (or point --out at the synthesized output)`);
  const declaring = () => readdirSync(stacksDirectory).filter((name) => existsSync(join(stacksDirectory, name, DESIRED_STATE_FILE)));
  const names = only.length > 0 ? [...only] : declaring();
  if (names.length === 0) throw new Error(`no stack under ${stacksDirectory} declares PlanetScale objects`);
  return names.map((name) => {
    const directory = join(stacksDirectory, name);
    const file = join(directory, DESIRED_STATE_FILE);
    if (!existsSync(file)) throw new Error(`stack ${name} has no ${DESIRED_STATE_FILE} under ${stacksDirectory}`);
    const desired = checkDesiredState(JSON.parse(readFileSync(file, 'utf8')), file);
    if (!synthesizedDigests(directory).includes(digestOf(desired))) {
      throw new Error(`${file} does not match the synthesized stack beside it (cdk.tf.json): synthesize again`);
    }
    return { directory, desired };
  });
}

async function runPlanOrReconcile(command: 'plan' | 'reconcile', args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      'out': { type: 'string', default: 'cdktf.out' },
      'stack': { type: 'string', multiple: true },
      'format': { type: 'string', default: 'text' },
      'output': { type: 'string' },
      'expiring-within': { type: 'string', default: '7d' },
    },
    strict: true,
  });
  const format = values.format;
  if (!['text', 'markdown', 'json'].includes(format)) throw new Error(`--format must be text, markdown or json, got "${format}"`);
  const window = parseTtl(values['expiring-within']);
  if ('error' in window) throw new Error(`--expiring-within: ${window.error}`);
  let code = 0;
  const reports: string[] = [];
  // One rate-limit window for all stacks: they run one after another with the same credential, against one budget.
  const rateWindow = new SlidingWindow(PLANETSCALE_RATE_LIMIT.limit, PLANETSCALE_RATE_LIMIT.windowMs);
  for (const { directory, desired } of loadStacks(resolve(values.out), values.stack ?? [])) {
    const redactor = new Redactor();
    const log = (line: string) => process.stderr.write(redactor.redact(`planetscale ${desired.stack}: ${line}\n`));
    const client = new PlanetScaleClient({ organization: desired.organization, baseUrl: desired.settings.api_url, log, rateLimit: rateWindow });
    try {
      const result = await runEngine({
        desired,
        mode: command === 'plan' ? 'plan' : 'apply',
        client,
        outputsPath: outputsPathOf(desired.settings, directory),
        stackDirectory: directory,
        caBundle: caBundleOf(),
        log: (line) => (command === 'plan' ? log(line) : process.stdout.write(redactor.redact(`planetscale ${desired.stack}: ${line}\n`))),
        redactor,
        expiringWithinSeconds: window.seconds,
      });
      const header = { stack: desired.stack, organization: desired.organization, owner: desired.owner };
      if (command === 'plan') {
        const render = { text: renderText, markdown: renderMarkdown, json: renderJson }[format as 'text'];
        reports.push(render(header, result.plan));
        const stackCode = exitCodeOf(result.plan);
        code = stackCode === 1 || code === 1 ? 1 : Math.max(code, stackCode);
      } else {
        for (const notice of result.plan.notices) process.stdout.write(`planetscale ${desired.stack}: warning: ${notice.path}: ${notice.message}\n`);
        const failures = result.outcome?.failures ?? [];
        for (const failure of failures) process.stderr.write(redactor.redact(`planetscale ${failure.path}: ${failure.message}\n`));
        const counts = result.outcome?.counts ?? { created: 0, changed: 0, renewed: 0, deleted: 0 };
        process.stdout.write(
          `planetscale ${desired.stack}: reconcile ${failures.length > 0 ? 'failed' : 'finished'}: ${counts.created} created, ${counts.changed} changed, ` +
            `${counts.renewed} renewed, ${counts.deleted} deleted, ${failures.length} failed; ${client.calls} API calls\n`,
        );
        if (failures.length > 0) code = 1;
      }
    } finally {
      await client.close();
    }
  }
  if (command === 'plan') {
    const text = format === 'json' && reports.length > 1 ? `[${reports.join(',')}]\n` : reports.join('\n');
    if (values.output) writeFileSync(values.output, text);
    else process.stdout.write(text);
  }
  return code;
}

async function main(argv: string[]): Promise<number | undefined> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'emulator':
      return runEmulator(rest);
    case 'plan':
    case 'reconcile':
      return runPlanOrReconcile(command, rest);
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(USAGE);
      return 0;
    default:
      throw new Error(`unknown command "${command}"\n\n${USAGE}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`planetscale-cdktf: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
