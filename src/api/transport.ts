// undici is a devDependency: everything that loads this module ships bundled (scripts/bundle.ts), undici inside.
// eslint-disable-next-line import/no-extraneous-dependencies
import { Agent, interceptors, type Dispatcher } from 'undici';
import { authorizationHeader, credentialsFromEnvironment, describeCredential, isAccessToken, type PlanetScaleCredentials } from './credentials';
import { endpointPath, type Endpoint } from './endpoints';
import { ConnectionError, describeOperation, OutcomeUnknownError, UnexpectedResponseError, type OperationContext } from './errors';
import { PLANETSCALE_RATE_LIMIT, SlidingWindow } from './rate-limit';
import { rateLimited } from './rate-limit-interceptor';
import type { ListPage, ResponseCheck } from './response-schemas';
import { LOST_RESPONSE_ERROR_CODES, retryDecision, type RetryPolicyOptions } from './retry-policy';
import { statusError, type CredentialInMessages } from './status-error';

export const API_URL_VARIABLE = 'PLANETSCALE_API_URL';
export const DEFAULT_API_URL = 'https://api.planetscale.com/v1';

/** Where the API is, how to authenticate, and how patient to be. */
export interface TransportOptions {
  /** API base URL. @default $PLANETSCALE_API_URL, else https://api.planetscale.com/v1 */
  readonly baseUrl?: string;
  /**
   * A service token or an OAuth access token.
   * @default read from PLANETSCALE_SERVICE_TOKEN_ID / PLANETSCALE_SERVICE_TOKEN, or PLANETSCALE_ACCESS_TOKEN
   */
  readonly credentials?: PlanetScaleCredentials;
  /** Retry behaviour for 429, 502-504 and connection failures. */
  readonly retry?: RetryPolicyOptions;
  /** Time allowed to open a connection. @default 10000 */
  readonly connectTimeoutMs?: number;
  /** Time allowed for response headers, and between body chunks. @default 30000 */
  readonly requestTimeoutMs?: number;
  /** Page size for list calls that walk every page. @default 100 */
  readonly pageSize?: number;
  /** Receives one line per retry. Lines never carry credentials or secrets. */
  readonly log?: (line: string) => void;
  /**
   * The client-side rate limit every request (retries included) passes: at most `limit` requests in any `windowMs`.
   * Share one between clients that use the same credential. `false` turns it off.
   * @default PlanetScale's 600 requests per minute
   */
  readonly rateLimit?: SlidingWindow | false;
  /** Most connections open to the API at once. @default 16 */
  readonly connections?: number;
}

/** One API call: the route, its parameters, what it is called in messages, and how to check the answer. */
export interface Call<T> {
  readonly endpoint: Endpoint;
  /** Path parameters other than the organization. */
  readonly params?: Readonly<Record<string, string>>;
  readonly context: OperationContext;
  /** Validates a 2xx body; without one, the body is not read as JSON and the call resolves to undefined. */
  readonly check?: ResponseCheck<T>;
  readonly query?: Record<string, string | number | undefined>;
  readonly body?: unknown;
}

/**
 * Sends calls from the endpoint table (endpoints.ts) to the API of one organization, on undici. Retries what is safe
 * to retry (see retry-policy.ts), validates every response body, and reports failures as one error class whose
 * message names the operation and its scope. Credentials are only ever placed in the Authorization header; undici's
 * redirect handling drops that header when a redirect leads to another origin.
 */
export class Transport {
  readonly baseUrl: string;
  /** How messages speak of the credential, and which kind it is. */
  readonly credential: CredentialInMessages;
  /** The id of the service token the transport authenticates with; undefined for an OAuth access token. */
  readonly serviceTokenId: string | undefined;
  /** API calls made (each counted once, however many times it was retried; each page of a list once). */
  calls = 0;
  /** The API's clock as of the last answer (its Date header), and our clock then. */
  private serverDate: { readonly server: number; readonly local: number } | undefined;
  private readonly authorization: string;
  private readonly dispatcher: Dispatcher;
  private readonly agent: Agent;

  constructor(
    private readonly organization: string,
    private readonly options: TransportOptions,
  ) {
    this.baseUrl = (options.baseUrl ?? process.env[API_URL_VARIABLE] ?? DEFAULT_API_URL).replace(/\/+$/, '');
    if (!/^https?:\/\/[^/]+/.test(this.baseUrl)) {
      throw new Error(`PlanetScale API URL must be an http(s) URL (check ${API_URL_VARIABLE} or the apiUrl setting)`);
    }
    const credentials = options.credentials ?? credentialsFromEnvironment();
    this.authorization = authorizationHeader(credentials);
    this.credential = { ...describeCredential(credentials), isAccessToken: isAccessToken(credentials) };
    this.serviceTokenId = isAccessToken(credentials) ? undefined : credentials.id;
    const timeout = options.requestTimeoutMs ?? 30_000;
    this.agent = new Agent({
      connect: { timeout: options.connectTimeoutMs ?? 10_000 },
      headersTimeout: timeout,
      bodyTimeout: timeout,
      keepAliveTimeout: 4_000,
      connections: options.connections ?? 16,
    });
    const { limit, windowMs } = PLANETSCALE_RATE_LIMIT;
    const window = options.rateLimit === undefined ? new SlidingWindow(limit, windowMs) : options.rateLimit;
    // Interceptors wrap inside out: the rate limit sits under the retry interceptor, so every attempt takes a slot.
    const limited = window ? [rateLimited(window)] : [];
    this.dispatcher = this.agent.compose(...limited, interceptors.redirect({ maxRedirections: 3 }), interceptors.retry({ throwOnError: false }));
  }

  /**
   * The time by PlanetScale's clock: the Date header of the last answer, moved on by the time passed since. Expiry is
   * judged by it, so a CI machine whose clock is off neither renews too early nor too late. Our own clock until the
   * API has answered.
   */
  now(): Date {
    return this.serverDate ? new Date(this.serverDate.server + (Date.now() - this.serverDate.local)) : new Date();
  }

  /** Closes pooled connections. */
  async close(): Promise<void> {
    await this.agent.close();
  }

  /** Every item of a paged list, page after page until `next_page` is null; a page sent twice is an error. */
  async listAll<T>(call: Call<ListPage<T>>): Promise<T[]> {
    const items: T[] = [];
    const seen = new Set<number>();
    let page: number | null = 1;
    while (page !== null) {
      if (seen.has(page)) {
        throw new UnexpectedResponseError(`${describeOperation(call.context)}: the API sent page ${page} twice (pagination loop)`);
      }
      seen.add(page);
      const body: ListPage<T> = await this.send({ ...call, query: { ...call.query, page, per_page: this.options.pageSize ?? 100 } });
      items.push(...body.data);
      page = body.next_page ?? null;
    }
    return items;
  }

  /** Sends one call (retrying as retry-policy.ts allows) and answers its checked body. */
  async send<T>(call: Call<T>): Promise<T> {
    this.calls += 1;
    const url = new URL(this.baseUrl + endpointPath(call.endpoint, { organization: this.organization, ...call.params }));
    for (const [key, value] of Object.entries(call.query ?? {})) {
      if (value !== undefined && value !== '') url.searchParams.set(key, String(value));
    }
    const method = call.endpoint.method;
    // POST either creates or changes state non-idempotently: only retried when the server provably did not act.
    const repeatable = method !== 'POST';
    const onRetry = this.options.log
      ? ({ attempt, delayMs, reason }: { attempt: number; delayMs: number; reason: string }) =>
        this.options.log!(`${describeOperation(call.context)}: ${reason}, retrying in ${(delayMs / 1000).toFixed(1)}s (attempt ${attempt})`)
      : undefined;
    let response: Dispatcher.ResponseData;
    try {
      response = await this.dispatcher.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method,
        headers: {
          'authorization': this.authorization,
          'accept': 'application/json',
          'user-agent': 'cdktf-planetscale-credentials',
          ...(call.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: call.body !== undefined ? JSON.stringify(call.body) : undefined,
        retryOptions: { retry: retryDecision(this.options.retry ?? {}, repeatable, onRetry) },
      } as Dispatcher.RequestOptions);
    } catch (error) {
      throw transportError(error, call, repeatable);
    }
    const date = Date.parse(String(response.headers.date ?? ''));
    if (!Number.isNaN(date)) this.serverDate = { server: date, local: Date.now() };
    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      throw transportError(error, call, repeatable);
    }
    if (response.statusCode >= 200 && response.statusCode < 300) {
      if (!call.check) return undefined as T;
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new UnexpectedResponseError(`${describeOperation(call.context)}: the API answered ${response.statusCode} with a body that is not JSON`);
      }
      return call.check(json, describeOperation(call.context));
    }
    throw statusError(response.statusCode, text, call, this.credential);
  }
}

/** A call that got no answer: unknown outcome when it may have changed something, else a connection failure. */
function transportError(error: unknown, call: Call<unknown>, repeatable: boolean): Error {
  const code = (error as { code?: string }).code ?? 'unknown error';
  if (!repeatable && LOST_RESPONSE_ERROR_CODES.includes(code)) {
    return new OutcomeUnknownError(call.context, code);
  }
  return new ConnectionError(call.context, code);
}
