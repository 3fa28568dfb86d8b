import type { IConstruct } from 'constructs';
import { DISPLAY_NAME_PATTERN, MAX_PATH_LENGTH, RESOURCE_NAME_PATTERN, ROTATION_PATTERN } from '../model/contract';
import { parseTtl } from '../model/ttl';

/** A construct prop that cannot work. Thrown at synth, before anything is applied. */
export class ConstructValidationError extends Error {}

/** Text as it appears in a message: whole when short, else its start, an ellipsis and its length. */
export function shown(text: string, limit = 80): string {
  return text.length <= limit ? text : `${text.slice(0, limit)}… (${text.length} characters)`;
}

/** "DatabasePassword access/app: ttl "90x" is not a duration: ..." — kind, construct path, field, what is allowed. */
export function invalidProp(construct: IConstruct, field: string, message: string): ConstructValidationError {
  return new ConstructValidationError(`${construct.constructor.name} ${shown(construct.node.path)}: ${field} ${message}`);
}

/**
 * The construct path names the object in the outputs file and in every message; a path longer than the limit would
 * fail deep inside the desired-state checks, so it is refused here, naming the construct.
 */
export function checkConstructPath(construct: IConstruct): void {
  const path = construct.node.path;
  if (path.length > MAX_PATH_LENGTH) {
    throw invalidProp(construct, 'id', `makes a construct path of ${path.length} characters; the limit is ${MAX_PATH_LENGTH} (use shorter construct ids)`);
  }
}

/** Checks a PlanetScale resource name (organization, database, branch). */
export function checkResourceName(construct: IConstruct, field: string, value: unknown): string {
  if (typeof value !== 'string' || !RESOURCE_NAME_PATTERN.test(value)) {
    throw invalidProp(
      construct,
      field,
      `${shown(JSON.stringify(value) ?? String(value))} is not a valid name: use 1-64 lowercase letters, digits, '-' or '_', starting with a letter or digit`,
    );
  }
  return value;
}

/** The display part of a managed name: `name` if given, else the construct id. */
export function checkDisplayName(construct: IConstruct, name: unknown, id: string): string {
  const display = name ?? id;
  if (typeof display !== 'string' || !DISPLAY_NAME_PATTERN.test(display)) {
    const what = name === undefined
      ? `the construct id ${shown(JSON.stringify(id))} cannot be used as a name; set \`name\`:`
      : `${shown(JSON.stringify(display) ?? String(display))} is not valid:`;
    throw invalidProp(construct, 'name', `${what} use 1-32 letters, digits, '-' or '_', starting with a letter or digit`);
  }
  return display;
}

/** A rotation label: changing it forces a new credential. */
export function checkRotation(construct: IConstruct, rotation: unknown): string {
  const value = rotation ?? '';
  if (typeof value !== 'string' || !ROTATION_PATTERN.test(value)) {
    throw invalidProp(construct, 'rotation', `${shown(JSON.stringify(value) ?? String(value))} is not valid: use up to 64 letters, digits, '.', '_', ':' or '-'`);
  }
  return value;
}

/** A duration in seconds (a TTL, a renewal window), or undefined for none. */
export function checkTtl(construct: IConstruct, field: string, ttl: number | string | undefined): number | undefined {
  if (ttl === undefined) return undefined;
  const parsed = parseTtl(ttl);
  if ('error' in parsed) throw invalidProp(construct, field, parsed.error);
  return parsed.seconds;
}

/**
 * A rule that involves other constructs (which may be declared later), checked at synth as a construct validation:
 * the framework collects every construct's problems and reports them all at once, each line naming its construct
 * (`[access/app] successor ...`). `check` returns the problems, each a sentence without the construct's path.
 */
export function deferredCheck(construct: IConstruct, check: () => string[]): void {
  construct.node.addValidation({ validate: check });
}
