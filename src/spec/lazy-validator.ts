import Ajv, { type ValidateFunction } from 'ajv';

const ajv = new Ajv({ allErrors: false, strict: false });

/**
 * A validator compiled on first use. The handler starts once per resource during `terraform apply` and uses only a
 * few of the schemas; compiling all of them up front cost more than the rest of its start-up.
 */
export function lazyValidator<T>(schema: object): () => ValidateFunction<T> {
  let compiled: ValidateFunction<T> | undefined;
  return () => (compiled ??= ajv.compile<T>(schema));
}
