import type { EmulatorClock } from './clock';
import type { ServiceTokenRecord } from './model';
import type { Store } from './store';

/** What a route handler gets: path parameters, parsed body, the authenticated token and the service's state. */
export interface RouteContext {
  readonly params: Readonly<Record<string, string>>;
  readonly url: URL;
  readonly body: unknown;
  readonly token: ServiceTokenRecord;
  readonly store: Store;
  readonly clock: EmulatorClock;
  /** Whether the token holds `access` for the route's database (or, with none, the organization). */
  readonly holds: (access: string, database?: string) => boolean;
}

export interface RouteResult {
  readonly status: number;
  readonly body?: unknown;
}

export interface Route {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path under /v1, with `:name` parameters. */
  readonly pattern: string;
  /** The OpenAPI operationId (or our own name for routes the file lacks). */
  readonly operation: string;
  /** The token needs one of these, on the route's database when it has one, else on the organization. */
  readonly accesses: readonly string[];
  /** Whether the route mutates state (the store is saved after it). */
  readonly mutates: boolean;
  readonly handle: (context: RouteContext) => RouteResult;
}

/** Matches a path against a route pattern, returning decoded parameters. */
export function matchRoute(route: Route, method: string, path: string): Record<string, string> | undefined {
  if (route.method !== method) return undefined;
  const want = route.pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) {
      if (!got[i]) return undefined;
      try {
        params[want[i].slice(1)] = decodeURIComponent(got[i]);
      } catch {
        return undefined;
      }
    } else if (want[i] !== got[i]) {
      return undefined;
    }
  }
  return params;
}

/** `page` and `per_page` from the query string, with the API's defaults and bounds. */
export function paging(url: URL): { page: number; perPage: number } {
  const page = Math.max(1, Number.parseInt(url.searchParams.get('page') ?? '1', 10) || 1);
  const perPage = Math.min(100, Math.max(1, Number.parseInt(url.searchParams.get('per_page') ?? '25', 10) || 25));
  return { page, perPage };
}
