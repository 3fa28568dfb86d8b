import { existsSync } from 'node:fs';
import { bundleAll } from '../scripts/bundle';
import { SPEC_PATH } from './support/openapi';

/** Runs once before all suites: the constructs under test reference the bundled handler, so build it from src. */
export default async function globalSetup(): Promise<void> {
  if (!existsSync(SPEC_PATH)) throw new Error(`the PlanetScale OpenAPI description is missing at ${SPEC_PATH} (../shared must sit beside the project)`);
  await bundleAll();
}
