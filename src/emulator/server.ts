import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleAdmin } from './admin-handler';
import { handleApi } from './api-handler';
import { checkBehaviour, DEFAULT_BEHAVIOUR, type EmulatorBehaviour } from './behaviour';
import { CallerRateLimit } from './caller-rate-limit';
import { EmulatorClock } from './clock';
import { DatabaseAccounts } from './databases/accounts';
import { startDatabaseServers, type DatabaseServers } from './databases/servers';
import { Faults, type FaultSpec } from './faults';
import { localHosts, PLANETSCALE_HOSTS } from './hosts';
import { dated, sendError } from './http';
import { HttpError } from './http-error';
import { RequestCounter } from './request-counter';
import { DEFAULT_SEED, parseSeed, stateFromSeed, type Seed } from './seed';
import { Store } from './store';
import { bootstrapToken, issueAccessToken, type AccessTokenOptions } from './token-issuer';
import type { AccessTokenCredentials, ServiceTokenCredentials } from '../api/credentials';
import { CA_BUNDLE_VARIABLE } from '../model/contract';

export interface EmulatorOptions {
  /** Port on 127.0.0.1; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** Organizations, databases and branches to start with (ignored when `statePath` already holds state). @default DEFAULT_SEED */
  readonly seed?: Seed;
  /** A JSON seed file, instead of `seed`. */
  readonly seedFile?: string;
  /** Persist state in this file across restarts (atomic writes; secrets stored as hashes only). @default in memory */
  readonly statePath?: string;
  /**
   * Credentials for the bootstrap token (all accesses on the first organization). Give the same pair across restarts
   * of a persisted emulator to keep using it. @default a new random token
   */
  readonly bootstrapToken?: ServiceTokenCredentials;
  /** Latency added to every API response, in milliseconds. @default 0 */
  readonly latencyMs?: number;
  /** Faults queued from the start (more can be added at run time, in code or through /_emulator/faults). @default none */
  readonly faults?: readonly FaultSpec[];
  /** Which of the open possibilities to play (see behaviour.ts); changeable at run time. @default DEFAULT_BEHAVIOUR */
  readonly behaviour?: Partial<EmulatorBehaviour>;
  /**
   * PlanetScale's rate limit: past `limit` requests of one credential in any `windowMs`, answer 429 with Retry-After
   * (PlanetScale documents 600 per minute). Played as a sliding window, the strictest reading.
   * @default no limit
   */
  readonly rateLimit?: { readonly limit: number; readonly windowMs: number };
  /**
   * Run a real MariaDB and PostgreSQL server on a loopback address of their own (ports 3306 and 5432), with TLS from
   * a CA made for them, and make every password and role a real database user with its secret, privileges and
   * allow-list; `access_host_url` then points at them. Needs MariaDB, PostgreSQL and openssl installed (Linux).
   * @default false: PlanetScale's host names, no server needed
   */
  readonly databases?: boolean;
}

/** The local database servers of an emulator started with `databases`. */
export interface RunningDatabases {
  /** The loopback address both servers listen on (MariaDB on 3306, PostgreSQL on 5432): the `access_host_url`. */
  readonly address: string;
  /** The CA certificate that issued the servers' certificates (PEM): what a client must trust. */
  readonly caFile: string;
  /** The directory holding their data, logs and certificates; removed when the emulator stops. */
  readonly directory: string;
}

export interface RunningEmulator {
  /** Base URL of the API, ending in /v1: what PLANETSCALE_API_URL should hold. */
  readonly url: string;
  /** The bootstrap service token: all accesses on `organization`. */
  readonly token: ServiceTokenCredentials;
  /** The organization the bootstrap token belongs to. */
  readonly organization: string;
  readonly clock: EmulatorClock;
  readonly faults: Faults;
  readonly requests: RequestCounter;
  readonly store: Store;
  /** The behaviour being played; change its fields to play another possibility. */
  readonly behaviour: EmulatorBehaviour;
  /** Environment variables that point a client, cdktf or terraform at this emulator. */
  readonly env: Record<string, string>;
  /** How many requests the rate limit refused with 429. */
  readonly rateLimited: number;
  /** The local database servers, when started with `databases`. */
  readonly databases?: RunningDatabases;
  /** Issues an OAuth access token of the organization (as `pscale auth login` would get one). */
  issueAccessToken(options?: AccessTokenOptions): AccessTokenCredentials;
  stop(): Promise<void>;
}

/**
 * Starts the PlanetScale API emulator on 127.0.0.1. Same routes, status codes, error shapes, auth and required
 * accesses as the API, for the subset this package uses; plus an admin API under /_emulator for tests.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const clock = new EmulatorClock();
  const faults = new Faults();
  faults.latencyMs = options.latencyMs ?? 0;
  for (const fault of options.faults ?? []) faults.add(fault);
  const requests = new RequestCounter();
  const behaviour: EmulatorBehaviour = { ...DEFAULT_BEHAVIOUR, ...checkBehaviour(options.behaviour ?? {}) };
  const rateLimit = options.rateLimit ? new CallerRateLimit(options.rateLimit, clock) : undefined;
  const rateLimited = () => rateLimit?.refused ?? 0;

  let store = options.statePath ? Store.load(options.statePath) : undefined;
  if (!store) {
    store = Store.create(options.statePath);
    const seed = options.seedFile ? parseSeed(JSON.parse(readFileSync(options.seedFile, 'utf8')), options.seedFile) : (options.seed ?? DEFAULT_SEED);
    stateFromSeed(seed, store.state, clock.now());
  }
  const organization = store.state.organizations[0]?.name;
  if (!organization) throw new Error('the emulator needs at least one organization');
  const token = bootstrapToken(store, organization, options.bootstrapToken, clock);
  store.save();
  const db = store;
  const servers: DatabaseServers | undefined = options.databases ? await startDatabaseServers() : undefined;
  const accounts = servers && new DatabaseAccounts(servers, db, clock, (line) => process.stderr.write(`${line}\n`));
  const hosts = servers ? localHosts(servers.address) : PLANETSCALE_HOSTS;
  /** Database users follow the clock too: a credential that expires stops connecting within a second. */
  const syncAccounts = () => accounts?.exclusive(() => accounts.sync()) ?? Promise.resolve();
  let expirySync: Promise<void> | undefined;
  const checkExpiry = () => {
    // One check at a time: a slow server does not pile them up.
    expirySync ??= syncAccounts()
      .catch((error: Error) => void process.stderr.write(`emulator: database server: ${error.message}\n`))
      .finally(() => (expirySync = undefined));
  };
  const expiry = accounts && setInterval(checkExpiry, 1000);
  expiry?.unref();

  const issue = (tokenOptions: AccessTokenOptions = {}): AccessTokenCredentials => issueAccessToken(db, organization, clock, tokenOptions);
  const api = { store: db, clock, faults, requests, behaviour, hosts, accounts, rateLimit };
  const admin = { clock, faults, requests, behaviour, rateLimited, issueAccessToken: issue, syncAccounts };

  const server: Server = createServer((req, res) => {
    dated(res, clock);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let handled: Promise<void>;
    if (url.pathname.startsWith('/_emulator/')) {
      handled = handleAdmin(admin, req, res, url);
    } else if (url.pathname.startsWith('/v1/')) {
      handled = handleApi(api, req, res, url);
    } else {
      sendError(res, HttpError.notFound());
      return;
    }
    handled.catch((error: unknown) => {
      if (res.headersSent || res.destroyed) return;
      if (error instanceof HttpError) sendError(res, error);
      else sendError(res, new HttpError(500, 'internal_error', 'emulator error'));
    });
  });
  server.keepAliveTimeout = 5_000;

  try {
    await syncAccounts();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
  } catch (error) {
    if (expiry) clearInterval(expiry);
    await servers?.stop();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/v1`;

  return {
    url,
    token,
    organization,
    clock,
    faults,
    requests,
    store,
    behaviour,
    env: {
      PLANETSCALE_API_URL: url,
      PLANETSCALE_SERVICE_TOKEN_ID: token.id,
      PLANETSCALE_SERVICE_TOKEN: token.token,
      // Connection strings that name a CA file name the emulator's; Node clients trust it through NODE_EXTRA_CA_CERTS.
      ...(servers ? { [CA_BUNDLE_VARIABLE]: servers.caFile, NODE_EXTRA_CA_CERTS: servers.caFile } : {}),
    },
    databases: servers && { address: servers.address, caFile: servers.caFile, directory: servers.directory },
    issueAccessToken: issue,
    get rateLimited() {
      return rateLimited();
    },
    stop: async () => {
      if (expiry) clearInterval(expiry);
      try {
        await new Promise<void>((resolve, reject) => {
          server.close((error) => (error ? reject(error) : resolve()));
          server.closeAllConnections();
        });
      } finally {
        // After the last change the API answered (it waits in the queue), and even if closing failed.
        await accounts?.exclusive(async () => undefined);
        await servers?.stop();
      }
    },
  };
}
