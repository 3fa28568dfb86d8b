import { ENDPOINTS, type BranchKind, type Operation } from './endpoints';
import type { OperationContext } from './errors';
import { responses } from './response-schemas';
import { describeNeeds } from './status-error';
import { Transport, type TransportOptions } from './transport';
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

export { API_URL_VARIABLE, DEFAULT_API_URL } from './transport';

export interface PlanetScaleClientOptions extends TransportOptions {
  /** The organization every call is made in. */
  readonly organization: string;
}

/**
 * Typed PlanetScale API client: one method per endpoint of the table in endpoints.ts (shared with the emulator), each
 * naming its operation and scope for messages and the schema its answer must match. Sending, retrying, paging and
 * error reporting are the transport's (transport.ts).
 */
export class PlanetScaleClient {
  readonly organization: string;
  readonly baseUrl: string;
  /** Whether the client authenticates with an OAuth access token (else a service token). */
  readonly usesAccessToken: boolean;
  /** The id of the service token the client authenticates with; undefined for an OAuth access token. */
  readonly serviceTokenId: string | undefined;
  private readonly transport: Transport;

  constructor(options: PlanetScaleClientOptions) {
    this.organization = options.organization;
    this.transport = new Transport(options.organization, options);
    this.baseUrl = this.transport.baseUrl;
    this.usesAccessToken = this.transport.credential.isAccessToken;
    this.serviceTokenId = this.transport.serviceTokenId;
  }

  /** API calls made (each counted once, however many times it was retried). */
  get calls(): number {
    return this.transport.calls;
  }

  /**
   * The time by PlanetScale's clock: the Date header of the last answer, moved on by the time passed since. Expiry is
   * judged by it, so a CI machine whose clock is off neither renews too early nor too late. Our own clock until the
   * API has answered.
   */
  now(): Date {
    return this.transport.now();
  }

  /** Closes pooled connections. */
  async close(): Promise<void> {
    await this.transport.close();
  }

  /**
   * What this client's credential needs for an operation, for advice in messages: "delete_branch_password
   * (development branch) on database shop", or the OAuth scopes for an access token. With the branch kind, only
   * that kind's access is named.
   */
  describeNeeds(operation: Operation, scope: { database?: string; kind?: BranchKind } = {}): string {
    return describeNeeds(this.transport.credential, ENDPOINTS[operation], scope.database, scope.kind);
  }

  /** The credential's name in messages: "service token" or "OAuth access token". */
  get credentialName(): string {
    return this.transport.credential.noun;
  }

  // ---- scope -------------------------------------------------------------------------------------------------

  getOrganization(): Promise<Organization> {
    return this.transport.send({ endpoint: ENDPOINTS.get_organization, context: this.context('get organization'), check: responses.organization });
  }

  listDatabases(): Promise<Database[]> {
    return this.transport.listAll({ endpoint: ENDPOINTS.list_databases, context: this.context('list databases'), check: responses.databasePage });
  }

  getDatabase(database: string): Promise<Database> {
    return this.transport.send({ endpoint: ENDPOINTS.get_database, params: { database }, context: this.context('get database', database), check: responses.database });
  }

  listBranches(database: string): Promise<Branch[]> {
    return this.transport.listAll({
      endpoint: ENDPOINTS.list_branches,
      params: { database },
      context: this.context('list branches', database),
      check: responses.branchPage,
    });
  }

  getBranch(database: string, branch: string): Promise<Branch> {
    return this.transport.send({
      endpoint: ENDPOINTS.get_branch,
      params: { database, branch },
      context: this.context('get branch', database, branch),
      check: responses.branch,
    });
  }

  // ---- branch passwords --------------------------------------------------------------------------------------

  /** Every password on the branch (all pages); `q` filters by name as the API does (substring). */
  listPasswords(database: string, branch: string, query: { q?: string } = {}): Promise<Password[]> {
    return this.transport.listAll({
      endpoint: ENDPOINTS.list_passwords,
      params: { database, branch },
      context: this.context('list passwords', database, branch),
      check: responses.passwordPage,
      query: { q: query.q },
    });
  }

  getPassword(database: string, branch: string, id: string): Promise<Password> {
    return this.transport.send({
      endpoint: ENDPOINTS.get_password,
      params: { database, branch, id },
      context: this.context(`get password ${id}`, database, branch),
      check: responses.password,
    });
  }

  /** Creates a password; the result is the only place its `plain_text` ever appears. */
  createPassword(database: string, branch: string, request: CreatePasswordRequest): Promise<CreatedPassword> {
    return this.transport.send({
      endpoint: ENDPOINTS.create_password,
      params: { database, branch },
      context: this.context('create password', database, branch),
      check: responses.createdPassword,
      body: request,
    });
  }

  /** Changes name and/or CIDRs; the API fixes every other field at creation. */
  updatePassword(database: string, branch: string, id: string, request: UpdatePasswordRequest): Promise<Password> {
    return this.transport.send({
      endpoint: ENDPOINTS.update_password,
      params: { database, branch, id },
      context: this.context(`update password ${id}`, database, branch),
      check: responses.password,
      body: request,
    });
  }

  deletePassword(database: string, branch: string, id: string): Promise<void> {
    return this.transport.send({
      endpoint: ENDPOINTS.delete_password,
      params: { database, branch, id },
      context: this.context(`delete password ${id}`, database, branch),
    });
  }

  renewPassword(database: string, branch: string, id: string): Promise<Password> {
    return this.transport.send({
      endpoint: ENDPOINTS.renew_password,
      params: { database, branch, id },
      context: this.context(`renew password ${id}`, database, branch),
      check: responses.password,
    });
  }

  // ---- Postgres branch roles ---------------------------------------------------------------------------------

  /** Every role on the branch (all pages), the default role included; `q` searches names and usernames. */
  listRoles(database: string, branch: string, query: { q?: string } = {}): Promise<PostgresRole[]> {
    return this.transport.listAll({
      endpoint: ENDPOINTS.list_roles,
      params: { database, branch },
      context: this.context('list roles', database, branch),
      check: responses.rolePage,
      query: { q: query.q },
    });
  }

  /** Creates a role (200, as the OpenAPI description says); the result is the only place its `password` appears. */
  createRole(database: string, branch: string, request: CreateRoleRequest): Promise<CreatedPostgresRole> {
    return this.transport.send({
      endpoint: ENDPOINTS.create_role,
      params: { database, branch },
      context: this.context('create role', database, branch),
      check: responses.createdRole,
      body: request,
    });
  }

  /** Renames a role: the only field besides query-safety settings that PATCH changes. */
  updateRole(database: string, branch: string, id: string, request: UpdateRoleRequest): Promise<PostgresRole> {
    return this.transport.send({
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
    return this.transport.send({
      endpoint: ENDPOINTS.delete_role,
      params: { database, branch, id },
      context: this.context(`delete role ${id}`, database, branch),
      query: { successor },
      body: { successor },
    });
  }

  /** Renews a role: a full TTL again from now, same password (planetscale-go commit c90732c). */
  renewRole(database: string, branch: string, id: string): Promise<PostgresRole> {
    return this.transport.send({
      endpoint: ENDPOINTS.renew_role,
      params: { database, branch, id },
      context: this.context(`renew role ${id}`, database, branch),
      check: responses.role,
    });
  }

  // ---- service tokens ----------------------------------------------------------------------------------------

  listServiceTokens(): Promise<OrganizationServiceToken[]> {
    return this.transport.listAll({ endpoint: ENDPOINTS.list_service_tokens, context: this.context('list service tokens'), check: responses.serviceTokenPage });
  }

  getServiceToken(id: string): Promise<OrganizationServiceToken> {
    return this.transport.send({
      endpoint: ENDPOINTS.get_service_token,
      params: { id },
      context: this.context(`get service token ${id}`),
      check: responses.serviceToken,
    });
  }

  /** Creates a service token; the result is the only place its `token` value ever appears. */
  createServiceToken(request: CreateServiceTokenRequest): Promise<CreatedServiceToken> {
    return this.transport.send({
      endpoint: ENDPOINTS.create_service_token,
      context: this.context('create service token'),
      check: responses.createdServiceToken,
      body: request,
    });
  }

  deleteServiceToken(id: string): Promise<void> {
    return this.transport.send({ endpoint: ENDPOINTS.delete_service_token, params: { id }, context: this.context(`delete service token ${id}`) });
  }

  /** The token's accesses, one item per access (all pages), in either shape the API has used (see response-schemas.ts). */
  async getServiceTokenAccesses(id: string): Promise<ServiceTokenAccess[]> {
    return this.transport.listAll({
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
    const body = await this.transport.send({
      endpoint: ENDPOINTS.add_service_token_accesses,
      params: { id },
      context: this.context(`add service token ${id} access`, request.database || undefined),
      check: responses.accessList,
      body: { database: request.database ?? '', access: request.access },
    });
    return body.data;
  }

  deleteServiceTokenAccess(id: string, request: ServiceTokenAccessRequest): Promise<void> {
    return this.transport.send({
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
    return this.transport.listAll({
      endpoint: ENDPOINTS.get_service_token_grants,
      params: { id },
      context: this.context(`get service token ${id} grants`),
      check: responses.grantPage,
    });
  }

  // ---- Postgres database IP rules ----------------------------------------------------------------------------

  listPostgresIpRules(database: string): Promise<PostgresIpRule[]> {
    return this.transport.listAll({
      endpoint: ENDPOINTS.list_database_postgres_cidrs,
      params: { database },
      context: this.context('list IP rules', database),
      check: responses.ipRulePage,
    });
  }

  getPostgresIpRule(database: string, id: string): Promise<PostgresIpRule> {
    return this.transport.send({
      endpoint: ENDPOINTS.get_database_postgres_cidr,
      params: { database, id },
      context: this.context(`get IP rule ${id}`, database),
      check: responses.ipRule,
    });
  }

  createPostgresIpRule(database: string, request: PostgresIpRuleRequest): Promise<PostgresIpRule> {
    return this.transport.send({
      endpoint: ENDPOINTS.create_database_postgres_cidr,
      params: { database },
      context: this.context('create IP rule', database),
      check: responses.ipRule,
      body: request,
    });
  }

  updatePostgresIpRule(database: string, id: string, request: PostgresIpRuleRequest): Promise<PostgresIpRule> {
    return this.transport.send({
      endpoint: ENDPOINTS.update_database_postgres_cidr,
      params: { database, id },
      context: this.context(`update IP rule ${id}`, database),
      check: responses.ipRule,
      body: request,
    });
  }

  deletePostgresIpRule(database: string, id: string): Promise<void> {
    return this.transport.send({ endpoint: ENDPOINTS.delete_database_postgres_cidr, params: { database, id }, context: this.context(`delete IP rule ${id}`, database) });
  }

  private context(operation: string, database?: string, branch?: string): OperationContext {
    return { operation, organization: this.organization, database, branch };
  }
}
