import { describeAccesses, describeScopes, isBranchRequirement, type BranchKind, type Endpoint } from './endpoints';
import { parseErrorBody } from './error-body';
import { describeOperation, PlanetScaleApiError, type OperationContext } from './errors';

/** The credential a client calls with, as messages speak of it. */
export interface CredentialInMessages {
  /** "service token" or "OAuth access token". */
  readonly noun: string;
  /** The environment variables that hold it. */
  readonly variables: string;
  /** Whether it is an OAuth access token (it needs scopes), else a service token (it needs accesses). */
  readonly isAccessToken: boolean;
}

/**
 * What a credential needs for an endpoint, for advice in messages: "delete_branch_password (development branch) on
 * database shop", or the OAuth scopes for an access token. With the branch kind, only that kind's access is named.
 */
export function describeNeeds(credential: CredentialInMessages, endpoint: Endpoint, database: string | undefined, kind?: BranchKind): string {
  const where = database ? `on database ${database}` : 'on the organization';
  if (credential.isAccessToken) return describeScopes(endpoint, kind);
  const accesses = describeAccesses(endpoint, kind);
  if (isBranchRequirement(endpoint.requires) && !kind) return `${accesses} (${where})`;
  return kind || !accesses.includes(',') ? `${accesses} ${where}` : `one of these accesses ${where}: ${accesses}`;
}

/**
 * The error for an answer with an error status (after any retries): the operation, the status, what the API said,
 * and what to check.
 */
export function statusError(
  status: number,
  text: string,
  call: { readonly endpoint: Endpoint; readonly context: OperationContext },
  credential: CredentialInMessages,
): PlanetScaleApiError {
  const { code, message } = parseErrorBody(text);
  const what = describeOperation(call.context);
  const said = message ? `: ${message}` : '';
  const { noun, variables } = credential;
  let advice = '';
  if (status === 401) {
    advice = `; check ${variables} (wrong value, expired or deleted ${noun})`;
  } else if (status === 403) {
    advice = `; the ${noun} needs ${describeNeeds(credential, call.endpoint, call.context.database)}`;
  } else if (status === 404) {
    // The API answers 404, not 403, when the credential lacks the access (planetscale/cli PR #1067: "a 404 generally
    // means the token does not have access to the resource"); so a 404 never proves that something is absent.
    advice = `; not found, or the ${noun} lacks the access it needs: ${describeNeeds(credential, call.endpoint, call.context.database)}`;
  } else if (status === 429) {
    advice = '; rate limited (600 requests per minute) and retries ran out';
  }
  return new PlanetScaleApiError(`${what} failed with HTTP ${status}${code ? ` (${code})` : ''}${said}${advice}`, status, code, call.context, message);
}
