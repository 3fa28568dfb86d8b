import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomString(alphabet: string, length: number): string {
  // Rejection sampling keeps the distribution uniform.
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < limit && out.length < length) out += alphabet[byte % alphabet.length];
    }
  }
  return out;
}

/** Object ids look like PlanetScale's: 12 lowercase alphanumerics. */
export function newId(): string {
  return randomString(LOWER_ALNUM, 12);
}

/** Database usernames: 20 lowercase alphanumerics. */
export function newUsername(): string {
  return randomString(LOWER_ALNUM, 20);
}

/**
 * Postgres role usernames: `pscale_api_` and 12 lowercase alphanumerics, as PlanetScale's CLI tests show them
 * ("pscale_api_45lwf7v03mvy.ua0vjkcqtfid" in cli internal/cmd/role reassign_test.go, with the branch id as suffix).
 */
export function newRoleUsername(): string {
  return `pscale_api_${randomString(LOWER_ALNUM, 12)}`;
}

/** `pscale_pw_` followed by 43 characters, the real format. */
export function newPasswordSecret(): string {
  return `pscale_pw_${randomString(ALNUM, 43)}`;
}

/** `pscale_tkn_` followed by 43 characters. */
export function newTokenSecret(): string {
  return `pscale_tkn_${randomString(ALNUM, 43)}`;
}

/** `pscale_oauth_` followed by 43 characters (the prefix GitHub secret scanning knows PlanetScale OAuth tokens by). */
export function newAccessTokenSecret(): string {
  return `pscale_oauth_${randomString(ALNUM, 43)}`;
}

/** The emulator keeps only hashes of secrets, so its state file never holds one. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function secretMatches(secret: string, hash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(hash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
