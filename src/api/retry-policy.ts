/**
 * When a request may be sent again, and after how long. Plugged into undici's retry interceptor as its `retry`
 * callback, so undici does the re-dispatching and this file only decides.
 */

export interface RetryPolicyOptions {
  /**
   * Most attempts after the first, for failures other than 429. A 429 says the request was not processed and when to
   * come back, so it is retried as long as the time budget lasts (up to 100 times).
   * @default 8
   */
  readonly maxRetries?: number;
  /** First backoff step in milliseconds (doubled each attempt, with full jitter). @default 300 */
  readonly baseDelayMs?: number;
  /** Longest single wait in milliseconds, also the cap on a server's `Retry-After`. @default 30000 */
  readonly maxDelayMs?: number;
  /** Total time budget for one operation including waits; no retry is started past it. @default 120000 */
  readonly totalTimeMs?: number;
  /** Random source in [0, 1), replaceable in tests. @default Math.random */
  readonly random?: () => number;
}

/** The statuses worth retrying for requests that are safe to repeat. */
const RETRYABLE_STATUSES = [429, 502, 503, 504];
/** Errors meaning the request never reached the server: safe to repeat for any method. */
export const NOT_SENT_ERROR_CODES = ['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH'];
/** Errors after which the request may have been processed. */
export const LOST_RESPONSE_ERROR_CODES = [
  'ECONNRESET',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
];

/** What undici hands the retry callback. */
interface RetryError extends Error {
  statusCode?: number;
  code?: string;
  headers?: Record<string, string | string[] | undefined>;
}

export type RetryCallback = (
  err: RetryError,
  context: { state: { counter: number }; opts: { method?: string } },
  callback: (err?: Error | null) => void,
) => void;

/** Most retries of a request answered 429; in practice the time budget ends them first. */
const RATE_LIMITED_RETRIES = 100;

/** Called before each wait, for a log line. */
export type RetryListener = (event: { attempt: number; delayMs: number; reason: string }) => void;

/** Parses `Retry-After` as delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(raw.trim())) return Math.round(Number(raw) * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Builds the retry decision for one operation.
 * `repeatable` is false for requests that create or otherwise change state non-idempotently (POST): those are
 * retried only when the server provably did not process them (429, or the connection failed before sending).
 */
export function retryDecision(options: RetryPolicyOptions, repeatable: boolean, onRetry?: RetryListener): RetryCallback {
  const maxRetries = options.maxRetries ?? 8;
  const base = options.baseDelayMs ?? 300;
  const maxDelay = options.maxDelayMs ?? 30_000;
  const budget = options.totalTimeMs ?? 120_000;
  const random = options.random ?? Math.random;
  const started = Date.now();

  return (err, { state }, callback) => {
    const status = err.statusCode;
    const code = err.code;
    const eligible =
      status !== undefined
        ? status === 429 || (repeatable && RETRYABLE_STATUSES.includes(status))
        : code !== undefined && (NOT_SENT_ERROR_CODES.includes(code) || (repeatable && LOST_RESPONSE_ERROR_CODES.includes(code)));
    if (!eligible || state.counter > (status === 429 ? RATE_LIMITED_RETRIES : maxRetries)) {
      callback(err);
      return;
    }
    const serverDelay = status !== undefined ? parseRetryAfter(err.headers?.['retry-after']) : undefined;
    const backoff = Math.min(maxDelay, base * 2 ** (state.counter - 1));
    const delayMs = serverDelay !== undefined ? Math.min(serverDelay, maxDelay) : Math.round(random() * backoff);
    if (Date.now() - started + delayMs > budget) {
      callback(err);
      return;
    }
    onRetry?.({ attempt: state.counter + 1, delayMs, reason: status !== undefined ? `HTTP ${status}` : String(code) });
    setTimeout(() => callback(null), delayMs);
  };
}
