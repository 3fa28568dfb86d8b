import type { EmulatorBehaviour } from './behaviour';
import type { Caller } from './caller';
import type { EmulatorClock } from './clock';
import type { ServiceHosts } from './hosts';
import { pageJson } from './serialize';
import type { Store } from './store';
import type { Endpoint } from '../api/endpoints';

/**
 * What routes tell the real database servers, when the emulator runs them (databases/accounts.ts implements it; an
 * interface here keeps the database clients' types out of the emulator's public declarations).
 */
export interface DatabaseUsers {
  /** A secret the API has just issued for credential `id` (create, reset). */
  remember(id: string, secret: string): void;
  /** Whether a Postgres role owns objects on the server. */
  roleOwnsObjects(roleId: string): Promise<boolean>;
  /** Gives a Postgres role's objects to another. */
  reassign(roleId: string, successorId: string): Promise<void>;
}

/** What a route handler gets: path parameters, parsed body, the authenticated caller and the service's state. */
export interface RouteContext {
  readonly params: Readonly<Record<string, string>>;
  readonly url: URL;
  readonly body: unknown;
  readonly caller: Caller;
  readonly store: Store;
  readonly clock: EmulatorClock;
  readonly behaviour: EmulatorBehaviour;
  /** Where the branches answer connections (access_host_url and the branch addresses). */
  readonly hosts: ServiceHosts;
  /** The real database users behind the credentials, when the emulator runs database servers (`--databases`). */
  readonly accounts?: DatabaseUsers;
}

export interface RouteResult {
  readonly status: number;
  readonly body?: unknown;
}

export interface Route {
  /** Method, path and required accesses: the entry of the endpoint table the client uses too. */
  readonly endpoint: Endpoint;
  /** Whether the route mutates state (the store is saved, and the database users brought in line, after it). */
  readonly mutates: boolean;
  /** Async only where a real database server must be asked first (whether a Postgres role owns objects). */
  readonly handle: (context: RouteContext) => RouteResult | Promise<RouteResult>;
}

/** Matches a path against an endpoint's `{name}` template, returning decoded parameters. */
export function matchRoute(route: Route, method: string, path: string): Record<string, string> | undefined {
  if (route.endpoint.method !== method) return undefined;
  const want = route.endpoint.path.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const name = /^\{([a-z_]+)\}$/.exec(want[i])?.[1];
    if (name) {
      if (!got[i]) return undefined;
      try {
        params[name] = decodeURIComponent(got[i]);
      } catch {
        return undefined;
      }
    } else if (want[i] !== got[i]) {
      return undefined;
    }
  }
  return params;
}

/** `page` and `per_page` from the query string, with the API's defaults (25 per page) and bounds. */
export function paging(url: URL): { page: number; perPage: number } {
  const page = Math.max(1, Number.parseInt(url.searchParams.get('page') ?? '1', 10) || 1);
  const perPage = Math.min(100, Math.max(1, Number.parseInt(url.searchParams.get('per_page') ?? '25', 10) || 25));
  return { page, perPage };
}

/**
 * Paging of the service-token grant lists: 25 per page whatever `per_page` asks. PlanetScale's SDK sends no paging
 * option there and its fixtures carry the paging fields (planetscale-go service_tokens_test.go), so whether `per_page`
 * is honoured is unknown; ignoring it makes a client that does not follow `next_page` fail here first.
 */
export function fixedPaging(url: URL): { page: number; perPage: number } {
  return { page: paging(url).page, perPage: 25 };
}

/** A 200 answer holding the page of `items` the query asks for (read by `pages`). */
export function pageAnswer<T>(items: T[], url: URL, pages: (url: URL) => { page: number; perPage: number } = paging): RouteResult {
  const { page, perPage } = pages(url);
  return { status: 200, body: pageJson(items, page, perPage, url) };
}
