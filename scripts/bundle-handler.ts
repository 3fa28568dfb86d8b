import { resolve } from 'node:path';
import { buildSync } from 'esbuild';

/** Where the bundled handler lives; the constructs reference it as a Terraform asset, npm ships it. */
export const HANDLER_BUNDLE = resolve(__dirname, '..', 'assets', 'handler', 'index.js');

/**
 * Bundles the apply-time handler and its dependencies (undici, ajv, ipaddr.js, proper-lockfile) into one file, so a
 * synthesized stack runs it with plain `node`, wherever the stack directory is moved.
 */
export function bundleHandler(): string {
  buildSync({
    entryPoints: [resolve(__dirname, '..', 'src', 'handler', 'main.ts')],
    outfile: HANDLER_BUNDLE,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    sourcemap: false,
    legalComments: 'eof',
    logLevel: 'warning',
  });
  return HANDLER_BUNDLE;
}

if (require.main === module) {
  process.stdout.write(`bundled handler: ${bundleHandler()}\n`);
}
