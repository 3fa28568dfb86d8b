import { CredentialsError } from './errors';

/**
 * The two credentials PlanetScale's SDK and the official Terraform provider accept:
 *
 * - a service token: `Authorization: <id>:<token>`, no scheme (planetscale-go client.go serviceTokenTransport; the
 *   provider's custom_security.go);
 * - an OAuth access token, e.g. from `pscale auth login`: `Authorization: Bearer <token>` (planetscale-go wraps it in
 *   oauth2.StaticTokenSource, whose default token type is Bearer; the CLI's connections client writes "Bearer " itself).
 *
 * Variable names follow the provider (v0.x provider.go): PLANETSCALE_SERVICE_TOKEN_ID (PLANETSCALE_SERVICE_TOKEN_NAME
 * is its deprecated alias, still read so pipelines set up for the provider work unchanged), PLANETSCALE_SERVICE_TOKEN,
 * PLANETSCALE_ACCESS_TOKEN. Setting both kinds is refused as ambiguous, as the provider does.
 */

export const TOKEN_ID_VARIABLE = 'PLANETSCALE_SERVICE_TOKEN_ID';
export const TOKEN_NAME_VARIABLE = 'PLANETSCALE_SERVICE_TOKEN_NAME';
export const TOKEN_VARIABLE = 'PLANETSCALE_SERVICE_TOKEN';
export const ACCESS_TOKEN_VARIABLE = 'PLANETSCALE_ACCESS_TOKEN';

/** Every variable that can carry a deploy credential: kept away from sinks. */
export const CREDENTIAL_VARIABLES = [TOKEN_ID_VARIABLE, TOKEN_NAME_VARIABLE, TOKEN_VARIABLE, ACCESS_TOKEN_VARIABLE] as const;

/** A service token id and its secret. Never logged, never part of an error message. */
export interface ServiceTokenCredentials {
  readonly id: string;
  readonly token: string;
}

/** An OAuth access token. Never logged, never part of an error message. */
export interface AccessTokenCredentials {
  readonly accessToken: string;
}

export type PlanetScaleCredentials = ServiceTokenCredentials | AccessTokenCredentials;

export function isAccessToken(credentials: PlanetScaleCredentials): credentials is AccessTokenCredentials {
  return 'accessToken' in credentials;
}

const SECRET_PREFIX = 'pscale_tkn_';
const BOTH = `${TOKEN_ID_VARIABLE} and ${TOKEN_VARIABLE}`;

function variable(env: NodeJS.ProcessEnv, name: string): string {
  return env[name]?.trim() ?? '';
}

/**
 * Reads the credential from the environment, refusing a missing, empty, swapped or ambiguous setting with a message
 * that names the variables (and never echoes their values).
 */
export function credentialsFromEnvironment(env: NodeJS.ProcessEnv = process.env): PlanetScaleCredentials {
  const accessToken = variable(env, ACCESS_TOKEN_VARIABLE);
  const idVariable = variable(env, TOKEN_ID_VARIABLE) ? TOKEN_ID_VARIABLE : TOKEN_NAME_VARIABLE;
  const id = variable(env, idVariable);
  const token = variable(env, TOKEN_VARIABLE);
  const named = variable(env, TOKEN_NAME_VARIABLE);
  if (accessToken && (id || token)) {
    throw new CredentialsError(
      `ambiguous PlanetScale credentials: ${ACCESS_TOKEN_VARIABLE} and a service token (${BOTH}) are both set; set only one`,
    );
  }
  if (accessToken) return { accessToken };
  if (named && variable(env, TOKEN_ID_VARIABLE) && named !== variable(env, TOKEN_ID_VARIABLE)) {
    throw new CredentialsError(
      `ambiguous PlanetScale credentials: ${TOKEN_ID_VARIABLE} and ${TOKEN_NAME_VARIABLE} (its deprecated alias) hold different ids; set only ${TOKEN_ID_VARIABLE}`,
    );
  }
  const missing = [id ? undefined : TOKEN_ID_VARIABLE, token ? undefined : TOKEN_VARIABLE].filter(Boolean);
  if (missing.length > 0) {
    throw new CredentialsError(
      `PlanetScale credentials missing: set ${BOTH}, or ${ACCESS_TOKEN_VARIABLE} (not set or empty: ${missing.join(', ')})`,
    );
  }
  if (id.startsWith(SECRET_PREFIX)) {
    throw new CredentialsError(
      `${idVariable} holds a token secret (it starts with ${SECRET_PREFIX}): ${idVariable} and ${TOKEN_VARIABLE} look swapped; ` +
        `the id is the short identifier, the secret goes in ${TOKEN_VARIABLE}`,
    );
  }
  if (/[\s:]/.test(id)) {
    throw new CredentialsError(`${idVariable} is malformed: a service token id has no spaces or colons (check ${BOTH})`);
  }
  return { id, token };
}

/** The Authorization header value. */
export function authorizationHeader(credentials: PlanetScaleCredentials): string {
  return isAccessToken(credentials) ? `Bearer ${credentials.accessToken}` : `${credentials.id}:${credentials.token}`;
}

/** How messages call the credential, and which variables to check when it is refused. */
export function describeCredential(credentials: PlanetScaleCredentials): { noun: string; variables: string } {
  return isAccessToken(credentials)
    ? { noun: 'OAuth access token', variables: ACCESS_TOKEN_VARIABLE }
    : { noun: 'service token', variables: BOTH };
}

/** What to deploy with when PlanetScale refuses a service token something a user token may do. */
export const USE_ACCESS_TOKEN = `deploy with an OAuth access token (${ACCESS_TOKEN_VARIABLE}, e.g. from \`pscale auth login\`)`;

/** Why a service token may be refused on the service-token routes (docs/api-fidelity.md, row 8). */
export const SERVICE_TOKENS_REFUSED =
  'PlanetScale has refused service tokens on the service-token routes "so that they cannot modify themselves or others" (planetscale/cli PR #758)';
