/** Jest global setup: nothing yet beyond a sanity check that the shared reference is beside the project. */
import { existsSync } from 'node:fs';
import { SPEC_PATH } from './support/spec';

export default function globalSetup(): void {
  if (!existsSync(SPEC_PATH)) throw new Error(`the PlanetScale OpenAPI description is missing at ${SPEC_PATH} (../shared must sit beside the project)`);
}
