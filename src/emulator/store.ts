import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
// Bundled with the emulator (scripts/bundle.ts), like undici.
// eslint-disable-next-line import/no-extraneous-dependencies
import writeFileAtomic from 'write-file-atomic';
import { HttpError } from './http-error';
import { emptyState, type BranchRecord, type DatabaseRecord, type EmulatorState, type OrganizationRecord } from './model';

/**
 * The emulator's data, with lookups that fail the way the API does (404), and optional persistence to a JSON file
 * (atomic replace, so a crash never leaves half a file). The file holds secret hashes only.
 */
export class Store {
  static load(path: string): Store | undefined {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const state = JSON.parse(text) as EmulatorState;
    return new Store({ ...emptyState(), ...state }, path);
  }

  static create(path?: string): Store {
    return new Store(emptyState(), path);
  }

  readonly state: EmulatorState;

  constructor(
    state: EmulatorState = emptyState(),
    private readonly path?: string,
  ) {
    this.state = state;
  }

  save(): void {
    if (!this.path) return;
    mkdirSync(dirname(this.path), { recursive: true });
    // Secrets are stored as hashes only; the file is still the emulator user's alone.
    writeFileAtomic.sync(this.path, JSON.stringify(this.state, null, 1), { mode: 0o600 });
  }

  organization(name: string): OrganizationRecord {
    const org = this.state.organizations.find((o) => o.name === name);
    if (!org) throw HttpError.notFound();
    return org;
  }

  database(organization: string, name: string): DatabaseRecord {
    const db = this.state.databases.find((d) => d.organization === organization && d.name === name);
    if (!db) throw HttpError.notFound();
    return db;
  }

  databases(organization: string): DatabaseRecord[] {
    return this.state.databases.filter((d) => d.organization === organization);
  }

  branches(organization: string, database: string): BranchRecord[] {
    return this.state.branches.filter((b) => b.organization === organization && b.database === database);
  }

  branch(organization: string, database: string, name: string): BranchRecord {
    const branch = this.state.branches.find((b) => b.organization === organization && b.database === database && b.name === name);
    if (!branch) throw HttpError.notFound();
    return branch;
  }
}
