import { hashSecret, newId, newPasswordSecret } from './identifiers';
import type { EmulatorState } from './model';
import { RESOURCE_NAME_PATTERN } from '../model/contract';
import { DATABASE_KINDS, type DatabaseKind } from '../model/planetscale-enums';
import { describeFirstError, validator } from '../model/validators';

/** What the emulator starts with: organizations, their databases and branches. */
export interface Seed {
  readonly organizations: readonly {
    readonly name: string;
    readonly databases: readonly {
      readonly name: string;
      readonly kind: DatabaseKind;
      readonly branches: readonly { readonly name: string; readonly production: boolean }[];
    }[];
  }[];
}

/**
 * The built-in seed: one organization with two MySQL/Vitess databases and one Postgres database, each with a
 * production and a development branch.
 */
export const DEFAULT_SEED: Seed = {
  organizations: [
    {
      name: 'acme',
      databases: [
        { name: 'shop', kind: 'mysql', branches: [{ name: 'main', production: true }, { name: 'dev', production: false }] },
        { name: 'inventory', kind: 'mysql', branches: [{ name: 'main', production: true }, { name: 'dev', production: false }] },
        { name: 'analytics', kind: 'postgresql', branches: [{ name: 'main', production: true }, { name: 'dev', production: false }] },
      ],
    },
  ],
};

const nameSchema = { type: 'string', pattern: RESOURCE_NAME_PATTERN.source };
const seedSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['organizations'],
  properties: {
    organizations: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'databases'],
        properties: {
          name: nameSchema,
          databases: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['name', 'kind', 'branches'],
              properties: {
                name: nameSchema,
                kind: { enum: [...DATABASE_KINDS] },
                branches: {
                  type: 'array',
                  minItems: 1,
                  items: {
                    type: 'object',
                    additionalProperties: false,
                    required: ['name', 'production'],
                    properties: { name: nameSchema, production: { type: 'boolean' } },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};

const seedValidator = validator<Seed>('emulator-seed', seedSchema);

/** Checks a seed read from a file; the error names the first bad field. */
export function parseSeed(json: unknown, source: string): Seed {
  const validate = seedValidator();
  if (validate(json)) return json;
  throw new Error(`invalid emulator seed ${source}: ${describeFirstError(validate.errors)}`);
}

export function stateFromSeed(seed: Seed, state: EmulatorState, now: Date): void {
  const createdAt = now.toISOString();
  for (const org of seed.organizations) {
    state.organizations.push({ id: newId(), name: org.name, createdAt });
    for (const db of org.databases) {
      state.databases.push({ id: newId(), organization: org.name, name: db.name, kind: db.kind, createdAt });
      for (const branch of db.branches) {
        const id = newId();
        state.branches.push({ id, organization: org.name, database: db.name, name: branch.name, production: branch.production, createdAt });
        if (db.kind === 'postgresql') state.roles.push(defaultRole(org.name, db.name, branch.name, createdAt));
      }
    }
  }
}

/**
 * The branch's default role, `postgres` (username `postgres.<branch id>`): "Every PostgreSQL database comes with a
 * default postgres role" (docs postgres/connecting). Its password is shown once, by reset-default; nobody knows this
 * one. It cannot be deleted, and is where a dropped role's objects go by default.
 */
function defaultRole(organization: string, database: string, branch: string, createdAt: string): EmulatorState['roles'][number] {
  return {
    id: newId(),
    organization,
    database,
    branch,
    name: 'postgres',
    username: 'postgres',
    inheritedRoles: ['postgres'],
    withReplication: true,
    ttlSeconds: null,
    expiresAt: null,
    createdAt,
    updatedAt: createdAt,
    secretHash: hashSecret(newPasswordSecret()),
    isDefault: true,
    ownedObjects: [],
    actor: { id: 'planetscale', displayName: 'PlanetScale' },
  };
}
