import { HttpError } from './http-error';

/** Credential lifetimes as the API plays them: a TTL in seconds (or none: it never expires), an expiry, renewal. */

/** The TTL a create request asks for: absent, zero or negative means none. */
export function requestedTtl(ttl: number | undefined): number | null {
  return ttl && ttl > 0 ? ttl : null;
}

/** When a credential made at `now` with this TTL expires; null without a TTL. */
export function expiryAfter(now: Date, ttlSeconds: number | null | undefined): string | null {
  return ttlSeconds ? new Date(now.getTime() + ttlSeconds * 1000).toISOString() : null;
}

/** Whether a credential with this expiry has expired at `now`. */
export function hasExpired(expiresAt: string | null, now: Date): boolean {
  return expiresAt !== null && new Date(expiresAt).getTime() <= now.getTime();
}

/**
 * Renews a password or role: a full TTL again from `now`. Without a TTL there is nothing to renew (422). An expired
 * password cannot be renewed either: "The password will be invalid and unrenewable when TTL has passed"
 * (terraform-provider-planetscale v0.6.1 docs/resources/password.md); PlanetScale's CLI treats the 422
 * (`unprocessable`) as final (passwordutil). Whether an expired role can be renewed is not documented: refused, as
 * for passwords (docs/api-fidelity.md).
 */
export function renew(credential: { readonly ttlSeconds: number | null; expiresAt: string | null }, now: Date, noun: 'password' | 'role'): void {
  if (credential.ttlSeconds === null) throw HttpError.unprocessable(`${noun} has no TTL and cannot be renewed`);
  if (hasExpired(credential.expiresAt, now)) throw HttpError.unprocessable(`${noun} has expired and can no longer be renewed`);
  credential.expiresAt = new Date(now.getTime() + credential.ttlSeconds * 1000).toISOString();
}
