import type { IConstruct } from 'constructs';
import { DISPLAY_NAME_PATTERN } from '../spec/naming';
import { parseTtl } from '../spec/ttl';

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

/** The display part of a managed name: `name` if given, else the construct id. */
export function checkDisplayName(construct: IConstruct, name: unknown, id: string): string {
  const display = name ?? id;
  if (typeof display !== 'string' || !DISPLAY_NAME_PATTERN.test(display)) {
    const what = name === undefined ? `the construct id ${JSON.stringify(id)} cannot be used as a name; set \`name\`:` : `${JSON.stringify(display)} is not valid:`;
    throw invalidProp(construct, 'name', `${what} use 1-32 letters, digits, '-' or '_', starting with a letter or digit`);
  }
  return display;
}

/** A rotation label: changing it forces a new credential. */
export function checkRotation(construct: IConstruct, rotation: unknown): string {
  const value = rotation ?? '';
  if (typeof value !== 'string' || !/^[A-Za-z0-9._:-]{0,64}$/.test(value)) {
    throw invalidProp(construct, 'rotation', `${JSON.stringify(value)} is not valid: use up to 64 letters, digits, '.', '_', ':' or '-'`);
  }
  return value;
}

/** A TTL in seconds, or undefined for none. */
export function checkTtl(construct: IConstruct, ttl: number | string | undefined): number | undefined {
  if (ttl === undefined) return undefined;
  const parsed = parseTtl(ttl);
  if ('error' in parsed) throw invalidProp(construct, 'ttl', parsed.error);
  return parsed.seconds;
}
