import Ajv, { type ValidateFunction } from 'ajv';
import { HttpError } from './http-error';
import { PASSWORD_ROLES, type CreatePasswordRequest, type CreateRoleRequest, type UpdateRoleRequest, type CreateServiceTokenRequest, type PostgresIpRuleRequest, type ServiceTokenAccessRequest, type UpdatePasswordRequest } from '../api/types';
import { normalizeCidr } from '../spec/cidr';
import { INHERITED_ROLES } from '../spec/postgres-roles';

/** Request body checks: a bad body is a 422 whose message names the field, as the API does. */
const ajv = new Ajv({ allErrors: false });

const name = { type: 'string', minLength: 1, maxLength: 255 };
const cidrs = { type: 'array', items: { type: 'string' }, maxItems: 512 };

const createPassword = ajv.compile<CreatePasswordRequest>({
  type: 'object',
  additionalProperties: false,
  properties: {
    name,
    role: { type: 'string', enum: [...PASSWORD_ROLES] },
    replica: { type: 'boolean' },
    ttl: { type: 'integer', minimum: 0 },
    cidrs,
    direct_vtgate: { type: 'boolean' },
  },
});

const updatePassword = ajv.compile<UpdatePasswordRequest>({
  type: 'object',
  additionalProperties: false,
  properties: { name, cidrs },
});

const createToken = ajv.compile<CreateServiceTokenRequest>({
  type: 'object',
  additionalProperties: false,
  properties: { name, ttl: { type: 'integer', minimum: 0 } },
});

const tokenAccess = ajv.compile<ServiceTokenAccessRequest>({
  type: 'object',
  additionalProperties: false,
  required: ['access'],
  // `"database": ""` means the organization, as PlanetScale's SDK sends it.
  properties: { database: { type: 'string', maxLength: 255 }, access: { type: 'array', minItems: 1, items: { type: 'string' } } },
});

const ipRuleFields = {
  schema: { type: 'string', maxLength: 63 },
  role: { type: 'string', maxLength: 63 },
  cidrs,
  description: { type: 'string', maxLength: 255 },
};
const createIpRule = ajv.compile<PostgresIpRuleRequest>({
  type: 'object',
  additionalProperties: false,
  required: ['cidrs'],
  properties: ipRuleFields,
});
const updateIpRule = ajv.compile<PostgresIpRuleRequest>({
  type: 'object',
  additionalProperties: false,
  properties: ipRuleFields,
});

/** The query-safety settings roles carry (pg_strict); accepted and ignored. */
const querySafety = { require_where_on_delete: { type: 'string' }, require_where_on_update: { type: 'string' } };
const createRole = ajv.compile<CreateRoleRequest>({
  type: 'object',
  additionalProperties: false,
  properties: {
    name,
    ttl: { type: 'integer', minimum: 0 },
    inherited_roles: { type: 'array', items: { type: 'string', enum: [...INHERITED_ROLES] }, uniqueItems: true },
    with_replication: { type: 'boolean' },
    ...querySafety,
  },
});
const updateRole = ajv.compile<UpdateRoleRequest>({ type: 'object', additionalProperties: false, properties: { name, ...querySafety } });
const successor = { type: 'string', minLength: 1, maxLength: 255 };
const deleteRole = ajv.compile<{ successor?: string }>({ type: 'object', additionalProperties: false, properties: { successor } });
const reassignRole = ajv.compile<{ successor: string }>({ type: 'object', additionalProperties: false, required: ['successor'], properties: { successor } });

function checked<T>(validate: ValidateFunction<T>, body: unknown): T {
  if (validate(body)) return body;
  const error = validate.errors?.[0];
  const field = error?.instancePath.replace(/^\//, '').replace(/\//g, '.') || (error?.params as { additionalProperty?: string })?.additionalProperty || 'body';
  const allowed = (error?.params as { allowedValues?: string[] })?.allowedValues;
  throw HttpError.unprocessable(`${field} ${error?.message ?? 'is invalid'}${allowed ? ` (${allowed.join(', ')})` : ''}`);
}

/** Normalizes CIDRs as the API does; `ipv4Only` for Postgres rules. */
export function checkedCidrs(values: readonly string[], ipv4Only = false): string[] {
  return values.map((value) => {
    const result = normalizeCidr(value);
    if (!result.ok) throw HttpError.unprocessable(`cidrs: ${result.reason}`);
    if (ipv4Only && result.family !== 'ipv4') throw HttpError.unprocessable(`cidrs: "${value}" is not IPv4; Postgres IP restrictions accept IPv4 only`);
    return result.cidr;
  });
}

export const bodies = {
  createPassword: (body: unknown) => checked(createPassword, body ?? {}),
  updatePassword: (body: unknown) => checked(updatePassword, body ?? {}),
  createToken: (body: unknown) => checked(createToken, body ?? {}),
  tokenAccess: (body: unknown) => checked(tokenAccess, body ?? {}),
  createIpRule: (body: unknown) => checked(createIpRule, body ?? {}),
  updateIpRule: (body: unknown) => checked(updateIpRule, body ?? {}),
  createRole: (body: unknown) => checked(createRole, body ?? {}),
  updateRole: (body: unknown) => checked(updateRole, body ?? {}),
  deleteRole: (body: unknown) => checked(deleteRole, body ?? {}),
  reassignRole: (body: unknown) => checked(reassignRole, body ?? {}),
};
