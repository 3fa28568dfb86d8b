import type { ConnectionStrings } from './connection-strings';
import type { PasswordRole } from '../api/types';

/** One password in the outputs file. */
export interface PasswordEntry {
  readonly kind: 'password';
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
