import type { ValidateFunction } from 'ajv';
import { HttpError } from './http-error';
import { type CreatePasswordRequest, type CreateRoleRequest, type UpdateRoleRequest, type CreateServiceTokenRequest, type PostgresIpRuleRequest, type ServiceTokenAccessRequest, type UpdatePasswordRequest } from '../api/types';
import { normalizeCidr } from '../model/cidr';
import { PASSWORD_ROLES } from '../model/planetscale-enums';
import { INHERITED_ROLES } from '../model/postgres-roles';
import { validator } from '../model/validators';

/** Request body checks: a bad body is a 422 whose message names the field, as the API does. */

const name = { type: 'string', minLength: 1, maxLength: 255 };
const cidrs = { type: 'array', items: { type: 'string' }, maxItems: 512 };

const createPassword = validator<CreatePasswordRequest>('request:createPassword', {
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

const updatePassword = validator<UpdatePasswordRequest>('request:updatePassword', {
  type: 'object',
  additionalProperties: false,
  properties: { name, cidrs },
});

const createToken = validator<CreateServiceTokenRequest>('request:createToken', {
  type: 'object',
  additionalProperties: false,
  properties: { name, ttl: { type: 'integer', minimum: 0 } },
});

const tokenAccess = validator<ServiceTokenAccessRequest>('request:tokenAccess', {
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
const createIpRule = validator<PostgresIpRuleRequest>('request:createIpRule', {
  type: 'object',
  additionalProperties: false,
  required: ['cidrs'],
  properties: ipRuleFields,
});
const updateIpRule = validator<PostgresIpRuleRequest>('request:updateIpRule', {
  type: 'object',
  additionalProperties: false,
  properties: ipRuleFields,
});

/** The query-safety settings roles carry (pg_strict); accepted and ignored. */
const querySafety = { require_where_on_delete: { type: 'string' }, require_where_on_update: { type: 'string' } };
const createRole = validator<CreateRoleRequest>('request:createRole', {
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
const updateRole = validator<UpdateRoleRequest>('request:updateRole', { type: 'object', additionalProperties: false, properties: { name, ...querySafety } });
const successor = { type: 'string', minLength: 1, maxLength: 255 };
const deleteRole = validator<{ successor?: string }>('request:deleteRole', { type: 'object', additionalProperties: false, properties: { successor } });
const reassignRole = validator<{ successor: string }>('request:reassignRole', { type: 'object', additionalProperties: false, required: ['successor'], properties: { successor } });

function checked<T>(compiled: () => ValidateFunction<T>, body: unknown): T {
  const validate = compiled();
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
