import { Agent, interceptors, type Dispatcher } from 'undici';
import { authorizationHeader, credentialsFromEnvironment, TOKEN_ID_VARIABLE, TOKEN_VARIABLE, type ServiceTokenCredentials } from './credentials';
import { parseErrorBody } from './error-body';
import {
  ConnectionError,
  describeOperation,
  OutcomeUnknownError,
  PlanetScaleApiError,
  UnexpectedResponseError,
  type OperationContext,
} from './errors';
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
} from './types';

export const API_URL_VARIABLE = 'PLANETSCALE_API_URL';
export const DEFAULT_API_URL = 'https://api.planetscale.com/v1';

export interface PlanetScaleClientOptions {
  /** The organization every call is made in. */
  readonly organization: string;
  /** API base URL. @default $PLANETSCALE_API_URL, else https://api.planetscale.com/v1 */
  readonly baseUrl?: string;
  /** Service token. @default read from PLANETSCALE_SERVICE_TOKEN_ID / PLANETSCALE_SERVICE_TOKEN */
  readonly credentials?: ServiceTokenCredentials;
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
}

interface Call<T> {
  readonly method: Dispatcher.HttpMethod;
  readonly path: string;
  readonly context: OperationContext;
  /** Accesses the spec lists for this route; one of them is needed (named in 403 messages). */
  readonly accesses: readonly string[];
  readonly check?: ResponseCheck<T>;
  readonly query?: Record<string, string | number | undefined>;
  readonly body?: unknown;
}

const BRANCH_READ = ['read_branch', 'delete_branch', 'create_branch', 'connect_production_branch', 'connect_branch'];
const PASSWORD_READ = [...BRANCH_READ, 'connect_production_read_only_branch'];
const PASSWORD_WRITE = ['connect_production_branch', 'connect_production_read_only_branch', 'connect_branch'];
const PASSWORD_DELETE = ['delete_production_branch_password', 'delete_production_read_only_branch_password', 'delete_branch_password'];
const DATABASE_READ = ['read_database', 'read_branch', 'connect_branch', 'create_branch', 'write_database'];
const TOKEN_ACCESS_WRITE = ['write_service_tokens'];

const segment = encodeURIComponent;

/**
 * Typed PlanetScale API client on undici. Retries what is safe to retry (see retry-policy.ts), validates every
 * response body, and reports failures as one error class whose message names the operation and its scope.
 * Credentials are only ever placed in the Authorization header; undici's redirect handling drops that header
 * when a redirect leads to another origin.
 */
export class PlanetScaleClient {
  readonly organization: string;
  readonly baseUrl: string;
  private readonly authorization: string;
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
    this.authorization = authorizationHeader(options.credentials ?? credentialsFromEnvironment());
    const timeout = options.requestTimeoutMs ?? 30_000;
    this.agent = new Agent({
      connect: { timeout: options.connectTimeoutMs ?? 10_000 },
      headersTimeout: timeout,
      bodyTimeout: timeout,
      keepAliveTimeout: 4_000,
    });
    this.dispatcher = this.agent.compose(interceptors.redirect({ maxRedirections: 3 }), interceptors.retry({ throwOnError: false }));
  }

  /** Closes pooled connections. */
  async close(): Promise<void> {
    await this.agent.close();
  }

  // ---- scope -------------------------------------------------------------------------------------------------

  getOrganization(): Promise<Organization> {
    return this.send({
      method: 'GET',
      path: this.orgPath(),
      context: this.context('get organization'),
      accesses: ['read_organization'],
      check: responses.organization,
    });
  }

  listDatabases(): Promise<Database[]> {
    return this.listAll(`${this.orgPath()}/databases`, this.context('list databases'), DATABASE_READ, responses.databasePage);
  }

  getDatabase(database: string): Promise<Database> {
    return this.send({
      method: 'GET',
      path: this.databasePath(database),
      context: this.context('get database', database),
      accesses: DATABASE_READ,
      check: responses.database,
    });
  }

  listBranches(database: string): Promise<Branch[]> {
    return this.listAll(`${this.databasePath(database)}/branches`, this.context('list branches', database), BRANCH_READ, responses.branchPage);
  }

  getBranch(database: string, branch: string): Promise<Branch> {
    return this.send({
      method: 'GET',
      path: this.branchPath(database, branch),
      context: this.context('get branch', database, branch),
      accesses: BRANCH_READ,
      check: responses.branch,
    });
  }

  // ---- branch passwords --------------------------------------------------------------------------------------

  /** Every password on the branch (all pages); `q` filters by name as the API does (substring). */
  listPasswords(database: string, branch: string, query: { q?: string } = {}): Promise<Password[]> {
    return this.listAll(
      `${this.branchPath(database, branch)}/passwords`,
      this.context('list passwords', database, branch),
      PASSWORD_READ,
      responses.passwordPage,
      { q: query.q },
    );
  }

  getPassword(database: string, branch: string, id: string): Promise<Password> {
    return this.send({
      method: 'GET',
      path: this.passwordPath(database, branch, id),
      context: this.context(`get password ${id}`, database, branch),
      accesses: PASSWORD_READ,
      check: responses.password,
    });
  }

  /** Creates a password; the result is the only place its `plain_text` ever appears. */
  createPassword(database: string, branch: string, request: CreatePasswordRequest): Promise<CreatedPassword> {
    return this.send({
      method: 'POST',
      path: `${this.branchPath(database, branch)}/passwords`,
      context: this.context('create password', database, branch),
      accesses: PASSWORD_WRITE,
      check: responses.createdPassword,
      body: request,
    });
  }

  /** Changes name and/or CIDRs; the API fixes every other field at creation. */
  updatePassword(database: string, branch: string, id: string, request: UpdatePasswordRequest): Promise<Password> {
    return this.send({
      method: 'PATCH',
      path: this.passwordPath(database, branch, id),
      context: this.context(`update password ${id}`, database, branch),
      accesses: PASSWORD_WRITE,
      check: responses.password,
      body: request,
    });
  }

  deletePassword(database: string, branch: string, id: string): Promise<void> {
    return this.send({
      method: 'DELETE',
      path: this.passwordPath(database, branch, id),
      context: this.context(`delete password ${id}`, database, branch),
      accesses: PASSWORD_DELETE,
    });
  }

  renewPassword(database: string, branch: string, id: string): Promise<Password> {
    return this.send({
      method: 'POST',
      path: `${this.passwordPath(database, branch, id)}/renew`,
      context: this.context(`renew password ${id}`, database, branch),
      accesses: PASSWORD_WRITE,
      check: responses.password,
    });
  }

  // ---- service tokens ----------------------------------------------------------------------------------------

  listServiceTokens(): Promise<OrganizationServiceToken[]> {
    return this.listAll(`${this.orgPath()}/service-tokens`, this.context('list service tokens'), ['read_service_tokens'], responses.serviceTokenPage);
  }

  getServiceToken(id: string): Promise<OrganizationServiceToken> {
    return this.send({
      method: 'GET',
      path: this.tokenPath(id),
      context: this.context(`get service token ${id}`),
      accesses: ['read_service_tokens'],
      check: responses.serviceToken,
    });
  }

  /** Creates a service token; the result is the only place its `token` value ever appears. */
  createServiceToken(request: CreateServiceTokenRequest): Promise<CreatedServiceToken> {
    return this.send({
      method: 'POST',
      path: `${this.orgPath()}/service-tokens`,
      context: this.context('create service token'),
      accesses: ['write_service_tokens'],
      check: responses.createdServiceToken,
      body: request,
    });
  }

  deleteServiceToken(id: string): Promise<void> {
    return this.send({
      method: 'DELETE',
      path: this.tokenPath(id),
      context: this.context(`delete service token ${id}`),
      accesses: ['delete_service_tokens'],
    });
  }

  async getServiceTokenAccesses(id: string): Promise<ServiceTokenAccess[]> {
    const body = await this.send({
      method: 'GET',
      path: `${this.tokenPath(id)}/access`,
      context: this.context(`get service token ${id} accesses`),
      accesses: ['read_service_tokens'],
      check: responses.accessList,
    });
    return body.data;
  }

  async addServiceTokenAccess(id: string, request: ServiceTokenAccessRequest): Promise<ServiceTokenAccess[]> {
    const body = await this.send({
      method: 'POST',
      path: `${this.tokenPath(id)}/access`,
      context: this.context(`add service token ${id} access`, request.database),
      accesses: TOKEN_ACCESS_WRITE,
      check: responses.accessList,
      body: request,
    });
    return body.data;
  }

  deleteServiceTokenAccess(id: string, request: ServiceTokenAccessRequest): Promise<void> {
    return this.send({
      method: 'DELETE',
      path: `${this.tokenPath(id)}/access`,
      context: this.context(`delete service token ${id} access`, request.database),
      accesses: TOKEN_ACCESS_WRITE,
      body: request,
    });
  }

  async getServiceTokenGrants(id: string): Promise<ServiceTokenGrant[]> {
    const body = await this.send({
      method: 'GET',
      path: `${this.tokenPath(id)}/grants`,
      context: this.context(`get service token ${id} grants`),
      accesses: ['read_service_tokens'],
      check: responses.grantList,
    });
    return body.data;
  }

  // ---- Postgres database IP rules ----------------------------------------------------------------------------

  listPostgresIpRules(database: string): Promise<PostgresIpRule[]> {
    return this.listAll(`${this.databasePath(database)}/cidrs`, this.context('list IP rules', database), ['read_database', 'read_databases'], responses.ipRulePage);
  }

  getPostgresIpRule(database: string, id: string): Promise<PostgresIpRule> {
    return this.send({
      method: 'GET',
      path: `${this.databasePath(database)}/cidrs/${segment(id)}`,
      context: this.context(`get IP rule ${id}`, database),
      accesses: ['read_database', 'read_databases'],
      check: responses.ipRule,
    });
  }

  createPostgresIpRule(database: string, request: PostgresIpRuleRequest): Promise<PostgresIpRule> {
    return this.send({
      method: 'POST',
      path: `${this.databasePath(database)}/cidrs`,
      context: this.context('create IP rule', database),
      accesses: ['write_database'],
      check: responses.ipRule,
      body: request,
    });
  }

  updatePostgresIpRule(database: string, id: string, request: PostgresIpRuleRequest): Promise<PostgresIpRule> {
    return this.send({
      method: 'PATCH',
      path: `${this.databasePath(database)}/cidrs/${segment(id)}`,
      context: this.context(`update IP rule ${id}`, database),
      accesses: ['write_database'],
      check: responses.ipRule,
      body: request,
    });
  }

  deletePostgresIpRule(database: string, id: string): Promise<void> {
    return this.send({
      method: 'DELETE',
      path: `${this.databasePath(database)}/cidrs/${segment(id)}`,
      context: this.context(`delete IP rule ${id}`, database),
      accesses: ['write_database'],
    });
  }

  // ---- plumbing ----------------------------------------------------------------------------------------------

  private context(operation: string, database?: string, branch?: string): OperationContext {
    return { operation, organization: this.organization, database, branch };
  }

  private orgPath(): string {
    return `/organizations/${segment(this.organization)}`;
  }

  private databasePath(database: string): string {
    return `${this.orgPath()}/databases/${segment(database)}`;
  }

  private branchPath(database: string, branch: string): string {
    return `${this.databasePath(database)}/branches/${segment(branch)}`;
  }

  private passwordPath(database: string, branch: string, id: string): string {
    return `${this.branchPath(database, branch)}/passwords/${segment(id)}`;
  }

  private tokenPath(id: string): string {
    return `${this.orgPath()}/service-tokens/${segment(id)}`;
  }

  private async listAll<T>(
    path: string,
    context: OperationContext,
    accesses: readonly string[],
    check: ResponseCheck<{ next_page: number | null; data: T[] }>,
    query: Record<string, string | undefined> = {},
  ): Promise<T[]> {
    const items: T[] = [];
    const seen = new Set<number>();
    let page: number | null = 1;
    while (page !== null) {
      if (seen.has(page)) {
        throw new UnexpectedResponseError(`${describeOperation(context)}: the API sent page ${page} twice (pagination loop)`);
      }
      seen.add(page);
      const body: { next_page: number | null; data: T[] } = await this.send({
        method: 'GET',
        path,
        context,
        accesses,
        check,
        query: { ...query, page, per_page: this.options.pageSize ?? 100 },
      });
      items.push(...body.data);
      page = body.next_page;
    }
    return items;
  }

  private async send<T>(call: Call<T>): Promise<T> {
    const url = new URL(this.baseUrl + call.path);
    for (const [key, value] of Object.entries(call.query ?? {})) {
      if (value !== undefined && value !== '') url.searchParams.set(key, String(value));
    }
    // POST either creates or changes state non-idempotently: only retried when the server provably did not act.
    const repeatable = call.method !== 'POST';
    const onRetry = this.options.log
      ? ({ attempt, delayMs, reason }: { attempt: number; delayMs: number; reason: string }) =>
        this.options.log!(`${describeOperation(call.context)}: ${reason}, retrying in ${(delayMs / 1000).toFixed(1)}s (attempt ${attempt})`)
      : undefined;
    let response: Dispatcher.ResponseData;
    try {
      response = await this.dispatcher.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: call.method,
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

  private statusError(status: number, text: string, call: Call<unknown>): PlanetScaleApiError {
    const { code, message } = parseErrorBody(text);
    const what = describeOperation(call.context);
    const said = message ? `: ${message}` : '';
    let advice = '';
    if (status === 401) {
      advice = `; check ${TOKEN_ID_VARIABLE} and ${TOKEN_VARIABLE} (wrong pair, expired or deleted token)`;
    } else if (status === 403) {
      const where = call.context.database ? `on database ${call.context.database}` : 'on the organization';
      advice = `; the service token needs one of these accesses ${where}: ${call.accesses.join(', ')}`;
    } else if (status === 429) {
      advice = '; rate limited (600 requests per minute) and retries ran out';
    }
    return new PlanetScaleApiError(`${what} failed with HTTP ${status}${code ? ` (${code})` : ''}${said}${advice}`, status, code, call.context);
  }
}
