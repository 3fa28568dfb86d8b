import type { ConnectionStrings } from './connection-strings';
import type { PostgresConnectionStrings } from './postgres-connection-strings';
import type { PasswordRole } from '../model/planetscale-enums';

/** One MySQL/Vitess branch password in the outputs file (entries written before Postgres support carry no `engine`). */
export interface MysqlPasswordEntry {
  readonly kind: 'password';
  readonly engine?: 'mysql';
  readonly id: string;
  readonly name: string;
  readonly username: string;
  readonly host: string;
  readonly database: string;
  readonly branch: string;
  readonly role: PasswordRole;
  readonly expires_at: string | null;
  readonly password: string;
  readonly connection_strings: ConnectionStrings;
}

/** One Postgres branch role (a `DatabasePassword` on a Postgres database) in the outputs file. */
export interface PostgresRoleEntry {
  readonly kind: 'password';
  readonly engine: 'postgresql';
  readonly id: string;
  readonly name: string;
  /** What clients connect as: `<role>.<branch id>`. */
  readonly username: string;
  /** The role as PostgreSQL knows it (what IP rules, GRANT statements and `current_user` name). */
  readonly base_username: string;
  readonly host: string;
  /** The PlanetScale database. */
  readonly database: string;
  readonly branch: string;
  /** The database inside Postgres that the connection strings name. */
  readonly database_name: string;
  /** The declared role, when the inherited roles come from it; null for explicit `inheritedRoles`. */
  readonly role: PasswordRole | null;
  readonly inherited_roles: string[];
  readonly expires_at: string | null;
  readonly password: string;
  readonly connection_strings: PostgresConnectionStrings;
  /** Where the role's objects go when the construct is removed: a role name or id, or the construct path of another password. */
  readonly successor: { readonly role: string } | { readonly path: string } | null;
}

/** One password: a MySQL/Vitess branch password or a Postgres branch role. */
export type PasswordEntry = MysqlPasswordEntry | PostgresRoleEntry;

/** One service token in the outputs file, with the environment pair a pipeline sets to use it. */
export interface ServiceTokenEntry {
  readonly kind: 'service-token';
  readonly id: string;
  readonly name: string;
  readonly organization: string;
  readonly expires_at: string | null;
  readonly token: string;
  readonly env: { readonly PLANETSCALE_SERVICE_TOKEN_ID: string; readonly PLANETSCALE_SERVICE_TOKEN: string };
}

export type OutputEntry = PasswordEntry | ServiceTokenEntry;

/** The outputs file: stack name, then construct path, then the entry. */
export type OutputsDocument = Record<string, Record<string, OutputEntry>>;

/** The secret an entry carries. */
export function secretOf(entry: OutputEntry): string {
  return entry.kind === 'password' ? entry.password : entry.token;
}
