import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone';
import { build, type Plugin } from 'esbuild';
// Loading these modules registers every schema the handler validates with (see src/model/validators.ts).
import '../src/api/response-schemas';
import '../src/model/desired-state';
import { registeredSchemas } from '../src/model/validators';

const ROOT = resolve(__dirname, '..');
const VALIDATORS_MODULE = resolve(ROOT, 'src', 'model', 'validators.ts');

/**
 * Everything that talks HTTP ships bundled, each entry one self-contained file under assets/ (npm ships assets/):
 * - handler: run by Terraform at apply from a copy beside the synthesized stack, far from any node_modules;
 * - cli: the `planetscale-cdktf` command (plan, reconcile, emulator);
 * - client, emulator: the subpath exports `cdktf-planetscale-credentials/client` and `/emulator`.
 * So the package's runtime dependencies are only what synth needs, and undici is none of them. Types of the subpath
 * exports come from tsc's declarations (lib/api, lib/emulator).
 */
export const BUNDLES = {
  handler: { entry: resolve(ROOT, 'src', 'handler', 'main.ts'), outfile: resolve(ROOT, 'assets', 'handler', 'index.js') },
  cli: { entry: resolve(ROOT, 'src', 'cli.ts'), outfile: resolve(ROOT, 'assets', 'cli', 'index.js') },
  client: { entry: resolve(ROOT, 'src', 'api', 'index.ts'), outfile: resolve(ROOT, 'assets', 'client', 'index.js') },
  emulator: { entry: resolve(ROOT, 'src', 'emulator', 'index.ts'), outfile: resolve(ROOT, 'assets', 'emulator', 'index.js') },
} as const;

/** Where the bundled handler lives; the constructs reference it as a Terraform asset. */
export const HANDLER_BUNDLE = BUNDLES.handler.outfile;

/**
 * The validators as plain functions (ajv standalone code), exposed with the same `validator(id)` API as
 * src/model/validators.ts, so the handler validates its input and every API response without compiling a schema
 * at start-up (Terraform starts it at every apply).
 */
function precompiledValidators(): string {
  const schemas = registeredSchemas();
  const ajv = new Ajv({ allErrors: false, strict: false, code: { source: true } });
  for (const [id, schema] of schemas) ajv.addSchema(schema, id);
  const code = standaloneCode(ajv, Object.fromEntries([...schemas.keys()].map((id) => [id, id])));
  return `const compiled = (function () { const exports = {}; ${code}; return exports; })();
exports.validator = function validator(id) {
  const validate = compiled[id];
  if (!validate) throw new Error('no precompiled validator ' + id + '; rebuild the handler bundle');
  return function () { return validate; };
};
exports.registeredSchemas = function registeredSchemas() { return new Map(); };
`;
}

const precompile: Plugin = {
  name: 'precompiled-validators',
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/]spec[\\/]validators\.ts$/ }, (args) =>
      args.path === VALIDATORS_MODULE ? { contents: precompiledValidators(), loader: 'js', resolveDir: dirname(VALIDATORS_MODULE) } : undefined,
    );
  },
};

/** Bundles one entry and its dependencies (undici, ajv's runtime helpers, ipaddr.js, ip-num) into one file. */
async function bundle(name: keyof typeof BUNDLES): Promise<string> {
  const { entry, outfile } = BUNDLES[name];
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    // The oldest Node this package supports (package.json engines).
    target: 'node20',
    format: 'cjs',
    minify: true,
    // Class and function names stay readable in the stack traces of the client and emulator a user calls.
    keepNames: name !== 'handler',
    sourcemap: false,
    legalComments: 'eof',
    logLevel: 'warning',
    plugins: [precompile],
    write: false,
  });
  if (result.errors.length > 0) throw new Error(`bundling ${name} failed: ${result.errors[0].text}`);
  // Written only when changed, and by rename: a terraform run reading the handler while the demo or the tests bundle
  // again never sees half a file.
  for (const file of result.outputFiles) {
    if (existsSync(file.path) && readFileSync(file.path).equals(Buffer.from(file.contents))) continue;
    mkdirSync(dirname(file.path), { recursive: true });
    const partial = `${file.path}.${process.pid}.partial`;
    try {
      writeFileSync(partial, file.contents);
      renameSync(partial, file.path);
    } finally {
      rmSync(partial, { force: true });
    }
  }
  return outfile;
}

/** Builds every bundle (about a second). */
export async function bundleAll(): Promise<string[]> {
  return Promise.all((Object.keys(BUNDLES) as (keyof typeof BUNDLES)[]).map(bundle));
}

if (require.main === module) {
  bundleAll().then(
    (paths) => process.stdout.write(`bundled: ${paths.join(', ')}\n`),
    (error: unknown) => {
      process.stderr.write(`${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
