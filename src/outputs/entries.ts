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

export type OutputEntry = PasswordEntry;

/** The outputs file: stack name, then construct path, then the entry. */
export type OutputsDocument = Record<string, Record<string, OutputEntry>>;
