import { PlanetScaleApiError, PlanetScaleClient, type PlanetScaleCredentials } from '../../src/api';
import type { RunningEmulator } from '../../src/emulator';

/** API clients a test file opens, closed together at the end. Retries are off: tests assert on single answers. */
export class Clients {
  private readonly opened: PlanetScaleClient[] = [];

  for(emulator: RunningEmulator, credentials: PlanetScaleCredentials = emulator.token, organization = 'acme'): PlanetScaleClient {
    const client = new PlanetScaleClient({ organization, baseUrl: emulator.url, credentials, retry: { maxRetries: 0 } });
    this.opened.push(client);
    return client;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.opened.splice(0).map((c) => c.close()));
  }
}

/** The HTTP status a call ended with: 200 for success, the API error's status otherwise. */
export async function statusOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (error) {
    if (error instanceof PlanetScaleApiError) return error.status;
    throw error;
  }
}
