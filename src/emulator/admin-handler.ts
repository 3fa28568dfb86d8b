import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkBehaviour, type EmulatorBehaviour } from './behaviour';
import type { EmulatorClock } from './clock';
import type { Faults, FaultSpec } from './faults';
import { readBody, send } from './http';
import { HttpError } from './http-error';
import type { RequestCounter } from './request-counter';
import type { AccessTokenOptions } from './token-issuer';
import type { AccessTokenCredentials } from '../api/credentials';

/** What the admin API (/_emulator/…) reads and changes. */
export interface AdminServices {
  readonly clock: EmulatorClock;
  readonly faults: Faults;
  readonly requests: RequestCounter;
  readonly behaviour: EmulatorBehaviour;
  /** How many requests the rate limit refused. */
  readonly rateLimited: () => number;
  readonly issueAccessToken: (options: AccessTokenOptions) => AccessTokenCredentials;
  /** Brings the database users in line with the clock (after it moved). */
  readonly syncAccounts: () => Promise<void>;
}

/** Serves one request of the admin API tests use: health, faults, OAuth tokens, behaviour, latency, clock, request counts. */
export async function handleAdmin(services: AdminServices, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const { clock, faults, requests, behaviour } = services;
  const body = (await readBody(req)) as Record<string, unknown> | undefined;
  const route = `${req.method} ${url.pathname}`;
  switch (route) {
    case 'GET /_emulator/health':
      return send(res, 200, { ok: true });
    case 'POST /_emulator/faults':
      try {
        faults.add(body as unknown as FaultSpec);
      } catch (error) {
        throw HttpError.unprocessable((error as Error).message);
      }
      return send(res, 204);
    case 'DELETE /_emulator/faults':
      faults.clear();
      return send(res, 204);
    case 'POST /_emulator/oauth-tokens':
      return send(res, 200, { access_token: services.issueAccessToken((body ?? {}) as AccessTokenOptions).accessToken });
    case 'POST /_emulator/behaviour':
      try {
        Object.assign(behaviour, checkBehaviour(body ?? {}));
      } catch (error) {
        throw HttpError.unprocessable((error as Error).message);
      }
      return send(res, 200, behaviour);
    case 'POST /_emulator/latency':
      faults.latencyMs = Number(body?.ms ?? 0);
      return send(res, 204);
    case 'POST /_emulator/clock':
      if (typeof body?.advanceSeconds === 'number') clock.advance(body.advanceSeconds * 1000);
      else if (typeof body?.now === 'string') clock.set(new Date(body.now));
      await services.syncAccounts();
      return send(res, 200, { now: clock.now().toISOString() });
    case 'GET /_emulator/requests':
      return send(res, 200, { total: requests.total, byOperation: requests.snapshot(), rateLimited: services.rateLimited() });
    case 'DELETE /_emulator/requests':
      requests.reset();
      return send(res, 204);
    default:
      throw HttpError.notFound();
  }
}
