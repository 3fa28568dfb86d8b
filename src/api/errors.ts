/**
 * Where an API call happened, used to make every error message say what was being done and to what.
 */
export interface OperationContext {
  /** Human name of the operation, e.g. "create password". */
  readonly operation: string;
  readonly organization: string;
  readonly database?: string;
  readonly branch?: string;
}

/** "create password (organization acme, database shop, branch main)". */
export function describeOperation(context: OperationContext): string {
  const scope = [`organization ${context.organization}`];
  if (context.database) scope.push(`database ${context.database}`);
  if (context.branch) scope.push(`branch ${context.branch}`);
  return `${context.operation} (${scope.join(', ')})`;
}

/** Base class so callers can catch everything this package throws about the API in one place. */
export class PlanetScaleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The credentials in the environment are missing or malformed. Raised before any request is sent. */
export class CredentialsError extends PlanetScaleError {}

/** The API answered with an error status (after any retries). */
export class PlanetScaleApiError extends PlanetScaleError {
  constructor(
    message: string,
    /** HTTP status code. */
    readonly status: number,
    /** The API's error code (`not_found`, `unauthorized`, ...), when the body carried one. */
    readonly code: string | undefined,
    readonly context: OperationContext,
    /** The API's own message, sanitized (no secrets); undefined when the body carried none. */
    readonly apiMessage?: string,
  ) {
    super(message);
  }

  get isNotFound(): boolean {
    return this.status === 404;
  }
}

/**
 * A request that changes something was sent, but no answer arrived (timeout or connection lost).
 * The change may or may not have been made: look the object up before trying again.
 */
export class OutcomeUnknownError extends PlanetScaleError {
  constructor(
    readonly context: OperationContext,
    /** The low-level reason (undici error code), never containing request data. */
    readonly reason: string,
  ) {
    super(
      `${describeOperation(context)}: outcome unknown, the request was sent but no response arrived (${reason}); ` +
        'the change may or may not have been made, look the object up before retrying',
    );
  }
}

/** The API could not be reached at all (nothing was processed). */
export class ConnectionError extends PlanetScaleError {
  constructor(
    readonly context: OperationContext,
    readonly reason: string,
  ) {
    super(`${describeOperation(context)}: could not reach the PlanetScale API (${reason})`);
  }
}

/** The API answered 2xx but the body is not what the API documents. */
export class UnexpectedResponseError extends PlanetScaleError {}
