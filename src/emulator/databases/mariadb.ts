import { join } from 'node:path';
// Bundled into the emulator and the CLI (scripts/bundle.ts), so not a runtime dependency of the package.
// eslint-disable-next-line import/no-extraneous-dependencies
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import type { TlsFiles } from './authority';
import { administer, requireProgram, runProgram, startProgram, type AdministeredServer, type ServerAccount } from './programs';
import { MYSQL_PORT } from '../../model/contract';


const INSTALL = 'apt-get install -y --no-install-recommends mariadb-server (Debian/Ubuntu)';

/** A local MariaDB server standing in for PlanetScale's MySQL-compatible branches; root over its Unix socket administers it. */
export type MariaDbServer = AdministeredServer<Connection>;

/**
 * Starts MariaDB on `address`:3306 with its data under `directory`. TLS is required for every TCP connection
 * (`require_secure_transport`), as PlanetScale requires it; host names are never resolved, so the host part of an
 * account is matched against the client's IP address only, which is how an allow-list becomes a host pattern.
 */
export async function startMariaDb(directory: string, address: string, tls: TlsFiles, account: ServerAccount | undefined): Promise<MariaDbServer> {
  const server = requireProgram(['mariadbd', 'mysqld'], INSTALL);
  const install = requireProgram(['mariadb-install-db', 'mysql_install_db'], INSTALL);
  const dataDirectory = join(directory, 'data');
  const socketPath = join(directory, 'mysqld.sock');
  const logFile = join(directory, 'mariadb.log');
  // Written by the server itself (as the server account); logFile collects what the programs print.
  const errorLog = join(directory, 'error.log');
  // root gets an empty password: over the socket (in a directory only the server account can enter) it stays; the
  // TCP root accounts install-db also makes are dropped below, before any client can reach the port.
  await runProgram(install, ['--no-defaults', `--datadir=${dataDirectory}`, '--auth-root-authentication-method=normal', '--skip-test-db'], account, logFile);
  const child = startProgram(
    server,
    [
      '--no-defaults',
      `--datadir=${dataDirectory}`,
      `--socket=${socketPath}`,
      `--pid-file=${join(directory, 'mysqld.pid')}`,
      `--bind-address=${address}`,
      `--port=${MYSQL_PORT}`,
      '--skip-name-resolve',
      `--ssl-ca=${tls.caFile}`,
      `--ssl-cert=${tls.certFile}`,
      `--ssl-key=${tls.keyFile}`,
      '--require-secure-transport=ON',
      // LOAD_FILE and INTO OUTFILE only inside the server's own directory.
      `--secure-file-priv=${directory}`,
      `--log-error=${errorLog}`,
      // A throwaway server: small, and no durability work.
      '--innodb-buffer-pool-size=16M',
      '--innodb-log-file-size=8M',
      '--innodb-flush-log-at-trx-commit=0',
      '--skip-log-bin',
      '--performance-schema=OFF',
    ],
    account,
    logFile,
  );
  const connect = () => createConnection({ socketPath, user: 'root', password: '' });
  return administer('MariaDB', child, errorLog, connect, async (admin) => {
    // The admin session may sit idle for hours (no MySQL password changes): never let the server close it.
    await admin.query('SET SESSION wait_timeout = 31536000');
    // Only root over the socket administers the server: no root (or anonymous) account over TCP.
    const [remote] = await admin.query<RowDataPacket[]>("SELECT User, Host FROM mysql.user WHERE (User = 'root' AND Host <> 'localhost') OR User = ''");
    for (const { User, Host } of remote) await admin.query('DROP USER ?@?', [User, Host]);
  }, 'SIGTERM');
}
