import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { HANDLER_BUNDLE } from '../scripts/bundle-handler';

const run = promisify(execFile);

/** The bundled handler refuses bad input at start, with one line on stderr, and exits 1 without calling anything. */
async function handler(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [HANDLER_BUNDLE, ...args], { env: { PATH: process.env.PATH, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const settings = JSON.stringify({ stack: 'access', outputs_file: 'out.json' });
const spec = {
  kind: 'password',
  organization: 'acme',
  owner: 'access',
  path: 'access/app',
  name: 'app.access.0123abcd.0123abcd',
  database: 'shop',
  branch: 'main',
  role: 'reader',
  ttl_seconds: null,
  replica: false,
  direct_vtgate: false,
  rotation: '',
};

test.each<[string, string[], Record<string, string>, string]>([
  ['no input', ['create'], {}, 'planetscale: PLANETSCALE_CDKTF_SPEC is not set (the handler is meant to be run by Terraform)\n'],
  ['spec not JSON', ['create'], { PLANETSCALE_CDKTF_SPEC: '{', PLANETSCALE_CDKTF_SETTINGS: settings }, 'planetscale: PLANETSCALE_CDKTF_SPEC is not valid JSON\n'],
  [
    'role outside the enum',
    ['create'],
    { PLANETSCALE_CDKTF_SPEC: JSON.stringify({ ...spec, role: 'owner' }), PLANETSCALE_CDKTF_SETTINGS: settings },
    'planetscale: invalid password spec: /role must be equal to one of the allowed values\n',
  ],
  [
    'unknown kind',
    ['create'],
    { PLANETSCALE_CDKTF_SPEC: JSON.stringify({ ...spec, kind: 'cluster' }), PLANETSCALE_CDKTF_SETTINGS: settings },
    'planetscale: resource spec has an unknown kind "cluster"\n',
  ],
  [
    'bad settings',
    ['create'],
    { PLANETSCALE_CDKTF_SPEC: JSON.stringify(spec), PLANETSCALE_CDKTF_SETTINGS: JSON.stringify({ stack: 'access' }) },
    "planetscale: invalid handler settings: (root) must have required property 'outputs_file'\n",
  ],
  [
    'unknown action',
    ['upgrade'],
    {
      PLANETSCALE_CDKTF_SPEC: JSON.stringify(spec),
      PLANETSCALE_CDKTF_SETTINGS: settings,
      PLANETSCALE_SERVICE_TOKEN_ID: 'abc',
      PLANETSCALE_SERVICE_TOKEN: 'pscale_tkn_x',
    },
    'planetscale access/app: unknown action "upgrade" (expected create or destroy)\n',
  ],
  [
    'missing credentials',
    ['create'],
    { PLANETSCALE_CDKTF_SPEC: JSON.stringify(spec), PLANETSCALE_CDKTF_SETTINGS: settings },
    'planetscale access/app: PlanetScale credentials missing: set PLANETSCALE_SERVICE_TOKEN_ID and PLANETSCALE_SERVICE_TOKEN, ' +
      'or PLANETSCALE_ACCESS_TOKEN (not set or empty: PLANETSCALE_SERVICE_TOKEN_ID, PLANETSCALE_SERVICE_TOKEN)\n',
  ],
])('%s', async (_name, args, env, message) => {
  const result = await handler(args, env);
  expect(result).toEqual({ code: 1, stdout: '', stderr: message });
});
