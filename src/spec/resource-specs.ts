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

/** The stack reconciler: deletes objects the owner owns that are not declared. */
export interface ReconcilerSpec {
  readonly kind: 'reconciler';
  readonly organization: string;
  readonly owner: string;
  /** Managed names of every declared password. */
  readonly passwords: string[];
}

export type ResourceSpec = PasswordSpec | PasswordCidrsSpec | ReconcilerSpec;

/** Apply-time settings that are not part of any object's identity (passed as provisioner environment). */
export interface HandlerSettings {
  /** Stack name: the top-level key in the outputs file. */
  readonly stack: string;
  /** API base URL from the construct; when absent, $PLANETSCALE_API_URL or the public API. */
  readonly api_url?: string;
  /** Outputs file, relative to the stack directory (where Terraform runs the handler) unless absolute. */
  readonly outputs_file: string;
}

const name = { type: 'string', pattern: RESOURCE_NAME } as const;
const managedName = { type: 'string', minLength: 1, maxLength: 128 } as const;
const owned = {
  organization: name,
  owner: { type: 'string', pattern: OWNER_PATTERN.source },
  path: { type: 'string', minLength: 1, maxLength: 1024 },
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

const reconcilerSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'organization', 'owner', 'passwords'],
  properties: {
    kind: { type: 'string', const: 'reconciler' },
    organization: owned.organization,
    owner: owned.owner,
    passwords: { type: 'array', items: managedName, uniqueItems: true },
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
  },
};

const validators = {
  'password': validator<PasswordSpec>('spec:password', passwordSchema),
  'password-cidrs': validator<PasswordCidrsSpec>('spec:password-cidrs', cidrsSchema),
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
  if (spec.kind === 'password' && !DISPLAY_NAME_PATTERN.test(spec.name.split('.')[0])) {
    throw new Error('invalid password spec: /name does not start with a valid display name');
  }
  return spec;
}

export function checkSettings(value: unknown): HandlerSettings {
  const validateSettings = settingsValidator();
  if (!validateSettings(value)) throw new Error(`invalid handler settings: ${describe(validateSettings.errors)}`);
  return value;
}
