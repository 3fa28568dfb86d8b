import type { BranchRecord } from './model';

/**
 * Where the emulated branches answer connections: PlanetScale's hosts by default, or the address of the local
 * servers when the emulator runs them (`--databases`), so connection strings built from the API's answers connect.
 */
export interface ServiceHosts {
  /** The host of every MySQL/Vitess branch (PlanetScale: one edge host per region). */
  readonly mysql: string;
  /** The host of a Postgres branch. */
  postgres(branch: BranchRecord): string;
}

export const PLANETSCALE_HOSTS: ServiceHosts = { mysql: 'aws.connect.psdb.cloud', postgres: postgresHost };

/** Every branch on one host: the local servers of `--databases`. */
export function localHosts(address: string): ServiceHosts {
  return { mysql: address, postgres: () => address };
}

/**
 * The host of a Postgres branch: `{id+region}.horizon.psdb.cloud` (PlanetScale docs, postgres/connecting:
 * "xxxxxxxxxx-useast1-1.horizon.psdb.cloud").
 */
function postgresHost(branch: BranchRecord): string {
  return `${branch.id.slice(0, 10)}-useast1-1.horizon.psdb.cloud`;
}
