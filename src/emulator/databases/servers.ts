import { chownSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueServerCertificate } from './authority';
import { startMariaDb, type MariaDbServer } from './mariadb';
import { startPostgres, type PostgresServer } from './postgres';
import { serverAccount, type ServerAccount } from './programs';
import { MYSQL_PORT, POSTGRES_PORT } from '../../model/contract';

/** The local servers behind an emulator started with `databases`. */
export interface DatabaseServers {
  /** The loopback address both listen on: what `access_host_url` answers. */
  readonly address: string;
  /** The emulator's CA certificate (PEM file): trust it to verify the servers (NODE_EXTRA_CA_CERTS, sslrootcert). */
  readonly caFile: string;
  /** The temporary directory holding both servers' data, logs and certificates; removed by `stop`. */
  readonly directory: string;
  readonly mariadb: MariaDbServer;
  readonly postgres: PostgresServer;
  stop(): Promise<void>;
}

/** Whether `port` can be bound on `address` right now; an address the machine does not have is an error. */
function canListen(address: string, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EADDRNOTAVAIL'
        ? reject(new Error(`--databases needs every address of 127.0.0.0/8 on the loopback device, as Linux has it; ${address} is not (macOS has only 127.0.0.1)`))
        : resolve(false),
    );
    probe.listen(port, address, () => probe.close(() => resolve(true)));
  });
}

/**
 * A loopback address of its own for each emulator: the servers must listen on PlanetScale's ports (the connection
 * strings name 3306 and 5432), and on an address of their own two emulators, or a developer's own MySQL on
 * 127.0.0.1, do not collide. Linux routes all of 127.0.0.0/8 to the loopback device and connects from 127.0.0.1.
 */
async function freeLoopbackAddress(): Promise<string> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const octet = (low: number) => low + Math.floor(Math.random() * (255 - low));
    const address = `127.${octet(1)}.${octet(0)}.${octet(1)}`;
    if ((await canListen(address, MYSQL_PORT)) && (await canListen(address, POSTGRES_PORT))) return address;
  }
  throw new Error(
    `--databases found no loopback address where ports ${MYSQL_PORT} and ${POSTGRES_PORT} are free: a server listening on ` +
      'every address (0.0.0.0) holds one of them; stop it, or run the emulator without --databases',
  );
}

function chownTree(path: string, account: ServerAccount): void {
  chownSync(path, account.uid, account.gid);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) chownTree(child, account);
    else chownSync(child, account.uid, account.gid);
  }
}

/**
 * Starts a MariaDB and a PostgreSQL server on a loopback address, with TLS from a certificate authority made for
 * them, in a temporary directory that `stop` removes. If the process exits without `stop`, the servers are killed
 * and the directory removed on the way out.
 */
export async function startDatabaseServers(): Promise<DatabaseServers> {
  const account = serverAccount();
  const address = await freeLoopbackAddress();
  const directory = mkdtempSync(join(tmpdir(), 'planetscale-emulator-db-'));
  const started: Array<MariaDbServer | PostgresServer> = [];
  const killOnExit = () => {
    for (const server of started) server.kill();
    rmSync(directory, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);
  try {
    const tls = await issueServerCertificate(directory, address);
    for (const server of ['mariadb', 'postgres']) mkdirSync(join(directory, server));
    // The servers read the certificates and write below their directories as the unprivileged account.
    if (account) chownTree(directory, account);
    // Both start side by side; if either fails, the other is stopped too (once it has started) before the error.
    const [mariadbStart, postgresStart] = await Promise.allSettled([
      startMariaDb(join(directory, 'mariadb'), address, tls, account).then((s) => (started.push(s), s)),
      startPostgres(join(directory, 'postgres'), address, tls, account).then((s) => (started.push(s), s)),
    ]);
    if (mariadbStart.status === 'rejected') throw mariadbStart.reason;
    if (postgresStart.status === 'rejected') throw postgresStart.reason;
    const [mariadb, postgres] = [mariadbStart.value, postgresStart.value];
    let stopping: Promise<void> | undefined;
    return {
      address,
      caFile: tls.caFile,
      directory,
      mariadb,
      postgres,
      stop: () =>
        (stopping ??= (async () => {
          await Promise.allSettled([mariadb.stop(), postgres.stop()]);
          rmSync(directory, { recursive: true, force: true });
          process.removeListener('exit', killOnExit);
        })()),
    };
  } catch (error) {
    await Promise.allSettled(started.map((s) => s.stop()));
    killOnExit();
    process.removeListener('exit', killOnExit);
    throw error;
  }
}
