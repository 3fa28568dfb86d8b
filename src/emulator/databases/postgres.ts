import { chownSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
// Bundled into the emulator and the CLI (scripts/bundle.ts), so not a runtime dependency of the package.
// eslint-disable-next-line import/no-extraneous-dependencies
import { Client } from 'pg';
import type { TlsFiles } from './authority';
import { administer, requireProgram, runProgram, startProgram, type AdministeredServer, type ServerAccount } from './programs';
import { POSTGRES_PORT } from '../../model/contract';


/** The local cluster's superuser: the emulator's own, never a PlanetScale role. */
export const BOOTSTRAP_SUPERUSER = 'planetscale_emulator';

const INSTALL = 'apt-get install -y --no-install-recommends postgresql (Debian/Ubuntu)';

/** A local PostgreSQL server standing in for PlanetScale Postgres branches; the bootstrap superuser over its socket administers it. */
export type PostgresServer = AdministeredServer<Client>;

/**
 * Who may connect: the emulator's superuser over the socket, anyone else over TLS with a SCRAM password
 * (PlanetScale requires TLS: "sslmode: Set to verify-full for secure connections (required)", docs postgres/connecting).
 */
const HBA = `local all ${BOOTSTRAP_SUPERUSER} trust
hostssl all all 0.0.0.0/0 scram-sha-256
`;

/**
 * Starts PostgreSQL on `address`:5432 with its data under `directory`, then makes the branch's default role the way
 * PlanetScale has it: `postgres` owns the `postgres` database (so its members may create objects in `public`) but is
 * not a superuser.
 */
export async function startPostgres(directory: string, address: string, tls: TlsFiles, account: ServerAccount | undefined): Promise<PostgresServer> {
  const initdb = requireProgram(['initdb'], INSTALL);
  // The server of the same installation as initdb (Debian keeps one bin directory per major version).
  const server = join(dirname(initdb), 'postgres');
  const dataDirectory = join(directory, 'pgdata');
  const hbaFile = join(directory, 'pg_hba.conf');
  const logFile = join(directory, 'postgres.log');
  writeFileSync(hbaFile, HBA);
  if (account) chownSync(hbaFile, account.uid, account.gid);
  await runProgram(initdb, ['-D', dataDirectory, '-U', BOOTSTRAP_SUPERUSER, '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-instructions', '--no-sync'], account, logFile);
  const settings: Record<string, string> = {
    listen_addresses: address,
    port: String(POSTGRES_PORT),
    unix_socket_directories: directory,
    unix_socket_permissions: '0700',
    hba_file: hbaFile,
    ssl: 'on',
    ssl_cert_file: tls.certFile,
    ssl_key_file: tls.keyFile,
    password_encryption: 'scram-sha-256',
    // Statements carry passwords (CREATE ROLE ... PASSWORD): never write one to the log, even when it fails.
    log_min_error_statement: 'panic',
    log_statement: 'none',
    // A throwaway server: small, and no durability work.
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    shared_buffers: '16MB',
  };
  const child = startProgram(server, ['-D', dataDirectory, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])], account, logFile);
  const connect = async () => {
    const client = new Client({ host: directory, port: POSTGRES_PORT, user: BOOTSTRAP_SUPERUSER, database: 'postgres' });
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return client;
  };
  const prepare = async (admin: Client) => {
    // The admin session's statements carry passwords: keep them out of pg_stat_activity, which pg_read_all_stats reads.
    await admin.query('SET track_activities = off');
    await admin.query(`CREATE ROLE postgres NOLOGIN CREATEDB CREATEROLE;
      ALTER DATABASE postgres OWNER TO postgres;
      GRANT pg_read_all_data, pg_write_all_data TO postgres;`);
  };
  // SIGINT is PostgreSQL's fast shutdown: open sessions are ended rather than waited for.
  return administer('PostgreSQL', child, logFile, connect, prepare, 'SIGINT');
}
