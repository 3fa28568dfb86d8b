import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorBehaviour } from './behaviour';
import { authenticate } from './caller';
import type { CallerRateLimit } from './caller-rate-limit';
import type { EmulatorClock } from './clock';
import type { DatabaseAccounts } from './databases/accounts';
import { answerWithFault, type Faults } from './faults';
import type { ServiceHosts } from './hosts';
import { readBody, send } from './http';
import { HttpError } from './http-error';
import type { RequestCounter } from './request-counter';
import { matchRoute, type Route, type RouteContext } from './route';
import { ROUTES } from './routes';
import type { Store } from './store';
import { ENDPOINTS, requirementFor } from '../api/endpoints';

/** What the API routes are served with. */
export interface ApiServices {
  readonly store: Store;
  readonly clock: EmulatorClock;
  readonly faults: Faults;
  readonly requests: RequestCounter;
  readonly behaviour: EmulatorBehaviour;
  readonly hosts: ServiceHosts;
  /** The real database users, when the emulator runs database servers. */
  readonly accounts?: DatabaseAccounts;
  /** PlanetScale's rate limit, when played. */
  readonly rateLimit?: CallerRateLimit;
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

/** The first route that matches, with its path parameters. */
function findRoute(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
  for (const route of ROUTES) {
    const params = matchRoute(route, method, path);
    if (params) return { route, params };
  }
  return undefined;
}

/**
 * Serves one request under /v1: counts it, plays any queued fault, authenticates the caller, applies the rate limit,
 * checks the route's required access, and runs the route (a change is saved, and the database users brought in line,
 * before it is answered).
 */
export async function handleApi(services: ApiServices, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const { store, clock, faults, requests, behaviour, hosts, accounts, rateLimit } = services;
  const path = url.pathname.slice('/v1'.length);
  const method = req.method ?? 'GET';
  const found = findRoute(method, path);
  requests.record(method, found?.route.endpoint.operation ?? 'unknown');
  if (faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
  const fault = faults.take(method, path);
  if (fault && fault.kind !== 'drop-after-change' && fault.kind !== 'hang-after-change') {
    await readBody(req).catch(() => undefined);
    answerWithFault(res, fault);
    return;
  }
  const body = await readBody(req);
  if (!found) throw HttpError.notFound();
  const { route, params } = found;
  const caller = authenticate(req.headers.authorization, store, clock.now());
  if (rateLimit) {
    const taken = rateLimit.take(caller.actor.id);
    if (!taken.ok) {
      send(res, 429, { code: 'rate_limited', message: 'Too many requests' }, { 'retry-after': String(Math.ceil(taken.waitMs / 1000)) });
      return;
    }
  }
  if (caller.organization !== params.organization) throw HttpError.notFound();
  store.organization(params.organization);
  // A database or branch the caller may not use answers exactly like one that does not exist: 404 Not Found
  // (planetscale/cli PR #1067: "a 404 generally means the token does not have access to the resource"). The
  // emulator never answers 403 for a missing access.
  const database = params.database !== undefined ? store.database(params.organization, params.database) : undefined;
  const branch = database && params.branch !== undefined ? store.branch(database.organization, database.name, params.branch) : undefined;
  const requirement = requirementFor(route.endpoint, branch ? (branch.production ? 'production' : 'development') : undefined);
  if (!caller.allows(requirement, { database: database?.name, branch: branch?.name })) throw HttpError.notFound();
  if (caller.kind === 'service-token' && refusedToServiceTokens(route, behaviour)) throw HttpError.notFound();
  const context: RouteContext = { params, url, body, caller, store, clock, behaviour, hosts, accounts };
  const change = async () => {
    const answer = await route.handle(context);
    store.save();
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
