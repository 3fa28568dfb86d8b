import type { ConnectionDetails } from './connection-strings';
import { DEFAULT_CA_BUNDLE, POSTGRES_PORT } from '../model/contract';

/**
 * Ready-made connection strings for a PlanetScale Postgres role. PlanetScale requires TLS with server verification
 * (`sslmode=verify-full`) and documents `sslrootcert=system` (libpq 16+: the system CA store) and direct TLS
 * negotiation (docs postgres/connecting: "sslmode: Set to verify-full for secure connections (required)"). Clients
 * that do not understand `sslrootcert=system` get the usual Linux CA bundle path instead. Port 5432 connects
 * directly; PlanetScale's PgBouncer listens on 6432.
 */
export interface PostgresConnectionStrings {
  /** postgresql:// URL for libpq-based drivers and tools (libpq 16+ for `sslrootcert=system`). */
  readonly general: string;
  /**
   * Node.js node-postgres (`pg`) and the tools built on it: node-postgres reads `sslrootcert` as a file path and has
   * no `system`, so this URL leaves it out and Node's own CA store verifies the server (`NODE_EXTRA_CA_CERTS` adds to it).
   */
  readonly node_postgres: string;
  /** A psql command line (libpq keyword/value form, single-quoted for a POSIX shell). */
  readonly psql: string;
  /** Prisma `DATABASE_URL`: Prisma verifies the server against the system CAs with `sslaccept=strict`. */
  readonly prisma: string;
  /** Rails `DATABASE_URL` (pg gem, libpq). */
  readonly rails: string;
  /** Django: `DATABASE_URL` for dj-database-url (psycopg, libpq). */
  readonly django: string;
  /** Python SQLAlchemy URL (psycopg 3). */
  readonly sqlalchemy: string;
  /** Go pgx URL. */
  readonly go_pgx: string;
  /** Java JDBC URL (pgJDBC verifies against Java's trust store through DefaultJavaSSLFactory). */
  readonly jdbc: string;
  /** .NET Npgsql connection string. */
  readonly dotnet: string;
  /** Rust sqlx URL. */
  readonly rust: string;
  /** PHP PDO constructor call. */
  readonly php_pdo: string;
  /**
   * Laravel `.env` lines (pgsql connection). Laravel's stock `config/database.php` hard-codes `'sslmode' => 'prefer'`
   * for pgsql and reads no root certificate, but it reads `DB_URL` and takes the URL's query options (`sslmode`,
   * `sslrootcert`) into the connection: so the TLS settings travel in `DB_URL` (Laravel 11 and later; 10 and earlier
   * call it `DATABASE_URL`).
   */
  readonly laravel_env: string;
}

const PORT = POSTGRES_PORT;

/** A value for a libpq keyword/value string: quoted, with `\` and `'` escaped, as libpq reads it. */
function conninfoValue(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A POSIX shell single-quoted word. */
function shellQuoted(value: string): string {
  return `'${value.replace(/'/g, "'\\''")}'`;
}

export function postgresConnectionStrings(details: ConnectionDetails): PostgresConnectionStrings {
  const { host, username, password, database } = details;
  const CA_BUNDLE = details.caBundle ?? DEFAULT_CA_BUNDLE;
  const user = encodeURIComponent(username);
  const pass = encodeURIComponent(password);
  const db = encodeURIComponent(database);
  const url = (scheme: string, query: string) => `${scheme}://${user}:${pass}@${host}:${PORT}/${db}?${query}`;
  const conninfo = [
    `host=${conninfoValue(host)}`,
    `port=${PORT}`,
    `user=${conninfoValue(username)}`,
    `password=${conninfoValue(password)}`,
    `dbname=${conninfoValue(database)}`,
    'sslmode=verify-full',
    'sslrootcert=system',
  ].join(' ');
  return {
    general: url('postgresql', 'sslmode=verify-full&sslrootcert=system'),
    node_postgres: url('postgresql', 'sslmode=verify-full'),
    psql: `psql ${shellQuoted(conninfo)}`,
    prisma: url('postgresql', 'sslmode=require&sslaccept=strict'),
    rails: url('postgresql', `sslmode=verify-full&sslrootcert=${CA_BUNDLE}`),
    django: url('postgres', `sslmode=verify-full&sslrootcert=${CA_BUNDLE}`),
    sqlalchemy: url('postgresql+psycopg', `sslmode=verify-full&sslrootcert=${CA_BUNDLE}`),
    go_pgx: url('postgres', `sslmode=verify-full&sslrootcert=${CA_BUNDLE}`),
    jdbc: `jdbc:postgresql://${host}:${PORT}/${db}?sslmode=verify-full&sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory&user=${user}&password=${pass}`,
    dotnet: `Host=${host};Port=${PORT};Database=${database};Username=${username};Password=${password};SSL Mode=VerifyFull;Root Certificate=${CA_BUNDLE}`,
    rust: url('postgres', `sslmode=verify-full&sslrootcert=${CA_BUNDLE}`),
    php_pdo: `new PDO("pgsql:host=${host};port=${PORT};dbname=${database};sslmode=verify-full;sslrootcert=${CA_BUNDLE}", "${username}", "${password}");`,
    laravel_env: ['DB_CONNECTION=pgsql', `DB_URL=${url('postgresql', `sslmode=verify-full&sslrootcert=${CA_BUNDLE}`)}`].join('\n'),
  };
}
