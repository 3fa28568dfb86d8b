import type { Redactor } from './redact';
import type { PlanetScaleClient } from '../api/client';
import type { OutputsFile } from '../outputs/outputs-file';
import type { HandlerSettings } from '../spec/resource-specs';

/** What every reconciler gets: the API, the outputs file, settings, and a log that must never see a secret. */
export interface HandlerContext {
  readonly client: PlanetScaleClient;
  readonly outputs: OutputsFile;
  readonly settings: HandlerSettings;
  /** Prints one line; every secret handed to `redactor` is removed from it. */
  readonly log: (line: string) => void;
  /** Knows every secret of this run, so no output line or error carries one. */
  readonly redactor: Redactor;
}

/** An error whose message is already the one line to show the user. */
export class HandlerError extends Error {}
