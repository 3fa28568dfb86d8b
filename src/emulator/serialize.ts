import { hasExpired } from './expiry';
import type { ServiceHosts } from './hosts';
import type {
  AccessRecord,
  ActorRecord,
  BranchRecord,
  DatabaseRecord,
  IpRuleRecord,
  OrganizationRecord,
  PasswordRecord,
  RoleRecord,
  ServiceTokenRecord,
} from './model';

/** Turns records into the response bodies the OpenAPI description documents (all required fields present). */

const REGION = {
  id: 'reg_us_east_1',
  provider: 'AWS',
  enabled: true,
  public_ip_addresses: ['198.51.100.10'],
  display_name: 'AWS us-east-1',
  location: 'Ashburn, Virginia',
  slug: 'us-east',
  current_default: true,
  mysql_supported: true,
  postgresql_supported: true,
};

function actor(record: ActorRecord) {
  return { id: record.id, display_name: record.displayName, avatar_url: `https://avatars.example.invalid/${record.id}.png` };
}

export function organizationJson(org: OrganizationRecord, databaseCount: number) {
  return {
    id: org.id,
    name: org.name,
    billing_email: `billing@${org.name}.example`,
    created_at: org.createdAt,
    updated_at: org.createdAt,
    plan: 'scaler_pro',
    valid_billing_info: true,
    sso: false,
    sso_directory: false,
    single_tenancy: false,
    managed_tenancy: false,
    has_past_due_invoices: false,
    database_count: databaseCount,
    sso_portal_url: null,
    features: {},
    idp_managed_roles: false,
    invoice_budget_amount: '0',
    keyspace_shard_limit: 1,
    has_card: true,
    payment_info_required: false,
  };
}

export function databaseJson(db: DatabaseRecord, branches: BranchRecord[]) {
  const production = branches.filter((b) => b.production);
  const url = `https://api.planetscale.com/v1/organizations/${db.organization}/databases/${db.name}`;
  return {
    id: db.id,
    url,
    branches_url: `${url}/branches`,
    branches_count: branches.length,
    open_schema_recommendations_count: 0,
    development_branches_count: branches.length - production.length,
    production_branches_count: production.length,
    issues_count: 0,
    multiple_admins_required_for_deletion: false,
    ready: true,
    at_backup_restore_branches_limit: false,
    at_development_branch_usage_limit: false,
    data_import: null,
    region: REGION,
    html_url: `https://app.planetscale.com/${db.organization}/${db.name}`,
    name: db.name,
    state: 'ready',
    sharded: false,
    default_branch_shard_count: 1,
    default_branch_read_only_regions_count: 0,
    default_branch_table_count: 0,
    default_branch: production[0]?.name ?? branches[0]?.name ?? 'main',
    require_approval_for_deploy: false,
    deletion_protected: false,
    resizing: false,
    resize_queued: false,
    config_changing: false,
    config_change_queued: false,
    allow_data_branching: false,
    foreign_keys_enabled: true,
    automatic_migrations: null,
    restrict_branch_region: false,
    insights_raw_queries: false,
    plan: 'scaler_pro',
    insights_enabled: true,
    production_branch_web_console: false,
    migration_table_name: null,
    migration_framework: null,
    created_at: db.createdAt,
    updated_at: db.createdAt,
    schema_last_updated_at: null,
    kind: db.kind,
  };
}

export function branchJson(branch: BranchRecord, kind: DatabaseRecord['kind'], hosts: ServiceHosts) {
  const url = `https://api.planetscale.com/v1/organizations/${branch.organization}/databases/${branch.database}/branches/${branch.name}`;
  return {
    id: branch.id,
    name: branch.name,
    created_at: branch.createdAt,
    updated_at: branch.createdAt,
    deleted_at: null,
    restore_checklist_completed_at: null,
    schema_last_updated_at: null,
    kind,
    mysql_address: hosts.mysql,
    mysql_edge_address: hosts.mysql,
    state: 'ready',
    direct_vtgate: false,
    vtgate_size: 'small',
    vtgate_name: null,
    vtgate_count: 1,
    vtgate_autoscaling: false,
    vtgate_max_count: null,
    vtgate_target_cpu_utilization: null,
    cluster_name: 'PS_10',
    cluster_iops: null,
    ready: true,
    schema_ready: true,
    metal: false,
    production: branch.production,
    safe_migrations: branch.production,
    deletion_protected: false,
    sharded: false,
    shard_count: 1,
    keyspace_count: 1,
    stale_schema: false,
    actor: null,
    restored_from_branch: null,
    private_edge_connectivity: false,
    has_replicas: branch.production,
    has_read_only_replicas: false,
    html_url: `https://app.planetscale.com/${branch.organization}/${branch.database}/${branch.name}`,
    url,
    region: REGION,
    parent_branch: null,
    vtgate_options: {},
  };
}

export function passwordJson(password: PasswordRecord, branch: BranchRecord, now: Date, hosts: ServiceHosts, plainText: string | null = null) {
  const HOST = hosts.mysql;
  const expired = hasExpired(password.expiresAt, now);
  return {
    id: password.id,
    name: password.name,
    role: password.role,
    cidrs: password.cidrs.length > 0 ? [...password.cidrs] : null,
    created_at: password.createdAt,
    deleted_at: null,
    expires_at: password.expiresAt,
    last_used_at: null,
    expired,
    direct_vtgate: password.directVtgate,
    direct_vtgate_addresses: password.directVtgate ? [`vtgate-a.${HOST}`, `vtgate-b.${HOST}`] : [],
    ttl_seconds: password.ttlSeconds,
    access_host_url: HOST,
    access_host_regional_url: HOST,
    access_host_regional_urls: [],
    actor: actor(password.actor),
    region: REGION,
    username: password.username,
    plain_text: plainText,
    replica: password.replica,
    // Renewable while it has a TTL that has not passed (an expired password cannot be renewed).
    renewable: password.ttlSeconds !== null && !expired,
    database_branch: {
      name: branch.name,
      id: branch.id,
      production: branch.production,
      mysql_edge_address: HOST,
      private_edge_connectivity: false,
    },
  };
}

/**
 * A role as the role routes answer it (OpenAPI list_roles / create_role, every required field). The username carries
 * the branch id as routing suffix (`{role}.{branch_id}`, docs postgres/connecting); `base_username` is without it.
 * `database_name` is the database inside Postgres: PlanetScale's database name "is not created as a logical database
 * inside of Postgres" (docs postgres/tutorials), so it is `postgres`. `password` and `ttl` are required strings and
 * integers in the description, so outside create they are sent as "" and (for a role without expiry) 0.
 */
export function roleJson(role: RoleRecord, branch: BranchRecord, now: Date, hosts: ServiceHosts, password = '') {
  const host = hosts.postgres(branch);
  return {
    id: role.id,
    name: role.name,
    access_host_url: host,
    private_access_host_url: `private-${host}`,
    private_connection_service_name: `com.amazonaws.vpce.us-east-1.vpce-svc-${branch.id}`,
    username: `${role.username}.${branch.id}`,
    base_username: role.username,
    password,
    database_name: 'postgres',
    created_at: role.createdAt,
    updated_at: role.updatedAt,
    deleted_at: null,
    expires_at: role.expiresAt,
    dropped_at: null,
    disabled_at: null,
    drop_failed: '',
    ready: true,
    expired: hasExpired(role.expiresAt, now),
    default: role.isDefault,
    ttl: role.ttlSeconds ?? 0,
    inherited_roles: [...role.inheritedRoles],
    with_replication: role.withReplication,
    branch: { id: branch.id, name: branch.name, created_at: branch.createdAt, updated_at: branch.createdAt, deleted_at: null },
    actor: actor(role.actor),
    // The OpenAPI file lists off/warn/on, which YAML 1.1 readers turn into booleans; the API sends the strings.
    query_safety_settings: { require_where_on_delete: 'off', require_where_on_update: 'off' },
  };
}

/** An access as the OpenAPI description embeds it in a service token: flat resource fields plus `resource`. */
function embeddedAccessJson(access: AccessRecord) {
  return {
    id: access.id,
    access: access.access,
    description: describeAccess(access.access),
    resource_name: access.resourceName,
    resource_id: access.resourceId,
    resource_type: access.resourceType,
    resource: { id: access.resourceId, name: access.resourceName, created_at: access.createdAt, updated_at: access.createdAt, deleted_at: null },
  };
}

/**
 * An item of `/service-tokens/{id}/access`, in the shape PlanetScale's Go SDK reads (service_tokens.go
 * ServiceTokenAccess, fixture in service_tokens_test.go): `{id, type: "DatabaseAccess", access, resource: {id, type,
 * name, created_at, updated_at}}`, without flat `resource_*` fields. Organization-level items are not shown there;
 * "OrganizationAccess" / "Organization" is our reading of the naming (docs/api-fidelity.md).
 */
export function accessJson(access: AccessRecord) {
  return {
    id: access.id,
    type: access.resourceType === 'Organization' ? 'OrganizationAccess' : 'DatabaseAccess',
    resource: {
      id: access.resourceId,
      type: access.resourceType,
      name: access.resourceName,
      created_at: access.createdAt,
      updated_at: access.createdAt,
    },
    access: access.access,
  };
}

function describeAccess(access: string): string {
  const text = access.replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function serviceTokenJson(token: ServiceTokenRecord, plainToken: string | null = null) {
  return {
    id: token.id,
    name: token.name,
    display_name: token.name ?? token.id,
    token: plainToken,
    plain_text_refresh_token: null,
    avatar_url: `https://avatars.example.invalid/${token.id}.png`,
    created_at: token.createdAt,
    updated_at: token.updatedAt,
    expires_at: token.expiresAt,
    last_used_at: null,
    actor_id: null,
    actor_display_name: null,
    actor_type: null,
    service_token_accesses: token.accesses.map(embeddedAccessJson),
    oauth_accesses_by_resource: null,
  };
}

/**
 * `/service-tokens/{id}/grants` items: one per resource with its accesses (planetscale-go service_tokens.go
 * ServiceTokenGrant; its fixture carries `"type":"ServiceTokenGrant"`).
 */
export function grantsJson(token: ServiceTokenRecord) {
  const byResource = new Map<string, AccessRecord[]>();
  for (const access of token.accesses) {
    const key = `${access.resourceType}:${access.resourceId}`;
    byResource.set(key, [...(byResource.get(key) ?? []), access]);
  }
  return [...byResource.values()].map((accesses) => ({
    id: `${token.id}-${accesses[0].resourceId}`,
    type: 'ServiceTokenGrant',
    resource_name: accesses[0].resourceName,
    resource_type: accesses[0].resourceType,
    resource_id: accesses[0].resourceId,
    accesses: accesses.map((a) => ({ access: a.access, description: describeAccess(a.access) })),
  }));
}

export function ipRuleJson(rule: IpRuleRecord) {
  return {
    id: rule.id,
    schema: rule.schema,
    role: rule.role,
    cidrs: [...rule.cidrs],
    description: rule.description,
    created_at: rule.createdAt,
    updated_at: rule.updatedAt,
    deleted_at: null,
    actor: actor(rule.actor),
  };
}

/** A page as the list endpoints answer it. */
export function pageJson<T>(items: T[], page: number, perPage: number, url: URL) {
  const total = items.length;
  const totalPages = Math.max(1, Math.ceil(total / perPage));
  const link = (n: number | null) => {
    if (n === null) return null;
    const next = new URL(url);
    next.searchParams.set('page', String(n));
    return next.toString();
  };
  const next = page < totalPages ? page + 1 : null;
  const prev = page > 1 ? page - 1 : null;
  return {
    type: 'list',
    current_page: page,
    per_page: perPage,
    next_page: next,
    next_page_url: link(next),
    prev_page: prev,
    prev_page_url: link(prev),
    total_count: total,
    total_pages: totalPages,
    data: items.slice((page - 1) * perPage, page * perPage),
  };
}
