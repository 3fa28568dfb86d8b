import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorClock } from './clock';
import { HttpError } from './http-error';

/** The largest request body the emulator reads. */
const MAX_BODY = 1024 * 1024;

/** Answers `status` with `body` as JSON, or with no body. */
export function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (body === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers }).end(text);
}

/** Answers an API error in the `{code, message}` shape PlanetScale sends. */
export function sendError(res: ServerResponse, error: HttpError): void {
  send(res, error.status, { code: error.code, message: error.message });
}

/** Every answer carries the emulator's own time in its Date header, as a real server's carries its clock. */
export function dated(res: ServerResponse, clock: EmulatorClock): void {
  res.sendDate = false;
  res.setHeader('date', clock.now().toUTCString());
}

/** The request body parsed as JSON; undefined when empty. */
export async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, 'payload_too_large', 'request body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'bad_request', 'request body is not valid JSON');
  }
}
