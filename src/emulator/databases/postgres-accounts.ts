import type { Client } from 'pg';

/**
 * How a Postgres branch role becomes a PostgreSQL role. The local role is named like the username PlanetScale
 * answers (`pscale_api_….<branch id>`), so the connection strings' user connects as is; PlanetScale's proxy strips
 * the branch suffix, the local server keeps it (so `current_user` shows it). All branches share the `postgres`
 * database of one local cluster.
 */

/** Creates the role, able to log in only when its secret is known, member of the inherited roles the server has. */
export async function createPostgresRole(admin: Client, name: string, inherited: readonly string[], secret: string | undefined): Promise<string[]> {
  const role = admin.escapeIdentifier(name);
  // A sync that failed halfway may have made the role already: then it is altered into shape instead.
  const { rowCount } = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
  const login = secret === undefined ? 'NOLOGIN' : `LOGIN PASSWORD ${admin.escapeLiteral(secret)}`;
  await admin.query(`${rowCount ? 'ALTER' : 'CREATE'} ROLE ${role} ${login}`);
  const { rows } = await admin.query<{ rolname: string }>('SELECT rolname FROM pg_roles WHERE rolname = ANY($1::text[])', [[...inherited]]);
  const present = new Set(rows.map((r) => r.rolname));
  for (const parent of inherited.filter((r) => present.has(r))) await admin.query(`GRANT ${admin.escapeIdentifier(parent)} TO ${role}`);
  // Roles of the API's list that this PostgreSQL version does not have (pg_maintain is PostgreSQL 17's, say).
  return inherited.filter((r) => !present.has(r));
}

/** A new secret (a reset): the role logs in with it from now on. */
export async function setPostgresPassword(admin: Client, name: string, secret: string): Promise<void> {
  await admin.query(`ALTER ROLE ${admin.escapeIdentifier(name)} LOGIN PASSWORD ${admin.escapeLiteral(secret)}`);
}

/** Stops the role logging in and ends its open sessions (an expired role keeps what it owns). */
export async function disablePostgresLogin(admin: Client, name: string): Promise<void> {
  await admin.query(`ALTER ROLE ${admin.escapeIdentifier(name)} NOLOGIN`);
  await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [name]);
}

/** Whether the role owns anything (a table, a sequence, a schema…) in any database of the cluster. */
export async function ownsObjects(admin: Client, name: string): Promise<boolean> {
  const { rows } = await admin.query(
    "SELECT 1 FROM pg_shdepend d JOIN pg_roles r ON r.oid = d.refobjid WHERE r.rolname = $1 AND d.deptype = 'o' LIMIT 1",
    [name],
  );
  return rows.length > 0;
}

/** Gives everything `from` owns to `to` (the successor), as PlanetScale's reassign and delete-with-successor do. */
export async function reassignOwned(admin: Client, from: string, to: string): Promise<void> {
  await admin.query(`REASSIGN OWNED BY ${admin.escapeIdentifier(from)} TO ${admin.escapeIdentifier(to)}`);
}

/** Drops the role: sessions ended, objects to the successor (when one is named), its privileges revoked. */
export async function dropPostgresRole(admin: Client, name: string, successor: string | undefined): Promise<void> {
  await disablePostgresLogin(admin, name);
  if (successor !== undefined) await reassignOwned(admin, name, successor);
  await admin.query(`DROP OWNED BY ${admin.escapeIdentifier(name)}`);
  await admin.query(`DROP ROLE ${admin.escapeIdentifier(name)}`);
}
