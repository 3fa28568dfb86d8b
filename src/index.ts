export * from './constructs';
export * from './api';
export * from './emulator';
export type { OutputsDocument, OutputEntry, PasswordEntry } from './outputs/entries';
export type { ConnectionStrings } from './outputs/connection-strings';
export { ALL_ACCESSES, DATABASE_ACCESSES, ORGANIZATION_ACCESSES, type Access, type DatabaseAccess, type OrganizationAccess } from './spec/accesses';
