import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import {
  ACCESS_NAME_PATTERN,
  DISPLAY_NAME_PATTERN,
  MAX_CIDRS,
  MAX_PATH_LENGTH,
  MAX_RULE_DESCRIPTION,
  MAX_TTL_SECONDS,
  OWNER_PATTERN,
  POSTGRES_IDENTIFIER_PATTERN,
  RESOURCE_NAME_PATTERN,
  ROTATION_PATTERN,
  SUCCESSOR_PATTERN,
} from './contract';
import { PASSWORD_ROLES, type PasswordRole } from './planetscale-enums';
import { INHERITED_ROLES, type InheritedRole } from './postgres-roles';
import { describeFirstError, validator } from './validators';

/**
 * The desired state of one stack: every object its constructs declare, as synthesized into the desired-state file
 * beside the stack and read back by the engine. The same schemas (typed from these interfaces, so a field added on
 * one side does not compile until the other has it) check it at synth and at apply. Field names are snake_case: they
 * appear in `cdktf diff` next to Terraform's own.
 */

interface Declared {
  /** Construct path: the key of the object's outputs entry. */
  readonly path: string;
  /** The display part of the managed name (the construct's `name`, or its id). */
  readonly display: string;
  /** 8 hex digits of a hash of the path: which construct an object belongs to. */
  readonly object: string;
}

/**
 * A branch password: on a MySQL/Vitess database a branch password, on a Postgres database a branch role. Which one is
 * PlanetScale's answer at apply; props of the other engine are refused then (and at synth, where the stack knows).
 */
export interface PasswordDeclaration extends Declared {
  readonly kind: 'password';
  /** 8 hex digits of a hash of the fields fixed at creation: a change is a new password, with a new secret. */
  readonly generation: string;
  readonly database: string;
  readonly branch: string;
  readonly role: PasswordRole;
  readonly ttl_seconds: number | null;
  readonly replica: boolean;
  readonly direct_vtgate: boolean;
  readonly rotation: string;
  /** Postgres: the inherited roles given explicitly (sorted); null when they follow from `role`. Fixed at creation. */
  readonly inherited_roles: InheritedRole[] | null;
  /**
   * Postgres: where the role's objects go when the construct is removed (a role name or id, or the path of another
   * password of this stack); null for the branch's default role. Changed in place.
   */
  readonly successor: { readonly role: string } | { readonly path: string } | null;
  /** MySQL/Vitess: the allow-list, collapsed as PlanetScale keeps it; empty allows every address. Changed in place. */
  readonly cidrs: string[];
  /** Renew (same secret, later expiry) when the password expires within this many seconds. Changed in place. */
  readonly renew_before_seconds: number | null;
}

/** An organization service token and its grants. */
export interface TokenDeclaration extends Declared {
  readonly kind: 'service-token';
  readonly generation: string;
  readonly ttl_seconds: number | null;
  readonly rotation: string;
  /** Database name to its accesses, sorted. Changed in place, by exactly the difference. */
  readonly databases: Record<string, string[]>;
  /** Accesses on the organization, sorted. */
  readonly organization_accesses: string[];
}

/** A Postgres database-level IP restriction rule; every field but the database is changed in place. */
export interface IpRuleDeclaration extends Declared {
  readonly kind: 'postgres-ip-rule';
  readonly database: string;
  /** PostgreSQL schema the rule applies to; empty means all schemas. */
  readonly schema: string;
  /** PostgreSQL role the rule applies to; empty means all roles (or the role of `role_path`). */
  readonly role: string;
  /** The path of a Postgres `DatabasePassword` whose role (in its current generation) the rule applies to, or null. */
  readonly role_path: string | null;
  readonly cidrs: string[];
  readonly description: string;
}

/** Apply-time settings that are not part of any object's identity. */
export interface StackSettings {
  /** API base URL from the construct; when absent, $PLANETSCALE_API_URL or the public API. */
  readonly api_url?: string;
  /** Outputs file, relative to the stack directory (where Terraform runs the handler) unless absolute. */
  readonly outputs_file: string;
  /** Command (program and arguments, no shell) that receives each new secret entry as JSON on standard input. */
  readonly sink?: string[];
}

export interface DesiredState {
  readonly version: 1;
  /** The stack name: the top-level key of its entries in the outputs file. */
  readonly stack: string;
  readonly organization: string;
  /** The ownership key: part of every managed name; the engine touches nothing else. */
  readonly owner: string;
  readonly settings: StackSettings;
  readonly passwords: PasswordDeclaration[];
  readonly service_tokens: TokenDeclaration[];
  readonly ip_rules: IpRuleDeclaration[];
}

export type Declaration = PasswordDeclaration | TokenDeclaration | IpRuleDeclaration;

/** Which stack, in which organization, under which ownership key, with which apply-time settings. */
export interface StackIdentity {
  readonly stack: string;
  readonly organization: string;
  readonly owner: string;
  readonly settings: StackSettings;
}

/** Where a stack declares objects: the places a destroy must be able to list. */
export interface StackPlaces {
  /** "database/branch" of every branch the stack declares passwords on. */
  readonly branches: readonly string[];
  /** The Postgres databases it declares IP rules on. */
  readonly rule_databases: readonly string[];
  /** Whether it declares service tokens. */
  readonly service_tokens: boolean;
}

/** The places of a desired state, sorted (the same state always gives the same places). */
export function placesOf(state: DesiredState): StackPlaces {
  const sorted = (values: string[]) => [...new Set(values)].sort();
  return {
    branches: sorted(state.passwords.map((p) => `${p.database}/${p.branch}`)),
    rule_databases: sorted(state.ip_rules.map((r) => r.database)),
    service_tokens: state.service_tokens.length > 0,
  };
}

/**
 * What the stack's destroyer resource carries, and a destroy gets back through `PLANETSCALE_CDKTF_RUN`: enough to
 * delete everything the stack owns without the desired-state file (which a later synth may have changed), and where
 * it must be able to look (a destroy that cannot list a place where the stack has objects fails, rather than leave
 * them behind).
 */
export interface DestroyDescription extends StackIdentity, StackPlaces {}

/**
 * What the reconciler resource carries in its triggers, and an apply gets back through `PLANETSCALE_CDKTF_RUN`: the
 * stack, and the digest the desired-state file must match.
 */
export interface RunDescription extends StackIdentity {
  readonly digest: string;
  /** The desired-state file, relative to the stack directory. */
  readonly state_file: string;
}

// ---- schemas ---------------------------------------------------------------------------------------------------

/** The keys of T that are not optional. */
type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];

/**
 * A JSON schema for objects of type T, typed from T: every field of T needs a schema and every required field must be
 * listed as required, so a field added to an interface does not compile until its schema has it (and no schema field
 * can exist that the interface lacks). ajv's JSONSchemaType would do this too, but it refuses required `T | null`
 * fields, which these interfaces have.
 */
function objectSchema<T>(properties: { readonly [K in keyof T]-?: object }, required: { readonly [K in RequiredKeys<T>]: true }): object {
  return { type: 'object', additionalProperties: false, required: Object.keys(required), properties };
}

const name = { type: 'string', pattern: RESOURCE_NAME_PATTERN.source } as const;
const hex8 = { type: 'string', pattern: '^[0-9a-f]{8}$' } as const;
const ttl = { type: 'integer', minimum: 1, maximum: MAX_TTL_SECONDS, nullable: true } as const;
const cidrList = { type: 'array', items: { type: 'string', minLength: 3, maxLength: 64 }, maxItems: MAX_CIDRS, uniqueItems: true } as const;
const accessList = { type: 'array', items: { type: 'string', pattern: ACCESS_NAME_PATTERN.source }, uniqueItems: true, maxItems: 64 } as const;
const declared = {
  path: { type: 'string', minLength: 1, maxLength: MAX_PATH_LENGTH },
  display: { type: 'string', pattern: DISPLAY_NAME_PATTERN.source },
  object: hex8,
} as const;

const all = true;
const declaredRequired = { path: all, display: all, object: all } as const;

const passwordSchema = objectSchema<PasswordDeclaration>(
  {
    kind: { type: 'string', const: 'password' },
    ...declared,
    generation: hex8,
    database: name,
    branch: name,
    role: { type: 'string', enum: [...PASSWORD_ROLES] },
    ttl_seconds: ttl,
    replica: { type: 'boolean' },
    direct_vtgate: { type: 'boolean' },
    rotation: { type: 'string', pattern: ROTATION_PATTERN.source },
    inherited_roles: { type: 'array', items: { type: 'string', enum: [...INHERITED_ROLES] }, minItems: 1, uniqueItems: true, nullable: true },
    successor: {
      oneOf: [
        { type: 'null' },
        { type: 'object', additionalProperties: false, required: ['role'], properties: { role: { type: 'string', pattern: SUCCESSOR_PATTERN.source } } },
        { type: 'object', additionalProperties: false, required: ['path'], properties: { path: { type: 'string', minLength: 1, maxLength: MAX_PATH_LENGTH } } },
      ],
    },
    cidrs: cidrList,
    renew_before_seconds: ttl,
  },
  {
    kind: all,
    ...declaredRequired,
    generation: all,
    database: all,
    branch: all,
    role: all,
    ttl_seconds: all,
    replica: all,
    direct_vtgate: all,
    rotation: all,
    inherited_roles: all,
    successor: all,
    cidrs: all,
    renew_before_seconds: all,
  },
);

const tokenSchema = objectSchema<TokenDeclaration>(
  {
    kind: { type: 'string', const: 'service-token' },
    ...declared,
    generation: hex8,
    ttl_seconds: ttl,
    rotation: { type: 'string', pattern: ROTATION_PATTERN.source },
    databases: { type: 'object', propertyNames: name, additionalProperties: { ...accessList, minItems: 1 } },
    organization_accesses: accessList,
  },
  { kind: all, ...declaredRequired, generation: all, ttl_seconds: all, rotation: all, databases: all, organization_accesses: all },
);

const ipRuleSchema = objectSchema<IpRuleDeclaration>(
  {
    kind: { type: 'string', const: 'postgres-ip-rule' },
    ...declared,
    database: name,
    schema: { type: 'string', pattern: POSTGRES_IDENTIFIER_PATTERN.source },
    role: { type: 'string', pattern: POSTGRES_IDENTIFIER_PATTERN.source },
    role_path: { type: 'string', minLength: 1, maxLength: MAX_PATH_LENGTH, nullable: true },
    cidrs: { ...cidrList, minItems: 1 },
    description: { type: 'string', maxLength: MAX_RULE_DESCRIPTION },
  },
  { kind: all, ...declaredRequired, database: all, schema: all, role: all, role_path: all, cidrs: all, description: all },
);

const settingsSchema = objectSchema<StackSettings>(
  {
    api_url: { type: 'string', pattern: '^https?://' },
    outputs_file: { type: 'string', minLength: 1 },
    sink: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 },
  },
  { outputs_file: all },
);

const stateSchema = objectSchema<DesiredState>(
  {
    version: { type: 'integer', const: 1 },
    stack: { type: 'string', minLength: 1, maxLength: 256 },
    organization: name,
    owner: { type: 'string', pattern: OWNER_PATTERN.source },
    settings: settingsSchema,
    passwords: { type: 'array', items: passwordSchema },
    service_tokens: { type: 'array', items: tokenSchema },
    ip_rules: { type: 'array', items: ipRuleSchema },
  },
  { version: all, stack: all, organization: all, owner: all, settings: all, passwords: all, service_tokens: all, ip_rules: all },
);

const identityProperties = {
  stack: { type: 'string', minLength: 1, maxLength: 256 },
  organization: name,
  owner: { type: 'string', pattern: OWNER_PATTERN.source },
  settings: settingsSchema,
} as const;
const identityRequired = { stack: all, organization: all, owner: all, settings: all } as const;

const destroySchema = objectSchema<DestroyDescription>(
  {
    ...identityProperties,
    branches: { type: 'array', items: { type: 'string', pattern: '^[^/]+/[^/]+$' }, uniqueItems: true },
    rule_databases: { type: 'array', items: name, uniqueItems: true },
    service_tokens: { type: 'boolean' },
  },
  { ...identityRequired, branches: all, rule_databases: all, service_tokens: all },
);

const runSchema = objectSchema<RunDescription>(
  { ...identityProperties, digest: { type: 'string', pattern: '^[0-9a-f]{64}$' }, state_file: { type: 'string', minLength: 1 } },
  { ...identityRequired, digest: all, state_file: all },
);

const stateValidator = validator<DesiredState>('desired-state', stateSchema);
const runValidator = validator<RunDescription>('run-description', runSchema);
const destroyValidator = validator<DestroyDescription>('destroy-description', destroySchema);

/** Checks a desired state; throws naming the first offending field. */
export function checkDesiredState(value: unknown, source = 'desired state'): DesiredState {
  const validate = stateValidator();
  if (!validate(value)) throw new Error(`invalid ${source}: ${describeFirstError(validate.errors)}`);
  const state = value;
  const paths = new Set<string>();
  for (const declaration of [...state.passwords, ...state.service_tokens, ...state.ip_rules]) {
    if (paths.has(declaration.path)) throw new Error(`invalid ${source}: ${declaration.path} is declared twice`);
    paths.add(declaration.path);
  }
  // Paths that name another password must name one of this stack, on the same database (for a rule).
  const passwords = new Map(state.passwords.map((p) => [p.path, p]));
  for (const password of state.passwords) {
    if (password.successor && 'path' in password.successor && !passwords.has(password.successor.path)) {
      throw new Error(`invalid ${source}: ${password.path} names ${password.successor.path} as successor, which is not a password of this stack`);
    }
  }
  for (const rule of state.ip_rules) {
    if (rule.role_path !== null && passwords.get(rule.role_path)?.database !== rule.database) {
      throw new Error(`invalid ${source}: ${rule.path} applies to the role of ${rule.role_path}, which is not a password of this stack on database ${rule.database}`);
    }
  }
  return state;
}

/** null_resource triggers are strings only: they carry every field that is not a string as JSON. */
function withSettingsParsed(value: unknown): unknown {
  if (!value || typeof value !== 'object') return value;
  const parsed = { ...(value as Record<string, unknown>) };
  for (const field of ['settings', 'branches', 'rule_databases', 'service_tokens']) {
    const text = parsed[field];
    if (typeof text === 'string') parsed[field] = JSON.parse(text) as unknown;
  }
  return parsed;
}

/** Checks the reconciler's run description, what an apply works from. */
export function checkRunDescription(value: unknown): RunDescription {
  const normalized = withSettingsParsed(value);
  const validate = runValidator();
  if (!validate(normalized)) throw new Error(`invalid run description: ${describeFirstError(validate.errors)}`);
  return normalized;
}

/** Checks the destroyer's description, what a destroy works from. */
export function checkDestroyDescription(value: unknown): DestroyDescription {
  const normalized = withSettingsParsed(value);
  const validate = destroyValidator();
  if (!validate(normalized)) throw new Error(`invalid destroy description: ${describeFirstError(validate.errors)}`);
  return normalized;
}

/** The digest of a desired state: the reconciler's trigger, and what the engine checks the file against. */
export function digestOf(state: DesiredState): string {
  return createHash('sha256').update(canonicalJson(state)).digest('hex');
}
