/**
 * PlanetScale's enumerations that synth, the API client's response checks, the engine and the emulator all use: one
 * list each, so a value accepted on one side is accepted on every side.
 */

/** The roles of a MySQL/Vitess branch password (the OpenAPI description's `role` enum of create_password). */
export const PASSWORD_ROLES = ['reader', 'writer', 'readwriter', 'admin'] as const;
export type PasswordRole = (typeof PASSWORD_ROLES)[number];

/** The engines of a PlanetScale database (`kind` of a database or branch). */
export const DATABASE_KINDS = ['mysql', 'postgresql'] as const;
export type DatabaseKind = (typeof DATABASE_KINDS)[number];
