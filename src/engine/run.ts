import { isAbsolute, resolve } from 'node:path';
import { execute, type Outcome } from './execute';
import { readGrants } from './grants';
import { takeInventory, type Inventory } from './inventory';
import { planChanges, type Plan } from './plan';
import type { Redactor } from './redact';
import type { PlanetScaleClient } from '../api/client';
import { PlanetScaleApiError } from '../api/errors';
import { OutputsFile } from '../outputs/outputs-file';
import { OUTPUTS_VARIABLE } from '../spec/contract';
import type { DesiredState, StackSettings } from '../spec/desired-state';

/**
 * One engine run for one stack: list what the owner owns, plan, and (unless only planning) carry the plan out under
 * the outputs file's run lock. Terraform's handler, `planetscale-cdktf plan` and `planetscale-cdktf reconcile` all
 * run this.
 */

export type Mode = 'apply' | 'destroy' | 'plan';

export interface EngineOptions {
  readonly desired: DesiredState;
  readonly mode: Mode;
  readonly client: PlanetScaleClient;
  /** The outputs file (resolved). */
  readonly outputsPath: string;
  readonly log: (line: string) => void;
  readonly redactor: Redactor;
  /** Objects worked on at once. @default 8 */
  readonly concurrency?: number;
  /** Report credentials expiring within this many seconds. @default 7 days */
  readonly expiringWithinSeconds?: number;
  readonly now?: Date;
}

export interface EngineResult {
  readonly plan: Plan;
  readonly inventory: Inventory;
  /** Undefined for a plan. */
  readonly outcome?: Outcome;
}

/** The outputs file of a stack: `PLANETSCALE_OUTPUTS_FILE`, else the setting, relative to `base` (the stack directory). */
export function outputsPathOf(settings: StackSettings, base: string, env: NodeJS.ProcessEnv = process.env): string {
  const path = env[OUTPUTS_VARIABLE] || settings.outputs_file;
  return isAbsolute(path) ? path : resolve(base, path);
}

export async function runEngine(options: EngineOptions): Promise<EngineResult> {
  const { desired, client, log } = options;
  const concurrency = options.concurrency ?? 8;
  const declaredDatabases = [...new Set([...desired.passwords, ...desired.ip_rules].map((d) => d.database))];
  const inventory = await takeInventory(client, { owner: desired.owner, declaredDatabases, concurrency });
  const file = new OutputsFile(options.outputsPath);
  const writer = options.mode === 'plan' ? undefined : await file.open(desired.stack, { onWait: log });
  try {
    const plan = await planChanges({
      desired,
      inventory,
      entries: writer ? writer.entries : (file.read()[desired.stack] ?? {}),
      pending: writer ? writer.pendingNames : file.pending(desired.stack),
      hasSink: Boolean(desired.settings.sink),
      grantsOf: async (token) => {
        try {
          return await readGrants(client, token.value.id);
        } catch (error) {
          if (error instanceof PlanetScaleApiError) return { unreadable: error.message };
          throw error;
        }
      },
      now: options.now ?? client.now(),
      expiringWithinSeconds: options.expiringWithinSeconds ?? 7 * 86_400,
      destroy: options.mode === 'destroy',
      outputsPath: options.outputsPath,
    });
    if (!writer) return { plan, inventory };
    const outcome = await execute(plan, {
      client,
      organization: desired.organization,
      owner: desired.owner,
      inventory,
      concurrency,
      outputs: writer,
      sink: desired.settings.sink,
      redactor: options.redactor,
      log,
    });
    return { plan, inventory, outcome };
  } finally {
    await writer?.close();
  }
}
