#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startEmulator } from './emulator';

const USAGE = `Usage: planetscale-cdktf <command> [options]

Commands:
  emulator   Run the local PlanetScale API emulator on 127.0.0.1

Emulator options:
  --port N            port to listen on (0 picks a free one)            [default: 8787]
  --seed FILE         JSON seed of organizations, databases, branches   [default: built-in]
  --state FILE        persist state in FILE across restarts             [default: in memory]
  --token-file FILE   write the bootstrap service token (JSON, mode 0600) instead of printing it
  --latency MS        add MS milliseconds to every API response         [default: 0]
  --access-token      also issue an OAuth access token (all scopes) and print it as PLANETSCALE_ACCESS_TOKEN
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

async function runEmulator(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      'port': { type: 'string', default: '8787' },
      'seed': { type: 'string' },
      'state': { type: 'string' },
      'token-file': { type: 'string' },
      'latency': { type: 'string', default: '0' },
      'access-token': { type: 'boolean', default: false },
      'behaviour': { type: 'string', multiple: true },
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got "${values.port}"`);
  const emulator = await startEmulator({
    port,
    seedFile: values.seed,
    statePath: values.state,
    latencyMs: Number(values.latency),
    behaviour: behaviourFrom(values.behaviour) as never,
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
  const stop = () => {
    void emulator.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'emulator':
      return runEmulator(rest);
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(USAGE);
      return;
    default:
      throw new Error(`unknown command "${command}"\n\n${USAGE}`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`planetscale-cdktf: ${(error as Error).message}\n`);
  process.exit(1);
});
