import type { CreateReason, DeleteTarget } from './changes';
import type { Execution } from './execution';
import { OutcomeUnknownError } from '../api/errors';

/** How one credential is created, for `issueCredential`. */
export interface Issue<T> {
  /** "password", "role", "service token": how log lines call it. */
  readonly what: string;
  /** Its managed name. */
  readonly name: string;
  /** Instances an interrupted run left, whose secret never arrived: deleted first. */
  readonly orphans: readonly DeleteTarget[];
  readonly create: () => Promise<T>;
  /** Instances of `name` that exist now: after a lost answer, those the run did not list were made by the lost request. */
  readonly findByName: () => Promise<readonly DeleteTarget[]>;
}

/**
 * Creates a credential. PlanetScale has no idempotency keys: a create whose answer was lost may or may not have
 * happened, so the credential is looked up by name, whatever the lost request made is deleted (its secret never
 * arrived: nobody can use it), and the create is sent again.
 */
export async function issueCredential<T>(run: Execution, issue: Issue<T>): Promise<T> {
  const { what, name, log } = { ...issue, log: run.log };
  for (const orphan of issue.orphans) {
    log(`deleting ${what} ${name} (${orphan.live.value.id}) left by an interrupted run; its secret was never recorded`);
    await run.delete(orphan);
  }
  try {
    return await issue.create();
  } catch (error) {
    if (!(error instanceof OutcomeUnknownError)) throw error;
    log(`${error.message}; looking it up`);
  }
  for (const lost of (await issue.findByName()).filter((target) => !run.knownIds.has(target.live.value.id))) {
    log(`deleting ${what} ${lost.live.value.id} created by the lost request (its secret never arrived)`);
    await run.delete(lost);
  }
  return issue.create();
}

/** " (new generation)" after a log line, nothing for a new credential. */
export function reasonSuffix(reason: CreateReason): string {
  return reason === 'new' ? '' : ` (${reason})`;
}

/** "new generation, replaces the previous one", as a plan line says why a credential is created. */
export const CREATE_REASON_TEXT: Readonly<Record<CreateReason, string>> = {
  'new': 'new',
  'new generation': 'new generation, replaces the previous one',
  'missing': 'missing: deleted outside code',
  'expired': 'expired: a new one replaces it',
  'interrupted': 'its create was interrupted',
};

/** " (first deletes the instance left by the interrupted run, …)" when there are orphans. */
export function orphansDeleted(count: number): string {
  return count === 0 ? '' : ` (first deletes ${count === 1 ? 'the instance' : `${count} instances`} left by the interrupted run, whose secret was never recorded)`;
}
