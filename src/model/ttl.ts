import ms from 'ms';
import { MAX_TTL_SECONDS } from './contract';

const FORMAT = /^(\d+)\s*(s|m|h|d|w)$/;

/**
 * Reads a TTL given as whole seconds or as a duration string such as '90d', '12h', '30m' (units s, m, h, d, w).
 * Returns seconds, or an error message saying what is allowed.
 */
export function parseTtl(value: number | string): { seconds: number } | { error: string } {
  let seconds: number;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return { error: `${value} is not a whole number of seconds` };
    seconds = value;
  } else {
    const text = value.trim();
    if (!FORMAT.test(text)) {
      return { error: `"${value}" is not a duration: use whole seconds (3600) or a number with a unit s, m, h, d or w ('90d', '12h', '30m')` };
    }
    seconds = Math.round(ms(text.replace(/\s+/g, '') as ms.StringValue) / 1000);
  }
  if (seconds <= 0) return { error: `${JSON.stringify(value)} must be positive (omit ttl for a credential that does not expire)` };
  if (seconds > MAX_TTL_SECONDS) return { error: `${JSON.stringify(value)} is longer than the maximum of 365d` };
  return { seconds };
}
