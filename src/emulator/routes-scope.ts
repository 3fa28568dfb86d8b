import { paging, type Route } from './route';
import { branchJson, databaseJson, organizationJson, pageJson } from './serialize';

const DATABASE_READ = [
  'read_database', 'delete_database', 'write_database', 'read_branch', 'delete_branch', 'create_branch', 'promote_branches',
  'demote_branches', 'delete_production_branch', 'connect_branch', 'connect_production_branch', 'connect_production_read_only_branch',
  'delete_branch_password', 'delete_production_branch_password', 'delete_production_read_only_branch_password', 'read_deploy_request',
  'create_deploy_request', 'approve_deploy_request', 'read_comment', 'create_comment', 'restore_backup', 'restore_production_branch_backup',
  'read_backups', 'write_backups', 'delete_backups', 'delete_production_branch_backups', 'write_branch_vschema', 'write_production_branch_vschema',
];
export const BRANCH_READ = ['read_branch', 'delete_branch', 'create_branch', 'connect_production_branch', 'connect_branch'];

/** Organizations, databases and branches: read-only here, seeded at start. */
export const scopeRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/organizations/:organization',
    operation: 'get_organization',
    accesses: ['read_organization'],
    mutates: false,
    handle: ({ params, store }) => {
      const org = store.organization(params.organization);
      return { status: 200, body: organizationJson(org, store.databases(org.name).length) };
    },
  },
  {
    method: 'GET',
    pattern: '/organizations/:organization/databases',
    operation: 'list_databases',
    // Checked per database below: the list shows the databases the token can see.
    accesses: [],
    mutates: false,
    handle: ({ params, store, url, holds }) => {
      const visible = store
        .databases(params.organization)
        .filter((db) => DATABASE_READ.some((access) => holds(access, db.name)))
        .filter((db) => !url.searchParams.get('q') || db.name.includes(url.searchParams.get('q')!));
      const { page, perPage } = paging(url);
      const items = visible.map((db) => databaseJson(db, store.branches(db.organization, db.name)));
      return { status: 200, body: pageJson(items, page, perPage, url) };
    },
  },
  {
    method: 'GET',
    pattern: '/organizations/:organization/databases/:database',
    operation: 'get_database',
    accesses: DATABASE_READ,
    mutates: false,
    handle: ({ params, store }) => {
      const db = store.database(params.organization, params.database);
      return { status: 200, body: databaseJson(db, store.branches(db.organization, db.name)) };
    },
  },
  {
    method: 'GET',
    pattern: '/organizations/:organization/databases/:database/branches',
    operation: 'list_branches',
    accesses: BRANCH_READ,
    mutates: false,
    handle: ({ params, store, url }) => {
      const db = store.database(params.organization, params.database);
      const { page, perPage } = paging(url);
      const items = store.branches(db.organization, db.name).map((b) => branchJson(b, db.kind));
      return { status: 200, body: pageJson(items, page, perPage, url) };
    },
  },
  {
    method: 'GET',
    pattern: '/organizations/:organization/databases/:database/branches/:branch',
    operation: 'get_branch',
    accesses: BRANCH_READ,
    mutates: false,
    handle: ({ params, store }) => {
      const db = store.database(params.organization, params.database);
      return { status: 200, body: branchJson(store.branch(db.organization, db.name, params.branch), db.kind) };
    },
  },
];
