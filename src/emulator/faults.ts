import type { ServerResponse } from 'node:http';
import { send } from './http';

/**
 * Fault injection: tests queue misbehaviour for matching requests, and the server consults the queue for every
 * API request before handling it.
 */
export type FaultKind =
  /** Answer with `status` instead of handling the request (429, 5xx...). */
  | 'status'
  /** Handle the request (the change is made), then drop the connection without answering. */
  | 'drop-after-change'
  /** Handle the request (the change is made), then never answer: the connection stays open, as with a stalled proxy. */
  | 'hang-after-change'
  /** Answer 307 to `location`. */
  | 'redirect';

export interface FaultSpec {
  readonly kind: FaultKind;
  /** How many matching requests it applies to. @default 1 */
  readonly count?: number;
  /** Only requests with this method. */
  readonly method?: string;
  /** Only requests whose path contains this string. */
  readonly pathIncludes?: string;
  /** For 'status'. */
  readonly status?: number;
  /** For 'status': a `Retry-After` header value (seconds, or an HTTP date). */
  readonly retryAfter?: string;
  /**
   * For 'status': the error body shape: `{code, message}`, `{errors: [{message}]}`, the nested parameter errors
   * `{errors: [{namespace, name, errors: [...]}]}`, or an HTML page. @default 'json'
   */
  readonly body?: 'json' | 'errors' | 'parameter-errors' | 'html';
  /** For 'redirect'. */
  readonly location?: string;
}

interface ActiveFault extends FaultSpec {
  remaining: number;
}

export class Faults {
  /** Added before every API response, in milliseconds. */
  latencyMs = 0;
  private readonly queue: ActiveFault[] = [];

  add(spec: FaultSpec): void {
    if (!['status', 'drop-after-change', 'hang-after-change', 'redirect'].includes(spec.kind)) throw new Error(`unknown fault kind ${spec.kind}`);
    if (spec.kind === 'status' && (!spec.status || spec.status < 400 || spec.status > 599)) {
      throw new Error('a status fault needs a status between 400 and 599');
    }
    this.queue.push({ ...spec, remaining: spec.count ?? 1 });
  }

  clear(): void {
    this.queue.length = 0;
    this.latencyMs = 0;
  }

  /** The fault that applies to this request, consuming one use of it. */
  take(method: string, path: string): FaultSpec | undefined {
    const fault = this.queue.find(
      (f) => f.remaining > 0 && (!f.method || f.method === method) && (!f.pathIncludes || path.includes(f.pathIncludes)),
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining === 0) this.queue.splice(this.queue.indexOf(fault), 1);
    return fault;
  }

  get pending(): number {
    return this.queue.reduce((sum, f) => sum + f.remaining, 0);
  }
}

/** Answers a request the way a `status` or `redirect` fault says, instead of handling it. */
export function answerWithFault(res: ServerResponse, fault: FaultSpec): void {
  if (fault.kind === 'redirect') {
    res.writeHead(307, { location: fault.location ?? '/' }).end();
    return;
  }
  const status = fault.status ?? 500;
  const headers: Record<string, string> = fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {};
  if (fault.body === 'html') {
    const html = `<html><body><h1>${status} Service Unavailable</h1><p>upstream connect error</p></body></html>`;
    res.writeHead(status, { 'content-type': 'text/html', ...headers }).end(html);
  } else if (fault.body === 'errors') {
    send(res, status, { errors: [{ message: `injected error ${status}` }] }, headers);
  } else if (fault.body === 'parameter-errors') {
    // The nested shape planetscale-go's parameterErrorsToError reads.
    send(res, status, { errors: [{ namespace: 'injected', name: 'parameter', errors: [`injected error ${status}`] }] }, headers);
  } else {
    send(res, status, { code: status === 429 ? 'rate_limited' : 'internal_error', message: `injected error ${status}` }, headers);
  }
}
