import { createMysqlAccounts, dropMysqlAccounts, hostPatterns, type MysqlAccount } from './mysql-accounts';
import { createPostgresRole, disablePostgresLogin, dropPostgresRole, ownsObjects, reassignOwned, setPostgresPassword } from './postgres-accounts';
import type { DatabaseServers } from './servers';
import type { EmulatorClock } from '../clock';
import { hasExpired } from '../expiry';
import type { RoleRecord } from '../model';
import type { DatabaseUsers } from '../route';
import type { Store } from '../store';

/** A Postgres branch role as it exists in the local cluster. */
interface LocalRole {
  readonly name: string;
  /** The secret it logs in with; undefined while it cannot log in (secret never issued here, or expired). */
  readonly secret: string | undefined;
}

/** The owner of last resort: the local `postgres` role, which owns the database (databases/postgres.ts). */
const DEFAULT_OWNER = 'postgres';

/**
 * Keeps the real database users in line with the emulator's credentials: after every change the API makes, and as
 * credentials expire, `sync` creates, alters and drops MariaDB accounts and PostgreSQL roles so that exactly the
 * live credentials connect, with their role's privileges, from their allowed addresses.
 *
 * Secrets are known only when the API issues them (create, reset): `remember` keeps them in memory, never in the
 * state file. A credential whose secret this process never saw (one from a persisted state file, or a branch's
 * default role before a reset) has no way in.
 */
export class DatabaseAccounts implements DatabaseUsers {
  private readonly secrets = new Map<string, string>();
  private readonly mysql = new Map<string, MysqlAccount>();
  private readonly postgres = new Map<string, LocalRole>();
  private readonly warned = new Set<string>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly servers: DatabaseServers,
    private readonly store: Store,
    private readonly clock: EmulatorClock,
    private readonly warn: (line: string) => void,
  ) {}

  /** Records a secret the API has just issued for credential `id`. */
  remember(id: string, secret: string): void {
    this.secrets.set(id, secret);
  }

  /** Runs `work` after every earlier piece of work: API changes and their database changes never interleave. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work, work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Brings the database users in line with the credentials as they stand now. */
  async sync(): Promise<void> {
    const now = this.clock.now();
    await this.syncMysql(now);
    await this.syncPostgres(now);
    this.forgetSecretsOfDeleted();
  }

  /** Whether a Postgres role owns objects in the local cluster (then deleting it needs a successor). */
  async roleOwnsObjects(roleId: string): Promise<boolean> {
    const local = this.postgres.get(roleId);
    return local !== undefined && (await ownsObjects(this.servers.postgres.admin, local.name));
  }

  /** Gives a role's objects to another (the reassign route). */
  async reassign(roleId: string, successorId: string): Promise<void> {
    const from = this.postgres.get(roleId);
    const to = this.postgres.get(successorId);
    if (from && to) await reassignOwned(this.servers.postgres.admin, from.name, to.name);
  }

  private async syncMysql(now: Date): Promise<void> {
    const admin = this.servers.mariadb.admin;
    const wanted = new Map<string, MysqlAccount>();
    for (const password of this.store.state.passwords) {
      if (!this.secrets.has(password.id) || hasExpired(password.expiresAt, now)) continue;
      wanted.set(password.id, { username: password.username, hosts: hostPatterns(password.cidrs), database: password.database, role: password.role });
    }
    for (const [id, want] of wanted) {
      const secret = this.secrets.get(id)!;
      const have = this.mysql.get(id);
      if (!have) {
        await createMysqlAccounts(admin, want, secret);
      } else {
        // An allow-list edit: the new hosts first, so an address allowed before and after never loses its way in.
        await createMysqlAccounts(admin, want, secret, want.hosts.filter((h) => !have.hosts.includes(h)));
        await dropMysqlAccounts(admin, want.username, have.hosts.filter((h) => !want.hosts.includes(h)), false);
      }
      this.mysql.set(id, want);
    }
    for (const [id, have] of this.mysql) {
      if (wanted.has(id)) continue;
      // Deleted or expired: the accounts go, and so do the sessions they opened.
      await dropMysqlAccounts(admin, have.username, have.hosts, true);
      this.mysql.delete(id);
    }
  }

  private async syncPostgres(now: Date): Promise<void> {
    const admin = this.servers.postgres.admin;
    const present = new Set<string>();
    for (const role of this.store.state.roles) {
      const name = this.localName(role);
      if (name === undefined) continue;
      present.add(role.id);
      const issued = this.secrets.get(role.id);
      const secret = issued !== undefined && !hasExpired(role.expiresAt, now) ? issued : undefined;
      const have = this.postgres.get(role.id);
      if (!have) {
        const missing = await createPostgresRole(admin, name, role.inheritedRoles, secret);
        for (const parent of missing.filter((r) => !this.warned.has(r))) {
          this.warned.add(parent);
          this.warn(`emulator: the local PostgreSQL has no role ${parent}; roles inheriting it are created without it`);
        }
      } else if (secret !== undefined && secret !== have.secret) {
        await setPostgresPassword(admin, name, secret);
      } else if (secret === undefined && have.secret !== undefined) {
        // Expired: no new sessions, the open ones ended; what it owns stays (the API still lists the role).
        await disablePostgresLogin(admin, name);
      }
      this.postgres.set(role.id, { name, secret });
    }
    for (const [id, have] of this.postgres) {
      if (present.has(id)) continue;
      const deletion = this.store.state.roleDeletions.filter((d) => d.id === id).pop();
      const successor = deletion?.successorId ? this.postgres.get(deletion.successorId)?.name : undefined;
      // The API found nothing owned (or none was named): anything left goes to the branch's default role.
      const onBranch = (r: RoleRecord) =>
        deletion !== undefined && r.organization === deletion.organization && r.database === deletion.database && r.branch === deletion.branch;
      const fallback = this.store.state.roles.find((r) => r.isDefault && onBranch(r));
      // Objects go to the successor; never dropped with the role.
      await dropPostgresRole(admin, have.name, successor ?? (fallback && this.postgres.get(fallback.id)?.name) ?? DEFAULT_OWNER);
      this.postgres.delete(id);
    }
  }

  /** The local role of a branch role: the username the API answers, branch suffix included. */
  private localName(role: RoleRecord): string | undefined {
    const { organization, database, branch: name } = role;
    const branch = this.store.state.branches.find((b) => b.organization === organization && b.database === database && b.name === name);
    return branch && `${role.username}.${branch.id}`;
  }

  private forgetSecretsOfDeleted(): void {
    const { passwords, roles } = this.store.state;
    for (const id of this.secrets.keys()) {
      if (!passwords.some((p) => p.id === id) && !roles.some((r) => r.id === id)) this.secrets.delete(id);
    }
  }
}
