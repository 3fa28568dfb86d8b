import { CredentialsError } from './errors';

export const TOKEN_ID_VARIABLE = 'PLANETSCALE_SERVICE_TOKEN_ID';
export const TOKEN_VARIABLE = 'PLANETSCALE_SERVICE_TOKEN';

/** A service token id and its secret. Never logged, never part of an error message. */
export interface ServiceTokenCredentials {
  readonly id: string;
  readonly token: string;
}

const SECRET_PREFIX = 'pscale_tkn_';
const BOTH = `${TOKEN_ID_VARIABLE} and ${TOKEN_VARIABLE}`;

/**
 * Reads the service token from the environment, refusing a missing, empty or swapped pair with a message that
 * names both variables (and never echoes their values).
 */
export function credentialsFromEnvironment(env: NodeJS.ProcessEnv = process.env): ServiceTokenCredentials {
  const id = env[TOKEN_ID_VARIABLE]?.trim() ?? '';
  const token = env[TOKEN_VARIABLE]?.trim() ?? '';
  const missing = [id ? undefined : TOKEN_ID_VARIABLE, token ? undefined : TOKEN_VARIABLE].filter(Boolean);
  if (missing.length > 0) {
    throw new CredentialsError(
      `PlanetScale credentials missing: set ${BOTH} (not set or empty: ${missing.join(', ')})`,
    );
  }
  if (id.startsWith(SECRET_PREFIX)) {
    throw new CredentialsError(
      `${TOKEN_ID_VARIABLE} holds a token secret (it starts with ${SECRET_PREFIX}): ${BOTH} look swapped; ` +
        `the id is the short identifier, the secret goes in ${TOKEN_VARIABLE}`,
    );
  }
  if (/[\s:]/.test(id)) {
    throw new CredentialsError(`${TOKEN_ID_VARIABLE} is malformed: a service token id has no spaces or colons (check ${BOTH})`);
  }
  return { id, token };
}

/** The Authorization header value: `<id>:<token>`, no scheme. */
export function authorizationHeader(credentials: ServiceTokenCredentials): string {
  return `${credentials.id}:${credentials.token}`;
}
