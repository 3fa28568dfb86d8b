/**
 * Example: PlanetScale access for a shop, as code.
 *
 * - `app`: the production application's password (readwriter), usable only from the office and the CI runners.
 * - `analytics`: a read-only password on the read replicas for BI tools, expiring after 30 days, renewed (same secret)
 *   by any apply or `planetscale-cdktf reconcile` in its last 7 days.
 * - `dev-admin`: an admin password on the development branch, expiring after 7 days.
 * - `ci`: a service token for the CI pipeline (30 days) that can open branches and deploy requests on `shop`.
 * - `warehouse`: a Postgres database IP rule on `analytics` letting the BI network reach the reporting schema.
 * - `reporting`: a Postgres role on the `analytics` database (reader: inherits pg_read_all_data), expiring after 90
 *   days, renewed in its last 14; reachable only from the BI network by an IP rule that follows it across rotations.
 *
 * Deploy with `cdktf deploy` (cdktf.json at the repository root points here). Credentials come from
 * PLANETSCALE_SERVICE_TOKEN_ID / PLANETSCALE_SERVICE_TOKEN; secrets land in planetscale-outputs.json (mode 0600).
 * OFFICE_CIDRS (comma-separated) overrides the office ranges; the demo uses it to show an in-place CIDR change.
 */
import { App, TerraformStack } from 'cdktf';
import { DatabasePassword, IpRestriction, PlanetScale, ServiceToken } from '../src';

const app = new App();
const stack = new TerraformStack(app, 'access');

new PlanetScale(stack, 'planetscale', { organization: process.env.PLANETSCALE_ORGANIZATION ?? 'acme' });

const production = new DatabasePassword(stack, 'app', {
  database: 'shop',
  branch: 'main',
  role: 'readwriter',
  // Change the label (say, after a suspected leak) to issue a new secret: the new one works before the old is deleted.
  rotation: process.env.APP_ROTATION,
});
new IpRestriction(stack, 'office', {
  password: production,
  cidrs: process.env.OFFICE_CIDRS?.split(',') ?? ['203.0.113.0/24', '2001:db8:4000::/48'],
});
new IpRestriction(stack, 'ci-runners', { password: production, cidrs: ['198.51.100.0/26'] });

new DatabasePassword(stack, 'analytics', {
  database: 'shop',
  branch: 'main',
  role: 'reader',
  replica: true,
  ttl: '30d',
  renewBefore: '7d',
});

new DatabasePassword(stack, 'dev-admin', {
  database: 'shop',
  branch: 'dev',
  role: 'admin',
  ttl: '7d',
});

new ServiceToken(stack, 'ci', { ttl: '30d' })
  .grant('shop', ['read_branch', 'create_branch', 'create_deploy_request'])
  .grantOrganization(['read_databases']);

const reporting = new DatabasePassword(stack, 'reporting', {
  database: 'analytics',
  branch: 'main',
  role: 'reader',
  ttl: '90d',
  renewBefore: '14d',
});
new IpRestriction(stack, 'reporting-hosts', { database: 'analytics', role: reporting, cidrs: ['10.20.0.0/16'], description: 'reporting service' });

new IpRestriction(stack, 'warehouse', {
  database: 'analytics',
  cidrs: ['10.20.0.0/16'],
  schema: 'reporting',
  role: 'bi_reader',
  description: 'BI tools',
});

app.synth();
