import type { PasswordRole } from './planetscale-enums';

/**
 * PlanetScale Postgres credentials are branch roles whose privileges come from the PostgreSQL roles they inherit.
 * The names PlanetScale accepts are the `inherited_roles` enum of its OpenAPI description (create_role); synth checks
 * props against it, the emulator checks request bodies against it.
 */
export const INHERITED_ROLES = [
  'pg_checkpoint',
  'pg_create_subscription',
  'pg_maintain',
  'pg_monitor',
  'pg_read_all_data',
  'pg_read_all_settings',
  'pg_read_all_stats',
  'pg_signal_backend',
  'pg_stat_scan_tables',
  'pg_use_reserved_connections',
  'pg_write_all_data',
  'postgres',
] as const;
export type InheritedRole = (typeof INHERITED_ROLES)[number];

/**
 * What a `DatabasePassword` role means on Postgres: the mapping PlanetScale's CLI uses for `pscale role create
 * --inherited-roles` presets (reader → pg_read_all_data, writer → pg_write_all_data, readwriter → both, admin →
 * postgres, the branch's superuser-like default role).
 */
export const ROLE_INHERITANCE: Readonly<Record<PasswordRole, readonly InheritedRole[]>> = {
  reader: ['pg_read_all_data'],
  writer: ['pg_write_all_data'],
  readwriter: ['pg_read_all_data', 'pg_write_all_data'],
  admin: ['postgres'],
};

/** The role a Postgres role is reassigned to when removed without a `successor`: the branch's default role. */
export const DEFAULT_SUCCESSOR = 'postgres';

/** Sorted, without duplicates: how inherited roles are declared and compared. */
export function sortedRoles(roles: readonly string[]): string[] {
  return [...new Set(roles)].sort();
}

/** The inherited roles a declaration means: the explicit list, else the mapping of its role. */
export function inheritedRolesOf(declaration: {
  readonly role: PasswordRole;
  readonly inherited_roles: readonly InheritedRole[] | null;
}): InheritedRole[] {
  return sortedRoles(declaration.inherited_roles ?? ROLE_INHERITANCE[declaration.role]) as InheritedRole[];
}

/** The roles in `to` that `from` did not have: what a change of inherited roles adds (a widening). */
export function addedRoles(from: readonly string[], to: readonly string[]): string[] {
  return to.filter((role) => !from.includes(role));
}
