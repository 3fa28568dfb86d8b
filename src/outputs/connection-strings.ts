import { DEFAULT_CA_BUNDLE, MYSQL_PORT } from '../model/contract';

/**
 * Ready-made connection strings for a branch password, in the formats PlanetScale's Connect page offers. All use
 * TLS with certificate and host verification; the CA file, where a format needs one, is the system bundle unless the apply names another.
 */
export interface ConnectionDetails {
  readonly host: string;
  readonly username: string;
  readonly password: string;
  readonly database: string;
  /** The CA bundle file for the formats that name one. @default DEFAULT_CA_BUNDLE (the system bundle on Debian/Ubuntu) */
  readonly caBundle?: string;
}

export interface ConnectionStrings {
  /** mysql:// URL for most drivers and tools. */
  readonly general: string;
  /** Prisma `DATABASE_URL`. */
  readonly prisma: string;
  /** Rails `DATABASE_URL` (mysql2 adapter). */
  readonly rails: string;
  /** Laravel `.env` lines. */
  readonly laravel_env: string;
  /** Symfony `.env` line. */
  readonly symfony_env: string;
  /** Go `database/sql` DSN for go-sql-driver/mysql. */
  readonly go_dsn: string;
  /** Python SQLAlchemy URL (PyMySQL). */
  readonly python: string;
  /** Java JDBC URL. */
  readonly jdbc: string;
  /** .NET (MySqlConnector) connection string. */
  readonly dotnet: string;
  /** Rust (sqlx) URL. */
  readonly rust: string;
  /** PHP PDO constructor call. */
  readonly php_pdo: string;
}

export function connectionStrings(details: ConnectionDetails): ConnectionStrings {
  const user = encodeURIComponent(details.username);
  const pass = encodeURIComponent(details.password);
  const { host, database, username, password } = details;
  const CA_BUNDLE = details.caBundle ?? DEFAULT_CA_BUNDLE;
  const db = encodeURIComponent(database);
  return {
    general: `mysql://${user}:${pass}@${host}:${MYSQL_PORT}/${db}?ssl={"rejectUnauthorized":true}`,
    prisma: `mysql://${user}:${pass}@${host}:${MYSQL_PORT}/${db}?sslaccept=strict`,
    rails: `mysql2://${user}:${pass}@${host}:${MYSQL_PORT}/${db}?ssl_mode=verify_identity&sslca=${CA_BUNDLE}`,
    laravel_env: [
      'DB_CONNECTION=mysql',
      `DB_HOST=${host}`,
      `DB_PORT=${MYSQL_PORT}`,
      `DB_DATABASE=${database}`,
      `DB_USERNAME=${username}`,
      `DB_PASSWORD=${password}`,
      `MYSQL_ATTR_SSL_CA=${CA_BUNDLE}`,
    ].join('\n'),
    symfony_env: `DATABASE_URL="mysql://${user}:${pass}@${host}:${MYSQL_PORT}/${db}?serverVersion=8.0&charset=utf8mb4"\nMYSQL_ATTR_SSL_CA=${CA_BUNDLE}`,
    go_dsn: `${username}:${password}@tcp(${host}:${MYSQL_PORT})/${database}?tls=true&interpolateParams=true&parseTime=true`,
    python: `mysql+pymysql://${user}:${pass}@${host}:${MYSQL_PORT}/${db}?ssl_ca=${CA_BUNDLE}&ssl_verify_cert=true&ssl_verify_identity=true`,
    jdbc: `jdbc:mysql://${host}:${MYSQL_PORT}/${database}?sslMode=VERIFY_IDENTITY&user=${user}&password=${pass}`,
    dotnet: `Server=${host};Port=${MYSQL_PORT};Database=${database};User ID=${username};Password=${password};SslMode=VerifyFull;`,
    rust: `mysql://${user}:${pass}@${host}:${MYSQL_PORT}/${db}?ssl-mode=VERIFY_IDENTITY&ssl-ca=${CA_BUNDLE}`,
    php_pdo: `new PDO("mysql:host=${host};port=${MYSQL_PORT};dbname=${database}", "${username}", "${password}", [PDO::MYSQL_ATTR_SSL_CA => "${CA_BUNDLE}"]);`,
  };
}
