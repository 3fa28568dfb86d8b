import { Clients } from './api';
import { TerraformProject } from './terraform';
import type { PlanetScaleClient, PlanetScaleCredentials } from '../../src/api';
import { DEFAULT_BEHAVIOUR, startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator';

/**
 * The requests one run spends listing what the stack owns in the scenario's seed (its databases, their branches,
 * the Postgres branches' roles, the MySQL branches' passwords, the Postgres database's IP rules, the service
 * tokens): what every apply costs before it changes anything.
 */
export const SCENARIO_INVENTORY_REQUESTS = {
  'GET list_databases': 1,
  'GET list_branches': 3,
  'GET list_roles': 2,
  'GET list_passwords': 4,
  'GET list_database_postgres_cidrs': 1,
  'GET list_service_tokens': 1,
} as const;

export interface Scenario {
  readonly emulator: RunningEmulator;
  /** The bootstrap (all-access) client, for checking API state. */
  readonly api: PlanetScaleClient;
  /** This test's Terraform project. */
  readonly project: TerraformProject;
  /** A client with other credentials (e.g. a token the stack created). */
  client(credentials: PlanetScaleCredentials): PlanetScaleClient;
}

/**
 * Jest hooks for an end-to-end file: one emulator for the file, a fresh Terraform project for each test. After each
 * test, its project is destroyed (so the next test starts from a clean organization) and every secret that appeared
 * in its outputs file must appear nowhere else: state, plan/apply/destroy output, handler output, synthesized JSON.
 */
export function useScenario(options: EmulatorOptions = {}): Scenario {
  const clients = new Clients();
  let emulator: RunningEmulator | undefined;
  let api: PlanetScaleClient | undefined;
  let project: TerraformProject | undefined;
  beforeAll(async () => {
    emulator = await startEmulator(options);
    api = clients.for(emulator);
  });
  afterAll(async () => {
    // The emulator (and any database servers it runs) stops even when closing a client fails.
    try {
      await clients.closeAll();
    } finally {
      await emulator?.stop();
    }
  });
  beforeEach(() => {
    project = new TerraformProject(emulator!);
    emulator!.faults.clear();
    Object.assign(emulator!.behaviour, DEFAULT_BEHAVIOUR);
  });
  afterEach(async () => {
    const leaked = project!.leakedSecrets();
    emulator!.faults.clear();
    Object.assign(emulator!.behaviour, DEFAULT_BEHAVIOUR);
    await project!.destroy();
    project!.remove();
    expect(leaked).toEqual([]);
  });
  return {
    get emulator() {
      return emulator!;
    },
    get api() {
      return api!;
    },
    get project() {
      return project!;
    },
    client: (credentials) => clients.for(emulator!, credentials),
  };
}
