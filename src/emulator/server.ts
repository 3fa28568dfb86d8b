import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkBehaviour, DEFAULT_BEHAVIOUR, type EmulatorBehaviour } from './behaviour';
import { oauthCaller, serviceTokenCaller, type Caller } from './caller';
import { EmulatorClock } from './clock';
import { DatabaseAccounts } from './databases/accounts';
import { startDatabaseServers, type DatabaseServers } from './databases/servers';
import { Faults, RequestCounter, type FaultSpec } from './faults';
import { HttpError } from './http-error';
import { hashSecret, newAccessTokenSecret, newId, newTokenSecret, secretMatches } from './identifiers';
import { hasExpired, type OAuthScopes } from './model';
import { matchRoute, type Route, type RouteContext } from './route';
import { ROUTES } from './routes';
import { DEFAULT_SEED, parseSeed, stateFromSeed, type Seed } from './seed';
import { localHosts, PLANETSCALE_HOSTS } from './serialize';
import { Store } from './store';
import type { AccessTokenCredentials, ServiceTokenCredentials } from '../api/credentials';
import { ENDPOINTS, organizationScopes, requirementFor } from '../api/endpoints';
import { SlidingWindow } from '../api/rate-limit';
import { ALL_ACCESSES } from '../model/accesses';
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

/** What an OAuth access token issued by the emulator may do. */
export interface AccessTokenOptions {
  /** Scopes per level. @default every scope the emulated routes name, on the organization */
  readonly scopes?: OAuthScopes;
  /**
   * Whether the user is an organization administrator (may manage service tokens and grant any access).
   * @default true when no scopes are given, else false
   */
  readonly admin?: boolean;
  /** Seconds until it expires. @default no expiry */
  readonly ttlSeconds?: number;
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

const BOOTSTRAP_NAME = 'emulator-bootstrap';
const MAX_BODY = 1024 * 1024;

function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (body === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers }).end(text);
}

/** Every answer carries the emulator's own time in its Date header, as a real server's carries its clock. */
function dated(res: ServerResponse, clock: EmulatorClock): void {
  res.sendDate = false;
  res.setHeader('date', clock.now().toUTCString());
}

function sendError(res: ServerResponse, error: HttpError): void {
  send(res, error.status, { code: error.code, message: error.message });
}

/** The grant routes: what `serviceTokenRoutes: 'grants-refused'` closes to service tokens. */
const GRANT_ROUTES: readonly string[] = [
  ENDPOINTS.get_service_token_accesses.operation,
  ENDPOINTS.add_service_token_accesses.operation,
  ENDPOINTS.delete_service_token_accesses.operation,
  ENDPOINTS.get_service_token_grants.operation,
];

function refusedToServiceTokens(route: Route, behaviour: EmulatorBehaviour): boolean {
  if (behaviour.serviceTokenRoutes === 'allowed') return false;
  if (behaviour.serviceTokenRoutes === 'grants-refused') return GRANT_ROUTES.includes(route.endpoint.operation);
  return route.endpoint.path.includes('/service-tokens');
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, 'payload_too_large', 'request body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'bad_request', 'request body is not valid JSON');
  }
}

function faultResponse(res: ServerResponse, fault: FaultSpec): void {
  if (fault.kind === 'redirect') {
    res.writeHead(307, { location: fault.location ?? '/' }).end();
    return;
  }
  const status = fault.status ?? 500;
  const headers: Record<string, string> = fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {};
  if (fault.body === 'html') {
    const html = `<html><body><h1>${status} Service Unavailable</h1><p>upstream connect error</p></body></html>`;
    res.writeHead(status, { 'content-type': 'text/html', ...headers }).end(html);
  } else if (fault.body === 'errors') {
    send(res, status, { errors: [{ message: `injected error ${status}` }] }, headers);
  } else if (fault.body === 'parameter-errors') {
    // The nested shape planetscale-go's parameterErrorsToError reads.
    send(res, status, { errors: [{ namespace: 'injected', name: 'parameter', errors: [`injected error ${status}`] }] }, headers);
  } else {
    send(res, status, { code: status === 429 ? 'rate_limited' : 'internal_error', message: `injected error ${status}` }, headers);
  }
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
  const windows = new Map<string, SlidingWindow>();
  let rateLimited = 0;

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

  /**
   * `Authorization: <id>:<token>` is a service token; `Bearer <token>` an OAuth access token (planetscale-go
   * client.go: serviceTokenTransport, and oauth2.StaticTokenSource for access tokens).
   */
  function authenticate(header: string | undefined): Caller {
    const now = clock.now();
    const unexpired = (expiresAt: string | null) => !hasExpired(expiresAt, now);
    const bearer = /^Bearer (\S+)$/.exec(header ?? '')?.[1];
    if (bearer) {
      const record = db.state.oauthTokens.find((t) => secretMatches(bearer, t.secretHash));
      if (!record) throw new HttpError(401, 'unauthorized', 'The access token is invalid, expired or revoked');
      if (!unexpired(record.expiresAt)) throw new HttpError(401, 'unauthorized', 'The access token has expired');
      return oauthCaller(record);
    }
    const [id, secret, ...rest] = (header ?? '').split(':');
    const record = id && secret && rest.length === 0 ? db.state.serviceTokens.find((t) => t.id === id) : undefined;
    if (!record || !secretMatches(secret, record.secretHash)) {
      throw new HttpError(401, 'unauthorized', 'The access token is invalid, expired or revoked');
    }
    if (!unexpired(record.expiresAt)) throw new HttpError(401, 'unauthorized', 'The access token has expired');
    return serviceTokenCaller(record);
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname.slice('/v1'.length);
    const method = req.method ?? 'GET';
    let route: Route | undefined;
    let params: Record<string, string> | undefined;
    for (const candidate of ROUTES) {
      params = matchRoute(candidate, method, path);
      if (params) {
        route = candidate;
        break;
      }
    }
    requests.record(method, route?.endpoint.operation ?? 'unknown');
    if (faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
    const fault = faults.take(method, path);
    if (fault && fault.kind !== 'drop-after-change' && fault.kind !== 'hang-after-change') {
      await readBody(req).catch(() => undefined);
      faultResponse(res, fault);
      return;
    }
    const body = await readBody(req);
    if (!route || !params) throw HttpError.notFound();
    const caller = authenticate(req.headers.authorization);
    if (options.rateLimit) {
      const { limit, windowMs } = options.rateLimit;
      const window = windows.get(caller.actor.id) ?? new SlidingWindow(limit, windowMs, () => clock.now().getTime());
      windows.set(caller.actor.id, window);
      const taken = window.tryTake();
      if (!taken.ok) {
        rateLimited += 1;
        send(res, 429, { code: 'rate_limited', message: 'Too many requests' }, { 'retry-after': String(Math.ceil(taken.waitMs / 1000)) });
        return;
      }
    }
    if (caller.organization !== params.organization) throw HttpError.notFound();
    db.organization(params.organization);
    // A database or branch the caller may not use answers exactly like one that does not exist: 404 Not Found
    // (planetscale/cli PR #1067: "a 404 generally means the token does not have access to the resource"). The
    // emulator never answers 403 for a missing access.
    const database = params.database !== undefined ? db.database(params.organization, params.database) : undefined;
    const branch = database && params.branch !== undefined ? db.branch(database.organization, database.name, params.branch) : undefined;
    const requirement = requirementFor(route.endpoint, branch ? (branch.production ? 'production' : 'development') : undefined);
    if (!caller.allows(requirement, { database: database?.name, branch: branch?.name })) throw HttpError.notFound();
    if (caller.kind === 'service-token' && refusedToServiceTokens(route, behaviour)) throw HttpError.notFound();
    const context: RouteContext = { params, url, body, caller, store: db, clock, behaviour, hosts, accounts };
    const change = async () => {
      const answer = await route.handle(context);
      db.save();
      // The answer waits for the database users: a secret the API hands out already connects.
      await accounts?.sync().catch((error: Error) => {
        process.stderr.write(`emulator: database server: ${error.message}\n`);
        throw new HttpError(500, 'internal_error', 'the emulator\'s database server failed to apply the change');
      });
      return answer;
    };
    const result = !route.mutates ? await route.handle(context) : accounts ? await accounts.exclusive(change) : await change();
    if (fault?.kind === 'drop-after-change') {
      // The change is made; the answer never arrives.
      req.socket.destroy();
      return;
    }
    // The change is made; the answer is held until the client gives up or the emulator stops.
    if (fault?.kind === 'hang-after-change') return;
    send(res, result.status, result.body);
  }

  function issueAccessToken(tokenOptions: AccessTokenOptions = {}): AccessTokenCredentials {
    const accessToken = newAccessTokenSecret();
    const created = clock.now();
    db.state.oauthTokens.push({
      id: newId(),
      organization: organization!,
      displayName: 'emulated user',
      secretHash: hashSecret(accessToken),
      createdAt: created.toISOString(),
      expiresAt: tokenOptions.ttlSeconds ? new Date(created.getTime() + tokenOptions.ttlSeconds * 1000).toISOString() : null,
      scopes: tokenOptions.scopes ?? { organization: organizationScopes() },
      admin: tokenOptions.admin ?? tokenOptions.scopes === undefined,
    });
    db.save();
    return { accessToken };
  }

  async function handleAdmin(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const body = (await readBody(req)) as Record<string, unknown> | undefined;
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case 'GET /_emulator/health':
        return send(res, 200, { ok: true });
      case 'POST /_emulator/faults':
        try {
          faults.add(body as unknown as FaultSpec);
        } catch (error) {
          throw HttpError.unprocessable((error as Error).message);
        }
        return send(res, 204);
      case 'DELETE /_emulator/faults':
        faults.clear();
        return send(res, 204);
      case 'POST /_emulator/oauth-tokens':
        return send(res, 200, { access_token: issueAccessToken((body ?? {}) as AccessTokenOptions).accessToken });
      case 'POST /_emulator/behaviour':
        try {
          Object.assign(behaviour, checkBehaviour(body ?? {}));
        } catch (error) {
          throw HttpError.unprocessable((error as Error).message);
        }
        return send(res, 200, behaviour);
      case 'POST /_emulator/latency':
        faults.latencyMs = Number(body?.ms ?? 0);
        return send(res, 204);
      case 'POST /_emulator/clock':
        if (typeof body?.advanceSeconds === 'number') clock.advance(body.advanceSeconds * 1000);
        else if (typeof body?.now === 'string') clock.set(new Date(body.now));
        await syncAccounts();
        return send(res, 200, { now: clock.now().toISOString() });
      case 'GET /_emulator/requests':
        return send(res, 200, { total: requests.total, byOperation: requests.snapshot(), rateLimited });
      case 'DELETE /_emulator/requests':
        requests.reset();
        return send(res, 204);
      default:
        throw HttpError.notFound();
    }
  }

  const server: Server = createServer((req, res) => {
    dated(res, clock);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const handler = url.pathname.startsWith('/_emulator/') ? handleAdmin : url.pathname.startsWith('/v1/') ? handleApi : undefined;
    if (!handler) {
      sendError(res, HttpError.notFound());
      return;
    }
    handler(req, res, url).catch((error: unknown) => {
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
    issueAccessToken,
    get rateLimited() {
      return rateLimited;
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

/** Finds or makes the all-access token of the first organization. */
function bootstrapToken(
  store: Store,
  organization: string,
  wanted: ServiceTokenCredentials | undefined,
  clock: EmulatorClock,
): ServiceTokenCredentials {
  if (wanted) {
    const existing = store.state.serviceTokens.find((t) => t.id === wanted.id);
    if (existing && secretMatches(wanted.token, existing.secretHash)) return wanted;
    if (existing) throw new Error(`bootstrap token ${wanted.id} exists in the state file with a different secret`);
  }
  const credentials = wanted ?? { id: newId(), token: newTokenSecret() };
  const now = clock.now().toISOString();
  const org = store.organization(organization);
  store.state.serviceTokens.push({
    id: credentials.id,
    organization,
    name: BOOTSTRAP_NAME,
    secretHash: hashSecret(credentials.token),
    createdAt: now,
    updatedAt: now,
    expiresAt: null,
    accesses: ALL_ACCESSES.map((access) => ({
      id: newId(),
      access,
      resourceType: 'Organization' as const,
      resourceId: org.id,
      resourceName: org.name,
      createdAt: now,
    })),
  });
  return credentials;
}
