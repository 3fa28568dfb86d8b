/**
 * Service token access names, as PlanetScale documents them (the "Service Token Accesses" lines of the API
 * reference and the service-token guide). Organization-level accesses are granted without a database; the others
 * are granted per database (or, on the organization, for every database).
 */
export const ORGANIZATION_ACCESSES = [
  'read_organization',
  'write_organization',
  'read_databases',
  'create_databases',
  'read_service_tokens',
  'write_service_tokens',
  'delete_service_tokens',
  'read_invoices',
  'read_audit_logs',
  'read_oauth_applications',
  'read_oauth_tokens',
  'write_oauth_tokens',
  'delete_oauth_tokens',
  'write_teams',
] as const;

export const DATABASE_ACCESSES = [
  'read_database',
  'write_database',
  'delete_database',
  'read_branch',
  'create_branch',
  'delete_branch',
  'delete_production_branch',
  'promote_branches',
  'demote_branches',
  'connect_branch',
  'connect_production_branch',
  'connect_production_read_only_branch',
  'create_branch_password',
  'create_production_branch_password',
  'create_production_read_only_branch_password',
  'delete_branch_password',
  'delete_production_branch_password',
  'delete_production_read_only_branch_password',
  'read_deploy_request',
  'create_deploy_request',
  'approve_deploy_request',
  'review_deploy_request',
  'read_comment',
  'create_comment',
  'read_backups',
  'write_backups',
  'delete_backups',
  'delete_production_branch_backups',
  'restore_backup',
  'restore_production_branch_backup',
  'write_branch_vschema',
  'write_production_branch_vschema',
] as const;

export type OrganizationAccess = (typeof ORGANIZATION_ACCESSES)[number];
export type DatabaseAccess = (typeof DATABASE_ACCESSES)[number];
export type Access = OrganizationAccess | DatabaseAccess;

export const ALL_ACCESSES: readonly Access[] = [...ORGANIZATION_ACCESSES, ...DATABASE_ACCESSES];

export function isOrganizationAccess(name: string): name is OrganizationAccess {
  return (ORGANIZATION_ACCESSES as readonly string[]).includes(name);
}

export function isDatabaseAccess(name: string): name is DatabaseAccess {
  return (DATABASE_ACCESSES as readonly string[]).includes(name);
}

/** Edit distance, for "did you mean" suggestions. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** The candidate closest to a misspelt name (an access, an inherited role), when one is close enough to be what was meant. */
export function suggestName(name: string, candidates: readonly string[] = ALL_ACCESSES): string | undefined {
  let best: { name: string; score: number } | undefined;
  for (const candidate of candidates) {
    const score = distance(name.toLowerCase(), candidate);
    if (!best || score < best.score) best = { name: candidate, score };
  }
  return best && best.score <= Math.max(2, Math.floor(name.length / 4)) ? best.name : undefined;
}
