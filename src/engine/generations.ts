import type { CreateReason } from './changes';
import type { OutputEntry } from '../outputs/entries';

/**
 * Rules every kind of credential shares when planning: which live instance of a declared credential is kept, which
 * generation came before, why a new one is created, and when a credential counts as expired or expiring.
 */

/** When a credential was made, and when it expires (null: never). */
interface Lifetime {
  readonly created_at: string;
  readonly expires_at: string | null;
}

/** What every live credential carries that these rules read. */
interface Dated {
  readonly value: Lifetime & { readonly id: string };
}

export function hasExpired(expiresAt: string | null, now: Date): boolean {
  return expiresAt !== null && new Date(expiresAt).getTime() <= now.getTime();
}

export function expiresWithin(expiresAt: string | null, now: Date, seconds: number): boolean {
  return expiresAt !== null && new Date(expiresAt).getTime() - now.getTime() <= seconds * 1000;
}

/**
 * Whether a credential is worth a warning: within the window, and in the last quarter of its life (a 7-day password
 * is not "expiring" the day it is made, whatever the window).
 */
export function nearingExpiry(credential: Lifetime, now: Date, windowSeconds: number): boolean {
  if (credential.expires_at === null) return false;
  const lifetime = new Date(credential.expires_at).getTime() - new Date(credential.created_at).getTime();
  return expiresWithin(credential.expires_at, now, Math.min(windowSeconds, lifetime / 4000));
}

/** "in 3 days", "in less than a day". */
export function timeLeft(expiresAt: string, now: Date): string {
  const left = (new Date(expiresAt).getTime() - now.getTime()) / 86_400_000;
  return left < 1 ? 'in less than a day' : `in ${Math.floor(left)} day${Math.floor(left) === 1 ? '' : 's'}`;
}

/**
 * Of the live instances of one declared credential (same construct, this generation), which one to keep: the one
 * whose secret the outputs file holds; else, when none is recorded and the journal does not name it, the oldest that
 * has not expired (its secret may be in use somewhere: it is reported, never replaced silently; an expired one is of
 * use to no one). The others, and any whose create the journal shows interrupted, are orphans whose secret never
 * arrived.
 */
export function choose<T extends Dated>(
  instances: readonly T[],
  recorded: OutputEntry | undefined,
  interrupted: boolean,
  now: Date,
): { kept?: T; orphans: T[] } {
  const held = instances.find((i) => recorded?.id === i.value.id);
  if (held) return { kept: held, orphans: instances.filter((i) => i !== held) };
  if (interrupted || instances.length === 0) return { orphans: [...instances] };
  const expired = (i: T) => (hasExpired(i.value.expires_at, now) ? 1 : 0);
  const [best, ...others] = [...instances].sort((a, b) => expired(a) - expired(b) || a.value.created_at.localeCompare(b.value.created_at));
  return { kept: best, orphans: others };
}

/** The most recently created instance: the generation a new one replaces. */
export function newest<T extends Dated>(instances: readonly T[]): T | undefined {
  return [...instances].sort((a, b) => b.value.created_at.localeCompare(a.value.created_at))[0];
}

/** Items grouped by the object (construct) they belong to. */
export function byObject<T>(items: readonly T[], objectOf: (item: T) => string): ReadonlyMap<string, readonly T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const list = map.get(objectOf(item));
    if (list) list.push(item);
    else map.set(objectOf(item), [item]);
  }
  return map;
}

/** Why a credential with no usable instance of its generation is created. */
export function createReason(facts: {
  readonly expired: boolean;
  readonly orphans: number;
  readonly otherGenerations: number;
  readonly recorded: boolean;
}): CreateReason {
  if (facts.expired) return 'expired';
  if (facts.orphans > 0) return 'interrupted';
  if (facts.otherGenerations > 0) return 'new generation';
  return facts.recorded ? 'missing' : 'new';
}
