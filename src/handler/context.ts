import type { PlanetScaleClient } from '../api/client';
import type { OutputsFile } from '../outputs/outputs-file';
import type { HandlerSettings } from '../spec/resource-specs';

/** What every reconciler gets: the API, the outputs file, settings, and a log that must never see a secret. */
export interface HandlerContext {
  readonly client: PlanetScaleClient;
  readonly outputs: OutputsFile;
  readonly settings: HandlerSettings;
  readonly log: (line: string) => void;
}

/** An error whose message is already the one line to show the user. */
export class HandlerError extends Error {}
