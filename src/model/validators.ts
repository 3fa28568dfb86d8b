import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';

/**
 * Named JSON-schema validators, compiled on first use. The handler bundle replaces this module with validators
 * precompiled by ajv's standalone code generation (scripts/bundle.ts): Terraform starts the handler once per
 * resource, and compiling schemas at every start cost a fifth of its CPU time.
 */
const schemas = new Map<string, object>();
let ajv: Ajv | undefined;

/** Registers `schema` under `id` and returns a getter for its validator. */
export function validator<T>(id: string, schema: object): () => ValidateFunction<T> {
  if (schemas.has(id) && schemas.get(id) !== schema) throw new Error(`two schemas registered as ${id}`);
  schemas.set(id, schema);
  let compiled: ValidateFunction<T> | undefined;
  return () => (compiled ??= (ajv ??= new Ajv({ allErrors: false, strict: false })).compile<T>(schema));
}

/** Every schema registered so far, by id: what the bundler precompiles. */
export function registeredSchemas(): ReadonlyMap<string, object> {
  return schemas;
}

/** "<path> <what is wrong>" of the first error: every check reports the first offending field, never its value. */
export function describeFirstError(errors: readonly ErrorObject[] | null | undefined, root = '(root)'): string {
  const first = errors?.[0];
  return `${first?.instancePath || root} ${first?.message ?? 'is invalid'}`;
}
