import type { DatabaseKind, PasswordRole } from '../api/types';

/** Emulator records: what the emulated service stores. Secrets are kept only as hashes. */

export interface OrganizationRecord {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
}

export interface DatabaseRecord {
  readonly id: string;
  readonly organization: string;
  readonly name: string;
  readonly kind: DatabaseKind;
  readonly createdAt: string;
}

export interface BranchRecord {
  readonly id: string;
  readonly organization: string;
  readonly database: string;
  readonly name: string;
  readonly production: boolean;
  readonly createdAt: string;
}

export interface ActorRecord {
  readonly id: string;
  readonly displayName: string;
}

export interface PasswordRecord {
  readonly id: string;
  readonly organization: string;
  readonly database: string;
  readonly branch: string;
  name: string;
  readonly role: PasswordRole;
  cidrs: string[];
  readonly createdAt: string;
  readonly ttlSeconds: number | null;
  expiresAt: string | null;
  readonly replica: boolean;
  readonly directVtgate: boolean;
  readonly username: string;
  readonly secretHash: string;
  readonly actor: ActorRecord;
}

export interface AccessRecord {
  readonly id: string;
  readonly access: string;
  readonly resourceType: 'Database' | 'Organization';
  readonly resourceId: string;
  readonly resourceName: string;
  readonly createdAt: string;
}

export interface ServiceTokenRecord {
  readonly id: string;
  readonly organization: string;
  readonly name: string | null;
  readonly secretHash: string;
  readonly createdAt: string;
  updatedAt: string;
  readonly expiresAt: string | null;
  accesses: AccessRecord[];
}

export interface IpRuleRecord {
  readonly id: string;
  readonly organization: string;
  readonly database: string;
  schema: string;
  role: string;
  cidrs: string[];
  description: string | null;
  readonly createdAt: string;
  updatedAt: string;
  readonly actor: ActorRecord;
}

export interface EmulatorState {
  organizations: OrganizationRecord[];
  databases: DatabaseRecord[];
  branches: BranchRecord[];
  passwords: PasswordRecord[];
  serviceTokens: ServiceTokenRecord[];
  ipRules: IpRuleRecord[];
}

export function emptyState(): EmulatorState {
  return { organizations: [], databases: [], branches: [], passwords: [], serviceTokens: [], ipRules: [] };
}
