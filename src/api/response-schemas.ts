import { UnexpectedResponseError } from './errors';
import type {
  Branch,
  CreatedPassword,
  CreatedServiceToken,
  Database,
  Organization,
  Password,
  PostgresIpRule,
  OrganizationServiceToken,
  ServiceTokenAccess,
  ServiceTokenGrant,
} from './types';
import { validator } from '../spec/validators';

/**
 * Response checks: the client validates every body as it arrives, so the code behind it can trust the types.
 * Only the fields the package relies on are required; extra fields are allowed (the API adds fields over time).
 */
type Schema = Record<string, unknown>;
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
  role: { type: 'string', enum: ['reader', 'writer', 'readwriter', 'admin'] },
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

const accessProps = {
  id: str,
  access: str,
  description: str,
  resource_name: str,
  resource_id: str,
  resource_type: str,
};
const accessSchema = object(accessProps);
const tokenProps = {
  id: str,
  name: nullableStr,
  display_name: str,
  created_at: str,
  expires_at: nullableStr,
  token: nullableStr,
  service_token_accesses: { type: 'array', items: accessSchema, nullable: true },
};
const tokenSchema = object(tokenProps, ['token', 'service_token_accesses']);
const createdTokenSchema = object({ ...tokenProps, token: str }, ['service_token_accesses']);

const grantSchema = object({
  id: str,
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

const kind = { type: 'string', enum: ['mysql', 'postgresql'] };
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

/** A validator that turns a bad body into an error naming the operation and the offending field (never its value). */
export interface ResponseCheck<T> {
  (body: unknown, operation: string): T;
}

function check<T>(id: string, schema: Schema): ResponseCheck<T> {
  const compiled = validator<T>(`response:${id}`, schema);
  return (body, operation) => {
    const validate = compiled();
    if (validate(body)) return body;
    const first = validate.errors?.[0];
    const where = first?.instancePath || '(body)';
    throw new UnexpectedResponseError(
      `${operation}: the API answered with an unexpected body (${where} ${first?.message ?? 'is invalid'})`,
    );
  };
}

export const responses = {
  organization: check<Organization>('organization', organizationSchema),
  database: check<Database>('database', databaseSchema),
  databasePage: check<{ next_page: number | null; data: Database[] }>('databasePage', pageOf(databaseSchema)),
  branch: check<Branch>('branch', branchSchema),
  branchPage: check<{ next_page: number | null; data: Branch[] }>('branchPage', pageOf(branchSchema)),
  password: check<Password>('password', passwordSchema),
  createdPassword: check<CreatedPassword>('createdPassword', createdPasswordSchema),
  passwordPage: check<{ next_page: number | null; data: Password[] }>('passwordPage', pageOf(passwordSchema)),
  serviceToken: check<OrganizationServiceToken>('serviceToken', tokenSchema),
  createdServiceToken: check<CreatedServiceToken>('createdServiceToken', createdTokenSchema),
  serviceTokenPage: check<{ next_page: number | null; data: OrganizationServiceToken[] }>('serviceTokenPage', pageOf(tokenSchema)),
  accessList: check<{ data: ServiceTokenAccess[] }>('accessList', object({ data: { type: 'array', items: accessSchema } })),
  grantList: check<{ data: ServiceTokenGrant[] }>('grantList', object({ data: { type: 'array', items: grantSchema } })),
  ipRule: check<PostgresIpRule>('ipRule', ipRuleSchema),
  ipRulePage: check<{ next_page: number | null; data: PostgresIpRule[] }>('ipRulePage', pageOf(ipRuleSchema)),
};
