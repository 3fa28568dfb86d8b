import { isAbsolute, resolve } from 'node:path';
import { limited } from './bounded';
import { execute, type Outcome } from './execute';
import { readGrants, type GrantMap } from './grants';
import { takeInventory, type Inventory, type LiveToken } from './inventory';
import { planChanges, type Deployer, type Plan } from './plan';
import type { Redactor } from './redact';
import type { PlanetScaleClient } from '../api/client';
import { ENDPOINTS } from '../api/endpoints';
import { ConnectionError, PlanetScaleApiError } from '../api/errors';
import { CA_BUNDLE_VARIABLE, DEFAULT_CA_BUNDLE, OUTPUTS_VARIABLE } from '../model/contract';
import type { DesiredState, StackPlaces, StackSettings } from '../model/desired-state';
import { OutputsFile } from '../outputs/outputs-file';

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
  /** The synthesized stack's directory: where the sink runs, so a relative sink command means the same at every run. */
  readonly stackDirectory: string;
  readonly log: (line: string) => void;
  readonly redactor: Redactor;
  /** The CA bundle file the connection strings that need one name (`caBundleOf`). */
  readonly caBundle: string;
  /** Objects worked on at once. @default 8 */
  readonly concurrency?: number;
  /**
   * Where the stack has objects (from the destroyer at destroy): looked up when the credential may not list every
   * database, and a refused listing there fails the run instead of leaving its objects behind.
   */
  readonly mustSee?: StackPlaces;
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

/**
 * The CA bundle for connection strings: `PLANETSCALE_CA_BUNDLE`, else the system bundle. It goes verbatim into URLs,
 * `.env` lines and key=value strings, so only an absolute path that needs no quoting or escaping in any of them.
 */
export function caBundleOf(env: NodeJS.ProcessEnv = process.env): string {
  const path = env[CA_BUNDLE_VARIABLE] || DEFAULT_CA_BUNDLE;
  if (!isAbsolute(path) || !/^[A-Za-z0-9/._+@:,=-]+$/.test(path)) {
    throw new Error(`${CA_BUNDLE_VARIABLE} must be an absolute path of letters, digits and / . _ - + @ : , = only (it goes verbatim into connection strings), got "${path}"`);
  }
  return path;
}

/** A token's grants, or why they cannot be read (a refusal or a failed connection is one token's problem, not the run's). */
async function grantsOrReason(client: PlanetScaleClient, token: LiveToken): Promise<GrantMap | { unreadable: string }> {
  try {
    return await readGrants(client, token.value.id);
  } catch (error) {
    if (error instanceof PlanetScaleApiError || error instanceof ConnectionError) return { unreadable: error.message };
    throw error;
  }
}

/** What the deploy service token holds, when deploying with one that may read its own grants. */
async function deployerOf(client: PlanetScaleClient): Promise<Deployer | undefined> {
  const id = client.serviceTokenId;
  if (id === undefined) return undefined;
  try {
    return { id, holds: await readGrants(client, id) };
  } catch {
    // Unreadable: PlanetScale itself refuses what the token may not grant.
    return undefined;
  }
}

export async function runEngine(options: EngineOptions): Promise<EngineResult> {
  const { desired, client, log } = options;
  const concurrency = options.concurrency ?? 8;
  const file = new OutputsFile(options.outputsPath);
  // The lock first: a run that waited for another one lists what that one left, not what was there before it.
  const writer = options.mode === 'plan' ? undefined : await file.open(desired.stack, { onWait: log });
  try {
    const entries = writer ? writer.entries : (file.read()[desired.stack] ?? {});
    // Databases where the stack's credentials live: the declared ones, those the outputs file records (at destroy, or
    // once undeclared) and those the destroyer names. A credential scoped to some databases may not list them all;
    // these are looked up one by one.
    const known = [...desired.passwords, ...desired.ip_rules].map((d) => d.database);
    const recorded = Object.values(entries).flatMap((entry) => (entry.kind === 'password' ? [entry.database] : []));
    const places = options.mustSee ? [...options.mustSee.branches.map((b) => b.split('/')[0]), ...options.mustSee.rule_databases] : [];
    const knownDatabases = [...new Set([...known, ...recorded, ...places])];
    // The deploy token's grants: read once, and only if needed (a grant to give, a database its list left out).
    let deployer: Promise<Deployer | undefined> | undefined;
    const deployerOnce = () => (deployer ??= deployerOf(client));
    const inventory = await takeInventory(client, {
      owner: desired.owner,
      knownDatabases,
      concurrency,
      listShowsAll: client.usesAccessToken,
      wouldSee: async (database) => {
        const holds = (await deployerOnce())?.holds;
        return ENDPOINTS.get_database.requires.accesses.some((access) => Boolean(holds?.get(database)?.has(access) || holds?.get('')?.has(access)));
      },
    });
    // Grants of every live token of a declared object, read side by side while planning asks for them one by one.
    const turn = limited(concurrency);
    const grants = new Map<string, Promise<GrantMap | { unreadable: string }>>();
    const grantsOf = (token: LiveToken) => {
      let read = grants.get(token.value.id);
      if (!read) grants.set(token.value.id, (read = turn(() => grantsOrReason(client, token))));
      return read;
    };
    const declaredTokens = new Set(desired.service_tokens.map((t) => t.object));
    for (const token of inventory.tokens) if (declaredTokens.has(token.name.object)) void grantsOf(token).catch(() => undefined);

    const plan = await planChanges({
      desired,
      inventory,
      entries,
      pending: writer ? writer.pendingNames : file.pending(desired.stack),
      hasSink: Boolean(desired.settings.sink),
      grantsOf,
      now: options.now ?? client.now(),
      expiringWithinSeconds: options.expiringWithinSeconds ?? 7 * 86_400,
      destroy: options.mode === 'destroy',
      deployer: deployerOnce,
      mustSee: options.mustSee,
      outputsPath: options.outputsPath,
    });
    if (!writer) return { plan, inventory };
    writer.settle(plan.settled);
    const outcome = await execute(plan, {
      client,
      organization: desired.organization,
      owner: desired.owner,
      inventory,
      concurrency,
      outputs: writer,
      sink: desired.settings.sink,
      sinkDirectory: options.stackDirectory,
      redactor: options.redactor,
      caBundle: options.caBundle,
      log,
    });
    return { plan, inventory, outcome };
  } finally {
    await writer?.close();
  }
}
