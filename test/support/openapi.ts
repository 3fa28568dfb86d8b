import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { parse } from 'yaml';

/** PlanetScale's OpenAPI description, read from ../shared (never copied into the project). */
export const SPEC_PATH = resolve(__dirname, '..', '..', '..', 'shared', 'reference', 'planetscale-openapi.yaml');

interface Operation {
  operationId: string;
  description?: string;
  responses: Record<string, { content?: { 'application/json'?: { schema: object } } }>;
}

let cached: { paths: Record<string, Record<string, Operation>> } | undefined;

export function loadSpec(): { paths: Record<string, Record<string, Operation>> } {
  cached ??= parse(readFileSync(SPEC_PATH, 'utf8'));
  return cached!;
}

export function specOperation(path: string, method: string): Operation | undefined {
  return loadSpec().paths[path]?.[method.toLowerCase()];
}

/** The "Service Token Accesses" the spec lists for an operation. */
export function specAccesses(path: string, method: string): string[] {
  const description = specOperation(path, method)?.description ?? '';
  const line = /\*\*Service Token Accesses\*\*\s*\n\s*(.*)/.exec(description)?.[1] ?? '';
  return [...line.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]);
}

/**
 * The "OAuth Scopes" table the spec gives an operation, as levels to scopes; undefined when it documents none.
 *   | Resource | Scopes |  ...  | Organization | `read_databases` |
 */
export function specScopes(path: string, method: string): Record<string, string[]> | undefined {
  const description = specOperation(path, method)?.description ?? '';
  const start = description.indexOf('**OAuth Scopes**');
  if (start < 0) return undefined;
  const table: Record<string, string[]> = {};
  for (const line of description.slice(start).split('\n')) {
    const row = /^\s*\|\s*(User|Organization|Database|Branch)\s*\|(.*)\|\s*$/.exec(line);
    if (row) table[row[1].toLowerCase()] = [...row[2].matchAll(/`([a-z_:]+)`/g)].map((m) => m[1]).sort();
  }
  return table;
}

const ajv = new Ajv({ strict: false, allErrors: true });
const compiled = new Map<string, ValidateFunction>();

/** Validates a response against the spec: the status must be documented, and the body must match its schema. */
export function checkAgainstSpec(path: string, method: string, status: number, body: unknown): string[] {
  const operation = specOperation(path, method);
  if (!operation) return [`${method} ${path} is not in the spec`];
  const response = operation.responses[String(status)];
  if (!response) return [`${method} ${path}: status ${status} is not documented (documented: ${Object.keys(operation.responses).join(', ')})`];
  const schema = response.content?.['application/json']?.schema;
  // The spec gives error answers no schema; their `{code, message}` shape is checked by the caller.
  if (!schema) return body === undefined || status >= 400 ? [] : [`${method} ${path} ${status}: spec documents no body, got one`];
  const key = `${method} ${path} ${status}`;
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(key, validate);
  }
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${key}: ${e.instancePath || '(body)'} ${e.message}`);
}

/** Validates a body against one of our own schemas in test/schemas (for routes the spec lacks). */
export function checkAgainstSchema(schema: object, body: unknown): string[] {
  const validate = ajv.compile(schema);
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message}`);
}
