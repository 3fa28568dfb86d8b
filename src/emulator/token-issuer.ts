import type { EmulatorClock } from './clock';
import { expiryAfter } from './expiry';
import { hashSecret, newAccessTokenSecret, newId, newTokenSecret, secretMatches } from './identifiers';
import type { OAuthScopes } from './model';
import type { Store } from './store';
import type { AccessTokenCredentials, ServiceTokenCredentials } from '../api/credentials';
import { organizationScopes } from '../api/endpoints';
import { ALL_ACCESSES } from '../model/accesses';

/**
 * The credentials the emulator hands out itself, outside the API: the bootstrap service token a run starts with, and
 * OAuth access tokens (as `pscale auth login` would get one).
 */

const BOOTSTRAP_NAME = 'emulator-bootstrap';

/** What an OAuth access token issued by the emulator may do. */
export interface AccessTokenOptions {
  /** Scopes per level. @default every scope the emulated routes name, on the organization */
  readonly scopes?: OAuthScopes;
  /**
   * Whether the user is an organization administrator (may manage service tokens and grant any access).
   * @default true when no scopes are given, else false
   */
  readonly admin?: boolean;
  /** Seconds until it expires. @default no expiry */
  readonly ttlSeconds?: number;
}

/** Finds or makes the all-access token of the first organization. */
export function bootstrapToken(
  store: Store,
  organization: string,
  wanted: ServiceTokenCredentials | undefined,
  clock: EmulatorClock,
): ServiceTokenCredentials {
  if (wanted) {
    const existing = store.state.serviceTokens.find((t) => t.id === wanted.id);
    if (existing && secretMatches(wanted.token, existing.secretHash)) return wanted;
    if (existing) throw new Error(`bootstrap token ${wanted.id} exists in the state file with a different secret`);
  }
  const credentials = wanted ?? { id: newId(), token: newTokenSecret() };
  const now = clock.now().toISOString();
  const org = store.organization(organization);
  store.state.serviceTokens.push({
    id: credentials.id,
    organization,
    name: BOOTSTRAP_NAME,
    secretHash: hashSecret(credentials.token),
    createdAt: now,
    updatedAt: now,
    expiresAt: null,
    accesses: ALL_ACCESSES.map((access) => ({
      id: newId(),
      access,
      resourceType: 'Organization' as const,
      resourceId: org.id,
      resourceName: org.name,
      createdAt: now,
    })),
  });
  return credentials;
}

/** Issues an OAuth access token of the organization and saves the store. */
export function issueAccessToken(store: Store, organization: string, clock: EmulatorClock, options: AccessTokenOptions = {}): AccessTokenCredentials {
  const accessToken = newAccessTokenSecret();
  const created = clock.now();
  store.state.oauthTokens.push({
    id: newId(),
    organization,
    displayName: 'emulated user',
    secretHash: hashSecret(accessToken),
    createdAt: created.toISOString(),
    expiresAt: expiryAfter(created, options.ttlSeconds),
    scopes: options.scopes ?? { organization: organizationScopes() },
    admin: options.admin ?? options.scopes === undefined,
  });
  store.save();
  return { accessToken };
}
