// undici is a devDependency: everything that loads this module ships bundled (scripts/bundle.ts), undici inside.
// eslint-disable-next-line import/no-extraneous-dependencies
import { Agent, interceptors, type Dispatcher } from 'undici';
import { authorizationHeader, credentialsFromEnvironment, describeCredential, isAccessToken, type PlanetScaleCredentials } from './credentials';
import { ENDPOINTS, describeAccesses, describeScopes, endpointPath, isBranchRequirement, type BranchKind, type Endpoint, type Operation } from './endpoints';
import { parseErrorBody } from './error-body';
import {
  ConnectionError,
  describeOperation,
  OutcomeUnknownError,
  PlanetScaleApiError,
  UnexpectedResponseError,
  type OperationContext,
} from './errors';
import { PLANETSCALE_RATE_LIMIT, SlidingWindow } from './rate-limit';
import { responses, type ResponseCheck } from './response-schemas';
import { LOST_RESPONSE_ERROR_CODES, retryDecision, type RetryPolicyOptions } from './retry-policy';
import type {
  Branch,
  CreatedPassword,
  CreatedServiceToken,
  CreatePasswordRequest,
  CreateServiceTokenRequest,
  Database,
  Organization,
  Password,
  PostgresIpRule,
  PostgresIpRuleRequest,
  OrganizationServiceToken,
  ServiceTokenAccess,
  ServiceTokenAccessRequest,
  ServiceTokenGrant,
  UpdatePasswordRequest,
  CreatedPostgresRole,
  CreateRoleRequest,
  PostgresRole,
  UpdateRoleRequest,
} from './types';

export const API_URL_VARIABLE = 'PLANETSCALE_API_URL';
export const DEFAULT_API_URL = 'https://api.planetscale.com/v1';

export interface PlanetScaleClientOptions {
  /** The organization every call is made in. */
  readonly organization: string;
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

interface Call<T> {
  readonly endpoint: Endpoint;
  /** Path parameters other than the organization. */
  readonly params?: Readonly<Record<string, string>>;
  readonly context: OperationContext;
  readonly check?: ResponseCheck<T>;
  readonly query?: Record<string, string | number | undefined>;
  readonly body?: unknown;
}

type Page<T> = { next_page: number | null; data: T[] };

/**
 * Passes every event on to `handler`, and frees the request's rate-limit slot (`SlidingWindow.take`) when the answer
 * starts or the request fails. The handler it wraps is undici's redirect handler (the interceptor below it), which
 * speaks the current handler interface.
 */
class AnsweredHandler implements Dispatcher.DispatchHandler {
  constructor(
    private readonly handler: Dispatcher.DispatchHandler,
    private readonly answered: () => void,
  ) {}

  onRequestStart(...args: Parameters<NonNullable<Dispatcher.DispatchHandler['onRequestStart']>>) {
    this.handler.onRequestStart?.(...args);
  }

  onRequestUpgrade(...args: Parameters<NonNullable<Dispatcher.DispatchHandler['onRequestUpgrade']>>) {
    this.handler.onRequestUpgrade?.(...args);
  }

  onResponseStart(...args: Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseStart']>>) {
    this.answered();
    this.handler.onResponseStart?.(...args);
  }

  onResponseData(...args: Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseData']>>) {
    this.handler.onResponseData?.(...args);
  }

  onResponseEnd(...args: Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseEnd']>>) {
    this.handler.onResponseEnd?.(...args);
  }

  onResponseError(...args: Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseError']>>) {
    this.answered();
    this.handler.onResponseError?.(...args);
  }
}

/** An undici interceptor that sends each request only when the window has room for it, and holds its slot until answered. */
function rateLimited(window: SlidingWindow): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (options, handler) => {
    void window
      .take()
      .then((answered) => dispatch(options, new AnsweredHandler(handler, answered)))
      // Dispatching after the wait cannot throw to the caller any more: the failure goes where undici sends failures.
      .catch((error: Error) => handler.onResponseError?.(undefined as never, error));
    return true;
  };
}

/**
 * Typed PlanetScale API client on undici. Routes come from the endpoint table (endpoints.ts), shared with the
 * emulator. Retries what is safe to retry (see retry-policy.ts), validates every response body, and reports failures
 * as one error class whose message names the operation and its scope. Credentials are only ever placed in the
 * Authorization header; undici's redirect handling drops that header when a redirect leads to another origin.
 */
export class PlanetScaleClient {
  readonly organization: string;
  readonly baseUrl: string;
  /** Whether the client authenticates with an OAuth access token (else a service token). */
  readonly usesAccessToken: boolean;
  /** The id of the service token the client authenticates with; undefined for an OAuth access token. */
  readonly serviceTokenId: string | undefined;
  /** API calls made (each counted once, however many times it was retried). */
  calls = 0;
  /** The API's clock as of the last answer (its Date header), and our clock then. */
  private serverDate: { readonly server: number; readonly local: number } | undefined;
  private readonly authorization: string;
  private readonly credentialNoun: { noun: string; variables: string };
  private readonly dispatcher: Dispatcher;
  private readonly agent: Agent;
  private readonly options: PlanetScaleClientOptions;

  constructor(options: PlanetScaleClientOptions) {
    this.options = options;
    this.organization = options.organization;
    this.baseUrl = (options.baseUrl ?? process.env[API_URL_VARIABLE] ?? DEFAULT_API_URL).replace(/\/+$/, '');
    if (!/^https?:\/\/[^/]+/.test(this.baseUrl)) {
      throw new Error(`PlanetScale API URL must be an http(s) URL (check ${API_URL_VARIABLE} or the apiUrl setting)`);
    }
    const credentials = options.credentials ?? credentialsFromEnvironment();
    this.authorization = authorizationHeader(credentials);
    this.credentialNoun = describeCredential(credentials);
    this.usesAccessToken = isAccessToken(credentials);
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

  // ---- scope -------------------------------------------------------------------------------------------------

  getOrganization(): Promise<Organization> {
    return this.send({ endpoint: ENDPOINTS.get_organization, context: this.context('get organization'), check: responses.organization });
  }

  listDatabases(): Promise<Database[]> {
    return this.listAll({ endpoint: ENDPOINTS.list_databases, context: this.context('list databases'), check: responses.databasePage });
  }

  getDatabase(database: string): Promise<Database> {
    return this.send({ endpoint: ENDPOINTS.get_database, params: { database }, context: this.context('get database', database), check: responses.database });
  }

  listBranches(database: string): Promise<Branch[]> {
    return this.listAll({
      endpoint: ENDPOINTS.list_branches,
      params: { database },
      context: this.context('list branches', database),
      check: responses.branchPage,
    });
  }

  getBranch(database: string, branch: string): Promise<Branch> {
    return this.send({
      endpoint: ENDPOINTS.get_branch,
      params: { database, branch },
      context: this.context('get branch', database, branch),
      check: responses.branch,
    });
  }

  // ---- branch passwords --------------------------------------------------------------------------------------

  /** Every password on the branch (all pages); `q` filters by name as the API does (substring). */
  listPasswords(database: string, branch: string, query: { q?: string } = {}): Promise<Password[]> {
    return this.listAll({
      endpoint: ENDPOINTS.list_passwords,
      params: { database, branch },
      context: this.context('list passwords', database, branch),
      check: responses.passwordPage,
      query: { q: query.q },
    });
  }

  getPassword(database: string, branch: string, id: string): Promise<Password> {
    return this.send({
      endpoint: ENDPOINTS.get_password,
      params: { database, branch, id },
      context: this.context(`get password ${id}`, database, branch),
      check: responses.password,
    });
  }

  /** Creates a password; the result is the only place its `plain_text` ever appears. */
  createPassword(database: string, branch: string, request: CreatePasswordRequest): Promise<CreatedPassword> {
    return this.send({
      endpoint: ENDPOINTS.create_password,
      params: { database, branch },
      context: this.context('create password', database, branch),
      check: responses.createdPassword,
      body: request,
    });
  }

  /** Changes name and/or CIDRs; the API fixes every other field at creation. */
  updatePassword(database: string, branch: string, id: string, request: UpdatePasswordRequest): Promise<Password> {
    return this.send({
      endpoint: ENDPOINTS.update_password,
      params: { database, branch, id },
      context: this.context(`update password ${id}`, database, branch),
      check: responses.password,
      body: request,
    });
  }

  deletePassword(database: string, branch: string, id: string): Promise<void> {
    return this.send({
      endpoint: ENDPOINTS.delete_password,
      params: { database, branch, id },
      context: this.context(`delete password ${id}`, database, branch),
    });
  }

  renewPassword(database: string, branch: string, id: string): Promise<Password> {
    return this.send({
      endpoint: ENDPOINTS.renew_password,
      params: { database, branch, id },
      context: this.context(`renew password ${id}`, database, branch),
      check: responses.password,
    });
  }

  // ---- Postgres branch roles ---------------------------------------------------------------------------------

  /** Every role on the branch (all pages), the default role included; `q` searches names and usernames. */
  listRoles(database: string, branch: string, query: { q?: string } = {}): Promise<PostgresRole[]> {
    return this.listAll({
      endpoint: ENDPOINTS.list_roles,
      params: { database, branch },
      context: this.context('list roles', database, branch),
      check: responses.rolePage,
      query: { q: query.q },
    });
  }

  /** Creates a role (200, as the OpenAPI description says); the result is the only place its `password` appears. */
  createRole(database: string, branch: string, request: CreateRoleRequest): Promise<CreatedPostgresRole> {
    return this.send({
      endpoint: ENDPOINTS.create_role,
      params: { database, branch },
      context: this.context('create role', database, branch),
      check: responses.createdRole,
      body: request,
    });
  }

  /** Renames a role: the only field besides query-safety settings that PATCH changes. */
  updateRole(database: string, branch: string, id: string, request: UpdateRoleRequest): Promise<PostgresRole> {
    return this.send({
      endpoint: ENDPOINTS.update_role,
      params: { database, branch, id },
      context: this.context(`update role ${id}`, database, branch),
      check: responses.role,
      body: request,
    });
  }

  /**
   * Drops a role, reassigning the objects it owns to `successor` (a role id, or a username with or without the branch
   * suffix). The OpenAPI description takes `successor` as a query parameter; PlanetScale's Go SDK sends it in a JSON
   * body (planetscale-go postgres_roles.go DeleteRoleRequest, commit 18057f9): both are sent, so either reading
   * reassigns instead of refusing (or, worse, dropping).
   */
  deleteRole(database: string, branch: string, id: string, successor: string): Promise<void> {
    return this.send({
      endpoint: ENDPOINTS.delete_role,
      params: { database, branch, id },
      context: this.context(`delete role ${id}`, database, branch),
      query: { successor },
      body: { successor },
    });
  }

  /** Renews a role: a full TTL again from now, same password (planetscale-go commit c90732c). */
  renewRole(database: string, branch: string, id: string): Promise<PostgresRole> {
    return this.send({
      endpoint: ENDPOINTS.renew_role,
      params: { database, branch, id },
      context: this.context(`renew role ${id}`, database, branch),
      check: responses.role,
    });
  }

  // ---- service tokens ----------------------------------------------------------------------------------------

  listServiceTokens(): Promise<OrganizationServiceToken[]> {
    return this.listAll({ endpoint: ENDPOINTS.list_service_tokens, context: this.context('list service tokens'), check: responses.serviceTokenPage });
  }

  getServiceToken(id: string): Promise<OrganizationServiceToken> {
    return this.send({
      endpoint: ENDPOINTS.get_service_token,
      params: { id },
      context: this.context(`get service token ${id}`),
      check: responses.serviceToken,
    });
  }

  /** Creates a service token; the result is the only place its `token` value ever appears. */
  createServiceToken(request: CreateServiceTokenRequest): Promise<CreatedServiceToken> {
    return this.send({
      endpoint: ENDPOINTS.create_service_token,
      context: this.context('create service token'),
      check: responses.createdServiceToken,
      body: request,
    });
  }

  deleteServiceToken(id: string): Promise<void> {
    return this.send({ endpoint: ENDPOINTS.delete_service_token, params: { id }, context: this.context(`delete service token ${id}`) });
  }

  /** The token's accesses, one item per access (all pages), in either shape the API has used (see response-schemas.ts). */
  async getServiceTokenAccesses(id: string): Promise<ServiceTokenAccess[]> {
    return this.listAll({
      endpoint: ENDPOINTS.get_service_token_accesses,
      params: { id },
      context: this.context(`get service token ${id} accesses`),
      check: responses.accessPage,
    });
  }

  /**
   * Adds accesses on one database, or on the organization when `database` is omitted or empty: the request then
   * carries `"database": ""`, as PlanetScale's SDK sends it (AddServiceTokenAccessRequest has no omitempty).
   */
  async addServiceTokenAccess(id: string, request: ServiceTokenAccessRequest): Promise<ServiceTokenAccess[]> {
    const body = await this.send({
      endpoint: ENDPOINTS.add_service_token_accesses,
      params: { id },
      context: this.context(`add service token ${id} access`, request.database || undefined),
      check: responses.accessList,
      body: { database: request.database ?? '', access: request.access },
    });
    return body.data;
  }

  deleteServiceTokenAccess(id: string, request: ServiceTokenAccessRequest): Promise<void> {
    return this.send({
      endpoint: ENDPOINTS.delete_service_token_accesses,
      params: { id },
      context: this.context(`delete service token ${id} access`, request.database || undefined),
      body: { database: request.database ?? '', access: request.access },
    });
  }

  /**
   * The token's grants, one item per resource with its accesses (all pages). PlanetScale's CLI reads grants here
   * rather than from /access because this "properly returns all of the databases a service token has access to and
   * their grants" (planetscale/cli PR #583).
   */
  getServiceTokenGrants(id: string): Promise<ServiceTokenGrant[]> {
    return this.listAll({
      endpoint: ENDPOINTS.get_service_token_grants,
      params: { id },
      context: this.context(`get service token ${id} grants`),
      check: responses.grantPage,
    });
  }

  // ---- Postgres database IP rules ----------------------------------------------------------------------------

  listPostgresIpRules(database: string): Promise<PostgresIpRule[]> {
    return this.listAll({
      endpoint: ENDPOINTS.list_database_postgres_cidrs,
      params: { database },
      context: this.context('list IP rules', database),
      check: responses.ipRulePage,
    });
  }

  getPostgresIpRule(database: string, id: string): Promise<PostgresIpRule> {
    return this.send({
      endpoint: ENDPOINTS.get_database_postgres_cidr,
      params: { database, id },
      context: this.context(`get IP rule ${id}`, database),
      check: responses.ipRule,
    });
  }

  createPostgresIpRule(database: string, request: PostgresIpRuleRequest): Promise<PostgresIpRule> {
    return this.send({
      endpoint: ENDPOINTS.create_database_postgres_cidr,
      params: { database },
      context: this.context('create IP rule', database),
      check: responses.ipRule,
      body: request,
    });
  }

  updatePostgresIpRule(database: string, id: string, request: PostgresIpRuleRequest): Promise<PostgresIpRule> {
    return this.send({
      endpoint: ENDPOINTS.update_database_postgres_cidr,
      params: { database, id },
      context: this.context(`update IP rule ${id}`, database),
      check: responses.ipRule,
      body: request,
    });
  }

  deletePostgresIpRule(database: string, id: string): Promise<void> {
    return this.send({ endpoint: ENDPOINTS.delete_database_postgres_cidr, params: { database, id }, context: this.context(`delete IP rule ${id}`, database) });
  }

  // ---- plumbing ----------------------------------------------------------------------------------------------

  private context(operation: string, database?: string, branch?: string): OperationContext {
    return { operation, organization: this.organization, database, branch };
  }

  private async listAll<T>(call: Call<Page<T>>): Promise<T[]> {
    const items: T[] = [];
    const seen = new Set<number>();
    let page: number | null = 1;
    while (page !== null) {
      if (seen.has(page)) {
        throw new UnexpectedResponseError(`${describeOperation(call.context)}: the API sent page ${page} twice (pagination loop)`);
      }
      seen.add(page);
      const body: Page<T> = await this.send({ ...call, query: { ...call.query, page, per_page: this.options.pageSize ?? 100 } });
      items.push(...body.data);
      page = body.next_page ?? null;
    }
    return items;
  }

  private async send<T>(call: Call<T>): Promise<T> {
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
      throw this.transportError(error, call, repeatable);
    }
    const date = Date.parse(String(response.headers.date ?? ''));
    if (!Number.isNaN(date)) this.serverDate = { server: date, local: Date.now() };
    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      throw this.transportError(error, call, repeatable);
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
    throw this.statusError(response.statusCode, text, call);
  }

  private transportError(error: unknown, call: Call<unknown>, repeatable: boolean): Error {
    const code = (error as { code?: string }).code ?? 'unknown error';
    if (!repeatable && LOST_RESPONSE_ERROR_CODES.includes(code)) {
      return new OutcomeUnknownError(call.context, code);
    }
    return new ConnectionError(call.context, code);
  }

  /**
   * What this client's credential needs for an operation, for advice in messages: "delete_branch_password
   * (development branch) on database shop", or the OAuth scopes for an access token. With the branch kind, only
   * that kind's access is named.
   */
  describeNeeds(operation: Operation, scope: { database?: string; kind?: BranchKind } = {}): string {
    return this.needs(ENDPOINTS[operation], scope.database, scope.kind);
  }

  /** The credential's name in messages: "service token" or "OAuth access token". */
  get credentialName(): string {
    return this.credentialNoun.noun;
  }

  private needs(endpoint: Endpoint, database: string | undefined, kind?: BranchKind): string {
    const where = database ? `on database ${database}` : 'on the organization';
    if (this.usesAccessToken) return describeScopes(endpoint, kind);
    const accesses = describeAccesses(endpoint, kind);
    if (isBranchRequirement(endpoint.requires) && !kind) return `${accesses} (${where})`;
    return kind || !accesses.includes(',') ? `${accesses} ${where}` : `one of these accesses ${where}: ${accesses}`;
  }

  private statusError(status: number, text: string, call: Call<unknown>): PlanetScaleApiError {
    const { code, message } = parseErrorBody(text);
    const what = describeOperation(call.context);
    const said = message ? `: ${message}` : '';
    const { noun, variables } = this.credentialNoun;
    let advice = '';
    if (status === 401) {
      advice = `; check ${variables} (wrong value, expired or deleted ${noun})`;
    } else if (status === 403) {
      advice = `; the ${noun} needs ${this.needs(call.endpoint, call.context.database)}`;
    } else if (status === 404) {
      // The API answers 404, not 403, when the credential lacks the access (planetscale/cli PR #1067: "a 404 generally
      // means the token does not have access to the resource"); so a 404 never proves that something is absent.
      advice = `; not found, or the ${noun} lacks the access it needs: ${this.needs(call.endpoint, call.context.database)}`;
    } else if (status === 429) {
      advice = '; rate limited (600 requests per minute) and retries ran out';
    }
    return new PlanetScaleApiError(`${what} failed with HTTP ${status}${code ? ` (${code})` : ''}${said}${advice}`, status, code, call.context, message);
  }
}
