import { UnexpectedResponseError } from './errors';
import type {
  Branch,
  CreatedPassword,
  CreatedServiceToken,
  Database,
  Organization,
  Password,
  PostgresIpRule,
  PostgresRole,
  CreatedPostgresRole,
  OrganizationServiceToken,
  Page,
  ServiceTokenAccess,
  ServiceTokenGrant,
} from './types';
import { DATABASE_KINDS, PASSWORD_ROLES } from '../model/planetscale-enums';
import { describeFirstError, validator } from '../model/validators';

/**
 * Response checks: the client validates every body as it arrives, so the code behind it can trust the types.
 * Only the fields the package relies on are required; extra fields are allowed (the API adds fields over time).
 */
type Schema = Record<string, unknown>;

/** What the client reads of a page: its items, and the number of the next page (null on the last). */
export type ListPage<T> = Pick<Page<T>, 'next_page' | 'data'>;

const str = { type: 'string' };
const nullableStr = { type: 'string', nullable: true };
const bool = { type: 'boolean' };
const strArray = { type: 'array', items: str };

function object(properties: Record<string, Schema>, optional: string[] = []): Schema {
  return {
    type: 'object',
    properties,
    required: Object.keys(properties).filter((key) => !optional.includes(key)),
  };
}

const passwordProps = {
  id: str,
  name: str,
  role: { type: 'string', enum: [...PASSWORD_ROLES] },
  cidrs: { ...strArray, nullable: true },
  created_at: str,
  expires_at: nullableStr,
  expired: bool,
  ttl_seconds: { type: 'integer', nullable: true },
  replica: bool,
  direct_vtgate: bool,
  renewable: bool,
  username: str,
  access_host_url: str,
  plain_text: nullableStr,
  database_branch: object({ name: str, production: bool }),
};
const passwordSchema = object(passwordProps);
const createdPasswordSchema = object({ ...passwordProps, plain_text: str });

/**
 * A service-token access item. PlanetScale's Go SDK reads `{id, type, access, resource: {id, name, type}}`
 * (service_tokens.go ServiceTokenAccess; fixture type "DatabaseAccess", resource type "Database"); the OpenAPI
 * description's embedded `service_token_accesses` carry flat `resource_id`, `resource_name`, `resource_type` instead.
 * Either shape is accepted and read into the SDK's.
 */
const nestedAccessSchema = object({ id: str, access: str, resource: object({ id: str, name: str }) });
const flatAccessSchema = object({ id: str, access: str, resource_id: str, resource_name: str, resource_type: str });
const accessSchema = { anyOf: [nestedAccessSchema, flatAccessSchema] };

interface RawAccess {
  id: string;
  access: string;
  type?: string;
  resource?: { id: string; name: string; type?: string };
  resource_id?: string;
  resource_name?: string;
  resource_type?: string;
}

function readAccess(raw: RawAccess): ServiceTokenAccess {
  const fromItemType = raw.type === 'OrganizationAccess' ? 'Organization' : raw.type === 'DatabaseAccess' ? 'Database' : undefined;
  return {
    id: raw.id,
    access: raw.access,
    resource: {
      id: raw.resource?.id ?? raw.resource_id!,
      name: raw.resource?.name ?? raw.resource_name!,
      type: raw.resource?.type ?? raw.resource_type ?? fromItemType ?? 'Database',
    },
  };
}

const tokenProps = {
  id: str,
  name: nullableStr,
  display_name: str,
  created_at: str,
  expires_at: nullableStr,
  token: nullableStr,
};
const tokenSchema = object(tokenProps, ['token']);
const createdTokenSchema = object({ ...tokenProps, token: str });

const grantSchema = object({
  id: str,
  // planetscale-go ServiceTokenGrant has no type field; its fixture sends "ServiceTokenGrant". Not required.
  resource_name: str,
  resource_type: str,
  resource_id: str,
  accesses: { type: 'array', items: object({ access: str, description: str }) },
});

const ipRuleSchema = object({
  id: str,
  schema: str,
  role: str,
  cidrs: strArray,
  description: nullableStr,
  created_at: str,
  updated_at: str,
});

/** A Postgres branch role (list_roles, create_role): `password` only in the answer to create. */
const roleProps = {
  id: str,
  name: str,
  username: str,
  base_username: str,
  access_host_url: str,
  database_name: str,
  created_at: str,
  expires_at: nullableStr,
  expired: bool,
  default: bool,
  ttl: { type: 'integer', nullable: true },
  inherited_roles: strArray,
  password: nullableStr,
};
const roleSchema = object(roleProps, ['password']);
const createdRoleSchema = object({ ...roleProps, password: { type: 'string', minLength: 1 } });

const kind = { type: 'string', enum: [...DATABASE_KINDS] };
const databaseSchema = object({ id: str, name: str, kind, state: str });
const branchSchema = object({ id: str, name: str, production: bool, kind });
const organizationSchema = object({ id: str, name: str });

function pageOf(item: Schema): Schema {
  return object({
    current_page: { type: 'integer' },
    next_page: { type: 'integer', nullable: true },
    total_count: { type: 'integer' },
    data: { type: 'array', items: item },
  });
}

/**
 * A list whose paging fields the SDK does not read (service-token accesses and grants): `next_page` is followed when
 * present, and its absence means one page.
 */
function looseList(item: Schema): Schema {
  return {
    type: 'object',
    properties: { next_page: { type: 'integer', nullable: true }, data: { type: 'array', items: item } },
    required: ['data'],
  };
}

/** A validator that turns a bad body into an error naming the operation and the offending field (never its value). */
export interface ResponseCheck<T> {
  (body: unknown, operation: string): T;
}

function check<T, Raw = T>(id: string, schema: Schema, read: (raw: Raw) => T = (raw) => raw as unknown as T): ResponseCheck<T> {
  const compiled = validator<Raw>(`response:${id}`, schema);
  return (body, operation) => {
    const validate = compiled();
    if (validate(body)) return read(body);
    throw new UnexpectedResponseError(`${operation}: the API answered with an unexpected body (${describeFirstError(validate.errors, '(body)')})`);
  };
}

export const responses = {
  organization: check<Organization>('organization', organizationSchema),
  database: check<Database>('database', databaseSchema),
  databasePage: check<ListPage<Database>>('databasePage', pageOf(databaseSchema)),
  branch: check<Branch>('branch', branchSchema),
  branchPage: check<ListPage<Branch>>('branchPage', pageOf(branchSchema)),
  password: check<Password>('password', passwordSchema),
  createdPassword: check<CreatedPassword>('createdPassword', createdPasswordSchema),
  passwordPage: check<ListPage<Password>>('passwordPage', pageOf(passwordSchema)),
  serviceToken: check<OrganizationServiceToken>('serviceToken', tokenSchema),
  createdServiceToken: check<CreatedServiceToken>('createdServiceToken', createdTokenSchema),
  serviceTokenPage: check<ListPage<OrganizationServiceToken>>('serviceTokenPage', pageOf(tokenSchema)),
  accessList: check<{ data: ServiceTokenAccess[] }, { data: RawAccess[] }>(
    'accessList',
    object({ data: { type: 'array', items: accessSchema } }),
    (raw) => ({ data: raw.data.map(readAccess) }),
  ),
  accessPage: check<ListPage<ServiceTokenAccess>, { next_page?: number | null; data: RawAccess[] }>(
    'accessPage',
    looseList(accessSchema),
    (raw) => ({ next_page: raw.next_page ?? null, data: raw.data.map(readAccess) }),
  ),
  grantPage: check<ListPage<ServiceTokenGrant>, { next_page?: number | null; data: ServiceTokenGrant[] }>(
    'grantPage',
    looseList(grantSchema),
    (raw) => ({ next_page: raw.next_page ?? null, data: raw.data }),
  ),
  role: check<PostgresRole>('role', roleSchema),
  createdRole: check<CreatedPostgresRole>('createdRole', createdRoleSchema),
  rolePage: check<ListPage<PostgresRole>>('rolePage', pageOf(roleSchema)),
  ipRule: check<PostgresIpRule>('ipRule', ipRuleSchema),
  ipRulePage: check<ListPage<PostgresIpRule>>('ipRulePage', pageOf(ipRuleSchema)),
};
