import type { PlanetScaleClient } from '../../../src/api/client';
import type { Branch, Database, OrganizationServiceToken, Password, PostgresIpRule, PostgresRole } from '../../../src/api/types';

/**
 * A stand-in for PlanetScaleClient with only the methods the inventory and deletions call. Every answer is given
 * up front (a value, or an Error to throw); a call nobody prepared an answer for throws a plain Error, which the engine
 * never takes for a refusal, so a test fails loudly instead of passing on a call it did not expect. Every call is
 * written to `calls`.
 */
export interface FakeAnswers {
  readonly databases?: Database[] | Error;
  /** getDatabase, by name. */
  readonly lookups?: Record<string, Database | Error>;
  /** listBranches, by database. */
  readonly branches?: Record<string, Branch[] | Error>;
  /** listPasswords, by "database/branch". */
  readonly passwords?: Record<string, Password[] | Error>;
  /** listRoles, by "database/branch". */
  readonly roles?: Record<string, PostgresRole[] | Error>;
  /** listPostgresIpRules, by database. */
  readonly rules?: Record<string, PostgresIpRule[] | Error>;
  readonly tokens?: OrganizationServiceToken[] | Error;
  /** Deletes by object id: an Error to throw; any id not listed is deleted (204). */
  readonly deleteErrors?: Record<string, Error>;
  readonly usesAccessToken?: boolean;
  /** What describeNeeds answers, whatever it is asked. */
  readonly needs?: string;
}

export class FakeClient {
  readonly calls: string[] = [];

  constructor(private readonly answers: FakeAnswers = {}) {}

  get usesAccessToken(): boolean {
    return this.answers.usesAccessToken ?? false;
  }

  get credentialName(): string {
    return this.usesAccessToken ? 'OAuth access token' : 'service token';
  }

  /** This fake, typed as the client the engine takes. */
  get client(): PlanetScaleClient {
    return this as unknown as PlanetScaleClient;
  }

  async listDatabases(): Promise<Database[]> {
    return this.answer('listDatabases', this.answers.databases);
  }

  async getDatabase(database: string): Promise<Database> {
    return this.answer(`getDatabase ${database}`, this.answers.lookups?.[database]);
  }

  async listBranches(database: string): Promise<Branch[]> {
    return this.answer(`listBranches ${database}`, this.answers.branches?.[database]);
  }

  async listPasswords(database: string, branch: string, query: { q?: string } = {}): Promise<Password[]> {
    return this.answer(`listPasswords ${database}/${branch}${query.q ? ` q=${query.q}` : ''}`, this.answers.passwords?.[`${database}/${branch}`]);
  }

  async listRoles(database: string, branch: string, query: { q?: string } = {}): Promise<PostgresRole[]> {
    return this.answer(`listRoles ${database}/${branch}${query.q ? ` q=${query.q}` : ''}`, this.answers.roles?.[`${database}/${branch}`]);
  }

  async listPostgresIpRules(database: string): Promise<PostgresIpRule[]> {
    return this.answer(`listPostgresIpRules ${database}`, this.answers.rules?.[database]);
  }

  async listServiceTokens(): Promise<OrganizationServiceToken[]> {
    return this.answer('listServiceTokens', this.answers.tokens);
  }

  async deletePassword(database: string, branch: string, id: string): Promise<void> {
    return this.remove(`deletePassword ${database}/${branch} ${id}`, id);
  }

  async deleteRole(database: string, branch: string, id: string, successor: string): Promise<void> {
    return this.remove(`deleteRole ${database}/${branch} ${id} successor=${successor}`, id);
  }

  async deleteServiceToken(id: string): Promise<void> {
    return this.remove(`deleteServiceToken ${id}`, id);
  }

  async deletePostgresIpRule(database: string, id: string): Promise<void> {
    return this.remove(`deletePostgresIpRule ${database} ${id}`, id);
  }

  describeNeeds(operation: string, scope: { database?: string; kind?: string } = {}): string {
    this.calls.push(`describeNeeds ${operation} ${JSON.stringify(scope)}`);
    return this.answers.needs ?? 'some access';
  }

  private async answer<T>(call: string, answer: T | Error | undefined): Promise<T> {
    this.calls.push(call);
    if (answer === undefined) throw new Error(`fake client: no answer prepared for ${call}`);
    if (answer instanceof Error) throw answer;
    return answer;
  }

  private async remove(call: string, id: string): Promise<void> {
    this.calls.push(call);
    const error = this.answers.deleteErrors?.[id];
    if (error) throw error;
  }
}
