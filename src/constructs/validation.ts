import type { IConstruct } from 'constructs';

/** A construct prop that cannot work. Thrown at synth, before anything is applied. */
export class ConstructValidationError extends Error {}

/** "DatabasePassword access/app: ttl "90x" is not a duration: ..." — kind, construct path, field, what is allowed. */
export function invalidProp(construct: IConstruct, field: string, message: string): ConstructValidationError {
  return new ConstructValidationError(`${construct.constructor.name} ${construct.node.path}: ${field} ${message}`);
}

/** Checks a PlanetScale resource name (organization, database, branch). */
export function checkResourceName(construct: IConstruct, field: string, value: unknown): string {
  if (typeof value !== 'string' || !/^[a-z0-9][a-z0-9_-]{0,63}$/.test(value)) {
    throw invalidProp(
      construct,
      field,
      `${JSON.stringify(value)} is not a valid name: use 1-64 lowercase letters, digits, '-' or '_', starting with a letter or digit`,
    );
  }
  return value;
}
