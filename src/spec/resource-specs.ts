import type { ErrorObject } from 'ajv';
import { DISPLAY_NAME_PATTERN, OWNER_PATTERN } from './naming';
import { validator } from './validators';
import { PASSWORD_ROLES, type PasswordRole } from '../api/types';

/**
 * The desired state of each custom resource, as synthesized into `triggers_replace` and read back by the handler.
 * The same schemas check it at synth (construct side) and at apply (handler side), so neither trusts the other.
 * Field names are snake_case because they appear in `cdktf diff` next to Terraform's own.
 */

export const RESOURCE_NAME = '^[a-z0-9][a-z0-9_-]{0,63}$';
/** Longest construct path accepted: it keys the outputs file and appears in every message. */
export const MAX_PATH_LENGTH = 1024;

interface OwnedSpec {
  readonly organization: string;
  /** The stack's ownership key. */
  readonly owner: string;
  /** Construct path, the key of the object's entry in the outputs file. */
  readonly path: string;
}

/** A branch password; every field here is fixed at creation (a change makes a new password). */
export interface PasswordSpec extends OwnedSpec {
  readonly kind: 'password';
  /** The managed name (see naming.ts). */
  readonly name: string;
  readonly database: string;
  readonly branch: string;
  readonly role: PasswordRole;
  readonly ttl_seconds: number | null;
  readonly replica: boolean;
  readonly direct_vtgate: boolean;
  readonly rotation: string;
}

/** The CIDR allow-list of a password: patched in place, never a new password. Empty means allow all. */
export interface PasswordCidrsSpec extends OwnedSpec {
  readonly kind: 'password-cidrs';
  /** Managed name of the password. */
  readonly password: string;
  readonly database: string;
  readonly branch: string;
  readonly cidrs: string[];
}

/** An organization service token; TTL and rotation are fixed at creation. */
export interface ServiceTokenSpec extends OwnedSpec {
  readonly kind: 'service-token';
  /** The managed name (see naming.ts). */
  readonly name: string;
  readonly ttl_seconds: number | null;
  readonly rotation: string;
}

/** The accesses granted to a service token: changed in place, by exactly the difference. */
export interface ServiceTokenGrantsSpec extends OwnedSpec {
  readonly kind: 'service-token-grants';
  /** Managed name of the token. */
  readonly token: string;
  /** Database name to its granted accesses (sorted). */
  readonly databases: Record<string, string[]>;
  /** Accesses granted on the organization (sorted). */
  readonly organization_accesses: string[];
}

/** A Postgres database-level IP restriction rule; every field is updated in place. */
export interface PostgresIpRuleSpec extends OwnedSpec {
  readonly kind: 'postgres-ip-rule';
  /** Ownership marker carried in the rule's description (see naming.ts). */
  readonly marker: string;
  readonly database: string;
  /** PostgreSQL schema the rule applies to; empty means all schemas. */
  readonly schema: string;
  /** PostgreSQL role the rule applies to; empty means all roles. */
  readonly role: string;
  readonly cidrs: string[];
  readonly description: string;
}

/** The stack reconciler: deletes objects the owner owns that are not declared. */
export interface ReconcilerSpec {
  readonly kind: 'reconciler';
  readonly organization: string;
  readonly owner: string;
  /** Managed names of every declared password. */
  readonly passwords: string[];
  /** Managed names of every declared service token. */
  readonly service_tokens: string[];
  /** Markers of every declared Postgres IP rule. */
  readonly ip_rules: string[];
}

export type ResourceSpec = PasswordSpec | PasswordCidrsSpec | ServiceTokenSpec | ServiceTokenGrantsSpec | PostgresIpRuleSpec | ReconcilerSpec;

/** Apply-time settings that are not part of any object's identity (passed as provisioner environment). */
export interface HandlerSettings {
  /** Stack name: the top-level key in the outputs file. */
  readonly stack: string;
  /** API base URL from the construct; when absent, $PLANETSCALE_API_URL or the public API. */
  readonly api_url?: string;
  /** Outputs file, relative to the stack directory (where Terraform runs the handler) unless absolute. */
  readonly outputs_file: string;
  /** Command (program and arguments, no shell) that receives each new secret entry as JSON on standard input. */
  readonly sink?: string[];
}

const name = { type: 'string', pattern: RESOURCE_NAME } as const;
const managedName = { type: 'string', minLength: 1, maxLength: 128 } as const;
const owned = {
  organization: name,
  owner: { type: 'string', pattern: OWNER_PATTERN.source },
  path: { type: 'string', minLength: 1, maxLength: MAX_PATH_LENGTH },
} as const;

const passwordSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'organization', 'owner', 'path', 'name', 'database', 'branch', 'role', 'ttl_seconds', 'replica', 'direct_vtgate', 'rotation'],
  properties: {
    kind: { type: 'string', const: 'password' },
    ...owned,
    name: managedName,
    database: name,
    branch: name,
    role: { type: 'string', enum: [...PASSWORD_ROLES] },
    ttl_seconds: { type: 'integer', minimum: 1, nullable: true },
    replica: { type: 'boolean' },
    direct_vtgate: { type: 'boolean' },
    rotation: { type: 'string', maxLength: 64 },
  },
};

const cidrsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'organization', 'owner', 'path', 'password', 'database', 'branch', 'cidrs'],
  properties: {
    kind: { type: 'string', const: 'password-cidrs' },
    ...owned,
    password: managedName,
    database: name,
    branch: name,
    cidrs: { type: 'array', items: { type: 'string', minLength: 3, maxLength: 64 }, maxItems: 512, uniqueItems: true },
  },
};

const accessList = { type: 'array', items: { type: 'string', pattern: '^[a-z_]{1,64}$' }, uniqueItems: true, maxItems: 64 } as const;

const tokenSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'organization', 'owner', 'path', 'name', 'ttl_seconds', 'rotation'],
  properties: {
    kind: { type: 'string', const: 'service-token' },
    ...owned,
    name: managedName,
    ttl_seconds: { type: 'integer', minimum: 1, nullable: true },
    rotation: { type: 'string', maxLength: 64 },
  },
};

const grantsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'organization', 'owner', 'path', 'token', 'databases', 'organization_accesses'],
  properties: {
    kind: { type: 'string', const: 'service-token-grants' },
    ...owned,
    token: managedName,
    databases: { type: 'object', propertyNames: name, additionalProperties: { ...accessList, minItems: 1 } },
    organization_accesses: accessList,
  },
};

const ipRuleSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'organization', 'owner', 'path', 'marker', 'database', 'schema', 'role', 'cidrs', 'description'],
  properties: {
    kind: { type: 'string', const: 'postgres-ip-rule' },
    ...owned,
    marker: managedName,
    database: name,
    schema: { type: 'string', maxLength: 63 },
    role: { type: 'string', maxLength: 63 },
    cidrs: { type: 'array', items: { type: 'string', minLength: 3, maxLength: 64 }, minItems: 1, maxItems: 512, uniqueItems: true },
    description: { type: 'string', maxLength: 128 },
  },
};

const reconcilerSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'organization', 'owner', 'passwords', 'service_tokens', 'ip_rules'],
  properties: {
    kind: { type: 'string', const: 'reconciler' },
    organization: owned.organization,
    owner: owned.owner,
    passwords: { type: 'array', items: managedName, uniqueItems: true },
    service_tokens: { type: 'array', items: managedName, uniqueItems: true },
    ip_rules: { type: 'array', items: managedName, uniqueItems: true },
  },
};

const settingsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['stack', 'outputs_file'],
  properties: {
    stack: { type: 'string', minLength: 1, maxLength: 256 },
    api_url: { type: 'string', pattern: '^https?://', nullable: true },
    outputs_file: { type: 'string', minLength: 1 },
    sink: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1, nullable: true },
  },
};

const validators = {
  'password': validator<PasswordSpec>('spec:password', passwordSchema),
  'password-cidrs': validator<PasswordCidrsSpec>('spec:password-cidrs', cidrsSchema),
  'service-token': validator<ServiceTokenSpec>('spec:service-token', tokenSchema),
  'service-token-grants': validator<ServiceTokenGrantsSpec>('spec:service-token-grants', grantsSchema),
  'postgres-ip-rule': validator<PostgresIpRuleSpec>('spec:postgres-ip-rule', ipRuleSchema),
  'reconciler': validator<ReconcilerSpec>('spec:reconciler', reconcilerSchema),
};
const settingsValidator = validator<HandlerSettings>('spec:settings', settingsSchema);

function describe(errors: ErrorObject[] | null | undefined): string {
  const first = errors?.[0];
  return `${first?.instancePath || '(root)'} ${first?.message ?? 'is invalid'}`;
}

/** Checks a resource spec; throws with the offending field. Display names are re-checked against naming rules. */
export function checkResourceSpec(value: unknown): ResourceSpec {
  const kind = (value as { kind?: unknown } | null)?.kind;
  const validatorOfKind = typeof kind === 'string' ? validators[kind as ResourceSpec['kind']] : undefined;
  if (!validatorOfKind) throw new Error(`resource spec has an unknown kind ${JSON.stringify(kind)}`);
  const validate = validatorOfKind();
  if (!validate(value)) throw new Error(`invalid ${kind} spec: ${describe(validate.errors)}`);
  const spec = value as ResourceSpec;
  if ((spec.kind === 'password' || spec.kind === 'service-token') && !DISPLAY_NAME_PATTERN.test(spec.name.split('.')[0])) {
    throw new Error(`invalid ${spec.kind} spec: /name does not start with a valid display name`);
  }
  return spec;
}

export function checkSettings(value: unknown): HandlerSettings {
  const validateSettings = settingsValidator();
  if (!validateSettings(value)) throw new Error(`invalid handler settings: ${describe(validateSettings.errors)}`);
  return value;
}
