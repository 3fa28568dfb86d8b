import { dirname, resolve } from 'node:path';
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone';
import { build, type Plugin } from 'esbuild';
// Loading these modules registers every schema the handler validates with (see src/spec/validators.ts).
import '../src/api/response-schemas';
import '../src/spec/desired-state';
import { registeredSchemas } from '../src/spec/validators';

const ROOT = resolve(__dirname, '..');
const VALIDATORS_MODULE = resolve(ROOT, 'src', 'spec', 'validators.ts');

/** Where the bundled handler lives; the constructs reference it as a Terraform asset, npm ships it. */
export const HANDLER_BUNDLE = resolve(ROOT, 'assets', 'handler', 'index.js');

/**
 * The handler's validators as plain functions (ajv standalone code), exposed with the same `validator(id)` API as
 * src/spec/validators.ts, so the handler validates its input and every API response without compiling a schema
 * at start-up.
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

/**
 * Bundles the apply-time handler and its dependencies (undici, ajv's runtime helpers, ipaddr.js, ip-num)
 * into one file, so a synthesized stack runs it with plain `node`, wherever the stack directory is moved.
 */
export async function bundleHandler(): Promise<string> {
  const result = await build({
    entryPoints: [resolve(ROOT, 'src', 'handler', 'main.ts')],
    outfile: HANDLER_BUNDLE,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    sourcemap: false,
    legalComments: 'eof',
    logLevel: 'warning',
    plugins: [precompile],
    write: true,
  });
  if (result.errors.length > 0) throw new Error(`bundling the handler failed: ${result.errors[0].text}`);
  return HANDLER_BUNDLE;
}

if (require.main === module) {
  bundleHandler().then(
    (path) => process.stdout.write(`bundled handler: ${path}\n`),
    (error: unknown) => {
      process.stderr.write(`${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
