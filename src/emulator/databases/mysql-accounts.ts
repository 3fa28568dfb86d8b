/** How a MySQL branch password becomes MariaDB accounts: host patterns from its allow-list, privileges from its role. */
import ipaddr from 'ipaddr.js';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { cidrFamily } from '../../model/cidr';
import type { PasswordRole } from '../../model/planetscale-enums';

/**
 * A password's allow-list as MariaDB account hosts, matched against the client's IP address at connect
 * (the server runs with skip-name-resolve): no CIDRs allows every address (`%`), `a.b.c.d/32` is the address itself,
 * any other IPv4 range is `network/netmask` (MariaDB's netmask notation). MariaDB has no netmask form for IPv6, and
 * the local servers listen on IPv4 loopback only, so IPv6 ranges make no account: a client can only arrive over IPv4,
 * which no IPv6 range admits, and a password allowed from IPv6 ranges alone is refused locally, as PlanetScale would
 * refuse an IPv4 client.
 */
export function hostPatterns(cidrs: readonly string[]): string[] {
  if (cidrs.length === 0) return ['%'];
  const patterns: string[] = [];
  for (const cidr of cidrs) {
    if (cidrFamily(cidr) !== 'ipv4') continue;
    const [, prefix] = ipaddr.parseCIDR(cidr);
    const network = ipaddr.IPv4.networkAddressFromCIDR(cidr).toString();
    if (prefix === 0) patterns.push('%');
    else if (prefix === 32) patterns.push(network);
    else patterns.push(`${network}/${ipaddr.IPv4.subnetMaskFromPrefixLength(prefix).toString()}`);
  }
  return [...new Set(patterns)];
}

/**
 * What each password role may do on the branch's database, as PlanetScale documents the roles (docs
 * vitess/security/password-roles: Read-only "can query rows", Write-only "can modify rows" but not query them,
 * Read/write both, Admin also "can modify schema").
 */
const MYSQL_PRIVILEGES: Readonly<Record<PasswordRole, string>> = {
  reader: 'SELECT, SHOW VIEW',
  writer: 'INSERT, UPDATE, DELETE',
  readwriter: 'SELECT, INSERT, UPDATE, DELETE, SHOW VIEW',
  admin: 'ALL PRIVILEGES',
};

/** A MySQL password as it exists in MariaDB: one account per host pattern, all with the same name and secret. */
export interface MysqlAccount {
  readonly username: string;
  readonly hosts: readonly string[];
  readonly database: string;
  readonly role: PasswordRole;
}

/** Creates the accounts of a password (and the branch's database, on first use), granting the role's privileges. */
export async function createMysqlAccounts(admin: Connection, account: MysqlAccount, secret: string, hosts = account.hosts): Promise<void> {
  if (hosts.length === 0) return;
  const database = admin.escapeId(account.database);
  await admin.query(`CREATE DATABASE IF NOT EXISTS ${database}`);
  for (const host of hosts) {
    // OR REPLACE: a sync that failed halfway leaves an account the next one simply makes again.
    await admin.query('CREATE OR REPLACE USER ?@? IDENTIFIED BY ?', [account.username, host, secret]);
    await admin.query(`GRANT ${MYSQL_PRIVILEGES[account.role]} ON ${database}.* TO ?@?`, [account.username, host]);
  }
}

/** Drops accounts of a password; with no `hosts` left, also ends its open sessions (a deleted password stops working). */
export async function dropMysqlAccounts(admin: Connection, username: string, hosts: readonly string[], endSessions: boolean): Promise<void> {
  for (const host of hosts) await admin.query('DROP USER IF EXISTS ?@?', [username, host]);
  if (!endSessions) return;
  const [sessions] = await admin.query<RowDataPacket[]>('SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ?', [username]);
  for (const session of sessions) await admin.query('KILL CONNECTION ?', [session.ID]).catch(() => undefined);
}
