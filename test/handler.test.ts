import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { HANDLER_BUNDLE } from '../scripts/bundle';
import { temporaryDirectory } from './support/env';
import { PlanetScaleClient } from '../src/api';
import { startEmulator } from '../src/emulator';
import { canonicalJson } from '../src/model/canonical-json';
import { digestOf, type DesiredState } from '../src/model/desired-state';

const run = promisify(execFile);
let dir: ReturnType<typeof temporaryDirectory>;
beforeEach(() => {
  dir = temporaryDirectory('handler');
});
afterEach(() => dir.remove());

/** The bundled handler, run in a stack directory: it refuses bad input at start, with one line on stderr, and exits 1. */
async function handler(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [HANDLER_BUNDLE, ...args], { cwd: dir.path, env: { PATH: process.env.PATH, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const state: DesiredState = {
  version: 1,
  stack: 'access',
  organization: 'acme',
  owner: 'access',
  settings: { outputs_file: 'out.json' },
  passwords: [
    {
      kind: 'password',
      path: 'access/app',
      display: 'app',
      object: '0123abcd',
      generation: '0123abcd',
      database: 'shop',
      branch: 'main',
      role: 'reader',
      ttl_seconds: null,
      replica: false,
      direct_vtgate: false,
      rotation: '',
      inherited_roles: null,
      successor: null,
      cidrs: [],
      renew_before_seconds: null,
    },
  ],
  service_tokens: [],
  ip_rules: [],
};
const runFor = (desired: object, overrides: object = {}) =>
  JSON.stringify({
    digest: digestOf(desired as DesiredState),
    state_file: 'planetscale-desired-state.json',
    stack: 'access',
    organization: 'acme',
    owner: 'access',
    settings: { outputs_file: 'out.json' },
    ...overrides,
  });
/** What the destroyer carries: the stack's identity and where its objects live, no digest. */
const identity = JSON.stringify({ stack: 'access', organization: 'acme', owner: 'access', settings: { outputs_file: 'out.json' }, branches: ['shop/main'], rule_databases: [], service_tokens: false });
const writeState = (desired: object) => writeFileSync(join(dir.path, 'planetscale-desired-state.json'), canonicalJson(desired));

test.each<[string, string[], () => Record<string, string>, string]>([
  ['no input', ['apply'], () => ({}), 'planetscale: PLANETSCALE_CDKTF_RUN is not set (the handler is meant to be run by Terraform)\n'],
  ['run not JSON', ['apply'], () => ({ PLANETSCALE_CDKTF_RUN: '{' }), 'planetscale: PLANETSCALE_CDKTF_RUN is not valid JSON\n'],
  ['apply given a destroy description', ['apply'], () => ({ PLANETSCALE_CDKTF_RUN: identity }), "planetscale: invalid run description: (root) must have required property 'digest'\n"],
  ['destroy given a run description', ['destroy'], () => ({ PLANETSCALE_CDKTF_RUN: runFor(state) }), "planetscale: invalid destroy description: (root) must have required property 'branches'\n"],
  ['unknown action', ['upgrade'], () => ({ PLANETSCALE_CDKTF_RUN: runFor(state) }), 'planetscale: unknown action "upgrade" (expected apply or destroy)\n'],
  [
    'desired-state file missing',
    ['apply'],
    () => ({ PLANETSCALE_CDKTF_RUN: runFor(state) }),
    'planetscale access: the desired-state file planetscale-desired-state.json is missing beside the stack (run cdktf synth, or keep cdktf.out whole when moving it)\n',
  ],
  [
    'a desired state that is not the planned one',
    ['apply'],
    () => {
      writeState({ ...state, passwords: [{ ...state.passwords[0], role: 'admin' }] });
      return { PLANETSCALE_CDKTF_RUN: runFor(state) };
    },
    'planetscale access: the desired-state file planetscale-desired-state.json does not match this plan (digest differs): synthesize again and plan again\n',
  ],
  [
    'a role outside the enum',
    ['apply'],
    () => {
      const bad = { ...state, passwords: [{ ...state.passwords[0], role: 'owner' }] };
      writeState(bad);
      return { PLANETSCALE_CDKTF_RUN: runFor(bad) };
    },
    'planetscale access: invalid desired-state file planetscale-desired-state.json: /passwords/0/role must be equal to one of the allowed values\n',
  ],
  [
    'missing credentials',
    ['apply'],
    () => {
      writeState(state);
      return { PLANETSCALE_CDKTF_RUN: runFor(state) };
    },
    'planetscale access: PlanetScale credentials missing: set PLANETSCALE_SERVICE_TOKEN_ID and PLANETSCALE_SERVICE_TOKEN, ' +
      'or PLANETSCALE_ACCESS_TOKEN (not set or empty: PLANETSCALE_SERVICE_TOKEN_ID, PLANETSCALE_SERVICE_TOKEN)\n',
  ],
])('%s', async (_name, args, env, message) => {
  const result = await handler(args, env());
  expect(result).toEqual({ code: 1, stdout: '', stderr: message });
});

test('a destroy needs no desired-state file: it deletes what the owner owns, from the destroyer\'s description alone', async () => {
  const emulator = await startEmulator();
  const api = new PlanetScaleClient({ organization: 'acme', baseUrl: emulator.url, credentials: emulator.token });
  try {
    const owned = await api.createPassword('shop', 'main', { name: 'app.access.0123abcd.0123abcd' });
    const foreign = await api.createPassword('shop', 'main', { name: 'hand-made' });
    const result = await handler(['destroy'], { PLANETSCALE_CDKTF_RUN: identity, ...emulator.env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`deleted password app.access.0123abcd.0123abcd (${owned.id}) on shop/main: stack destroyed`);
    expect((await api.listPasswords('shop', 'main')).map((p) => p.id)).toEqual([foreign.id]);
  } finally {
    await api.close();
    await emulator.stop();
  }
});

test('a listing that fails (not a refusal) fails the run: nothing is taken for gone', async () => {
  const emulator = await startEmulator({ faults: [{ kind: 'status', status: 500, pathIncludes: '/databases', count: 50 }] });
  try {
    const result = await handler(['destroy'], { PLANETSCALE_CDKTF_RUN: identity, ...emulator.env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('planetscale databases: could not list databases: list databases (organization acme) failed with HTTP 500');
  } finally {
    await emulator.stop();
  }
});
