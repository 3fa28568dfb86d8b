import type { IpRuleDeclaration, PasswordDeclaration, TokenDeclaration } from '../../../src/model/desired-state';
import type { MysqlPasswordEntry, ServiceTokenEntry } from '../../../src/outputs/entries';

/** Declarations and outputs entries of stack `access` (owner `access`) for unit tests of the engine's wording. */

/** `access/app`: a readwriter password on shop/main, allowed from 203.0.113.0/24. */
export const APP_PASSWORD: PasswordDeclaration = {
  kind: 'password',
  path: 'access/app',
  display: 'app',
  object: '1a2b3c4d',
  generation: '5e6f7a8b',
  database: 'shop',
  branch: 'main',
  role: 'readwriter',
  ttl_seconds: null,
  replica: false,
  direct_vtgate: false,
  rotation: '',
  inherited_roles: null,
  successor: null,
  cidrs: ['203.0.113.0/24'],
  renew_before_seconds: null,
};

/** `access/reports`: a reader on the Postgres database analytics, branch dev. */
export const REPORTS_ROLE: PasswordDeclaration = {
  ...APP_PASSWORD,
  path: 'access/reports',
  display: 'reports',
  object: '5e6f7a8b',
  database: 'analytics',
  branch: 'dev',
  role: 'reader',
  cidrs: [],
};

/** `access/ci`: a service token with grants on shop and on the organization. */
export const CI_TOKEN: TokenDeclaration = {
  kind: 'service-token',
  path: 'access/ci',
  display: 'ci',
  object: '3c4d5e6f',
  generation: '7a8b9c0d',
  ttl_seconds: 2592000,
  rotation: '',
  databases: { shop: ['create_branch', 'read_branch'] },
  organization_accesses: ['read_databases'],
};

/** `access/warehouse`: a Postgres IP rule on analytics for role analyst. */
export const WAREHOUSE_RULE: IpRuleDeclaration = {
  kind: 'postgres-ip-rule',
  path: 'access/warehouse',
  display: 'warehouse',
  object: '4d5e6f7a',
  database: 'analytics',
  schema: '',
  role: 'analyst',
  role_path: null,
  cidrs: ['10.0.0.0/8', '192.168.0.0/16'],
  description: 'BI tools',
};

export const APP_ENTRY: MysqlPasswordEntry = {
  kind: 'password',
  engine: 'mysql',
  id: 'pw1',
  name: 'app.access.1a2b3c4d.5e6f7a8b',
  username: 'user-pw1',
  host: 'aws.connect.psdb.cloud',
  database: 'shop',
  branch: 'main',
  role: 'readwriter',
  expires_at: null,
  password: 'pscale_pw_not-a-real-secret',
  connection_strings: {} as MysqlPasswordEntry['connection_strings'],
};

export const CI_ENTRY: ServiceTokenEntry = {
  kind: 'service-token',
  id: 'tok1',
  name: 'ci.access.3c4d5e6f.7a8b9c0d',
  organization: 'acme',
  expires_at: null,
  token: 'pscale_tkn_not-a-real-secret',
  env: { PLANETSCALE_SERVICE_TOKEN_ID: 'tok1', PLANETSCALE_SERVICE_TOKEN: 'pscale_tkn_not-a-real-secret' },
};
