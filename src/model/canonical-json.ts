/**
 * JSON with object keys sorted at every level: the same value always gives the same text. The desired-state file,
 * its digest (the reconciler's trigger), the declarations' Terraform attributes and the generation hash of every
 * managed name are written with it.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}
