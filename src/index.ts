/**
 * The main entry: the constructs and their types, all that synth needs. It loads no HTTP client and no server (a test
 * asserts it); the API client and the emulator are the subpath exports `cdktf-planetscale-credentials/client` and
 * `cdktf-planetscale-credentials/emulator`.
 */
export * from './constructs';
export type { PasswordRole } from './model/planetscale-enums';
export type { MysqlPasswordEntry, OutputEntry, OutputsDocument, PasswordEntry, PostgresRoleEntry, ServiceTokenEntry } from './outputs/entries';
export type { ConnectionStrings } from './outputs/connection-strings';
export { ALL_ACCESSES, DATABASE_ACCESSES, ORGANIZATION_ACCESSES, type Access, type DatabaseAccess, type OrganizationAccess } from './model/accesses';
export { INHERITED_ROLES, type InheritedRole } from './model/postgres-roles';
