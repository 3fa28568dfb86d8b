import { ConnectionError, PlanetScaleApiError } from '../../../src/api/errors';
import type { Branch, Database, OrganizationServiceToken, Password, PostgresIpRule, PostgresRole } from '../../../src/api/types';

/**
 * API objects and errors for unit tests of the engine: literal values, only the fields the engine reads matter.
 * Managed names are `<display>.<owner>.<object>.<generation>`; the owner used throughout is `access`.
 */

export const OWNER = 'access';
export const ORGANIZATION = 'acme';

/** Owned names (owner `access`), another owner's name, and names nobody manages. */
export const NAMES = {
  app: 'app.access.1a2b3c4d.5e6f7a8b',
  worker: 'worker.access.2b3c4d5e.6f7a8b9c',
  ci: 'ci.access.3c4d5e6f.7a8b9c0d',
  warehouse: 'warehouse.access.4d5e6f7a.91c5253e',
  otherOwner: 'app.billing.1a2b3c4d.5e6f7a8b',
  handMade: 'my-laptop',
  almost: 'app.access.1a2b3c4d',
} as const;

export function fakeDatabase(name: string, kind: 'mysql' | 'postgresql' = 'mysql'): Database {
  return { id: `id-${name}`, name, kind, state: 'ready' };
}

export function fakeBranch(name: string, production = false, kind: 'mysql' | 'postgresql' = 'mysql'): Branch {
  return { id: `id-${name}`, name, production, kind };
}

export function fakePassword(id: string, name: string): Password {
  return {
    id,
    name,
    role: 'reader',
    cidrs: null,
    created_at: '2025-01-01T00:00:00.000Z',
    expires_at: null,
    expired: false,
    ttl_seconds: null,
    replica: false,
    direct_vtgate: false,
    renewable: false,
    username: `user-${id}`,
    access_host_url: 'aws.connect.psdb.cloud',
    plain_text: null,
    database_branch: { name: 'main', production: false },
  };
}

export function fakeRole(id: string, name: string, isDefault = false): PostgresRole {
  return {
    id,
    name,
    username: `pscale_api_${id}.branchid`,
    base_username: `pscale_api_${id}`,
    access_host_url: 'aws.connect.psdb.cloud',
    database_name: 'postgres',
    created_at: '2025-01-01T00:00:00.000Z',
    expires_at: null,
    expired: false,
    default: isDefault,
    ttl: null,
    inherited_roles: ['pg_read_all_data'],
  };
}

export function fakeToken(id: string, name: string | null): OrganizationServiceToken {
  return { id, name, display_name: name ?? id, created_at: '2025-01-01T00:00:00.000Z', expires_at: null };
}

export function fakeRule(id: string, description: string | null): PostgresIpRule {
  return {
    id,
    schema: '',
    role: '',
    cidrs: ['10.0.0.0/8'],
    description,
    created_at: '2025-01-01T00:00:00.000Z',
    updated_at: '2025-01-01T00:00:00.000Z',
  };
}

/** An error status from the API, as the client throws it after retries. */
export function apiError(status: number, message: string): PlanetScaleApiError {
  return new PlanetScaleApiError(message, status, status === 404 ? 'not_found' : undefined, { operation: 'fake', organization: ORGANIZATION });
}

/** The API could not be reached; its message is "<operation> (organization acme[, database d]): could not reach the PlanetScale API (<reason>)". */
export function connectionError(operation: string, database?: string): ConnectionError {
  return new ConnectionError({ operation, organization: ORGANIZATION, database }, 'ECONNREFUSED');
}
