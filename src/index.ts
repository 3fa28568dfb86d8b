export * from './constructs';
export * from './api';
export * from './emulator';
export type { OutputsDocument, OutputEntry, PasswordEntry } from './outputs/entries';
export type { ConnectionStrings } from './outputs/connection-strings';
