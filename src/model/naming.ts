import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import { DISPLAY_NAME_PATTERN, OWNER_PATTERN } from './contract';

/**
 * Ownership by name. Every object the constructs manage is named
 *
 *     <display>.<owner>.<object>.<generation>
 *
 * display     the construct's `name` (or id): what a person sees in the PlanetScale UI
 * owner       the ownership key of the stack (PlanetScale construct `owner`, default the stack name)
 * object      8 hex digits of a hash of the construct path: which construct it belongs to
 * generation  8 hex digits of a hash of the fields fixed at creation (and the rotation label)
 *
 * None of the parts may contain a dot, so a name parses back unambiguously, and the stack reconciler can tell its
 * own objects (owner matches, shape matches) from everything else, which it never touches.
 */


export interface ManagedName {
  readonly display: string;
  readonly owner: string;
  readonly object: string;
  readonly generation: string;
}

function hash8(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

export function objectHash(constructPath: string): string {
  return hash8(`path:${constructPath}`);
}

/**
 * Hash of the fields that force a new object, as canonical JSON of their [key, value] pairs sorted by key. The recipe
 * is part of every live credential's name: changing it would issue every credential again (test/unit/naming.test.ts
 * pins it).
 */
export function generationHash(fixed: Record<string, unknown>): string {
  const pairs = Object.keys(fixed)
    .sort()
    .map((key) => [key, fixed[key]]);
  return hash8(`generation:${canonicalJson(pairs)}`);
}

export function formatManagedName(name: ManagedName): string {
  return `${name.display}.${name.owner}.${name.object}.${name.generation}`;
}

/** The managed name of a declared password or token of `owner`. */
export function managedNameOf(declaration: Omit<ManagedName, 'owner'>, owner: string): string {
  return formatManagedName({ display: declaration.display, owner, object: declaration.object, generation: declaration.generation });
}

/** Parses a name as a managed name of `owner`; undefined for anything this owner does not own. */
export function parseOwnedName(name: string, owner: string): ManagedName | undefined {
  const parts = name.split('.');
  if (parts.length !== 4) return undefined;
  const [display, nameOwner, object, generation] = parts;
  if (nameOwner !== owner || !DISPLAY_NAME_PATTERN.test(display) || !/^[0-9a-f]{8}$/.test(object) || !/^[0-9a-f]{8}$/.test(generation)) {
    return undefined;
  }
  return { display, owner: nameOwner, object, generation };
}

/**
 * The default owner key of a stack. Distinct stack names must never share a key (the reconciler of one would delete
 * the other's objects), so the key is the stack name itself when that is already a valid key, and otherwise a readable
 * slug plus 8 hex digits of a hash of the exact name: `team_a` → `team-a-1f0e…`, while `team-a` stays `team-a`;
 * `Prod` and `prod`, names of non-ASCII letters, and long names sharing a prefix all get different keys.
 */
export function ownerFromStackName(stackName: string): string {
  if (OWNER_PATTERN.test(stackName)) return stackName;
  const slug = stackName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 23)
    .replace(/-+$/, '');
  return `${slug || 'stack'}-${hash8(`stack:${stackName}`)}`;
}

/** The ownership marker of a Postgres IP rule: a managed name whose generation never changes (rules change in place). */
export function ruleMarkerOf(display: string, owner: string, object: string): string {
  return formatManagedName({ display, owner, object, generation: generationHash({}) });
}

/**
 * Postgres IP rules have no name, so their managed name travels in the description as a trailing tag:
 * "BI tools [cdktf:warehouse.access.1a2b3c4d.5e6f7a8b]". The user's description is everything before it.
 */
const RULE_TAG = /\s*\[cdktf:([^\]\s]+)\]$/;

export function describeRule(description: string, marker: string): string {
  return description ? `${description} [cdktf:${marker}]` : `[cdktf:${marker}]`;
}

/** The managed name tagged in a rule description, if any. */
export function ruleMarker(description: string | null): string | undefined {
  return description ? RULE_TAG.exec(description)?.[1] : undefined;
}
