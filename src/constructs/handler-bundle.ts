import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The bundled handler shipped in the package (assets/handler/index.js at the package root). Resolved from this
 * file's location, which is src/constructs in development and lib/constructs once compiled.
 */
export function handlerBundlePath(): string {
  const path = resolve(__dirname, '..', '..', 'assets', 'handler', 'index.js');
  if (!existsSync(path)) {
    throw new Error(`the PlanetScale handler bundle is missing at ${path}; build it with \`npx projen bundle\``);
  }
  return path;
}
