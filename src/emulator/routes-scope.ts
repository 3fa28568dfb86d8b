import { pageAnswer, type Route } from './route';
import { branchJson, databaseJson, organizationJson } from './serialize';
import { ENDPOINTS } from '../api/endpoints';

/** Organizations, databases and branches: read-only here, seeded at start. */
export const scopeRoutes: Route[] = [
  {
    endpoint: ENDPOINTS.get_organization,
    mutates: false,
    handle: ({ params, store }) => {
      const org = store.organization(params.organization);
      return { status: 200, body: organizationJson(org, store.databases(org.name).length) };
    },
  },
  {
    endpoint: ENDPOINTS.list_databases,
    mutates: false,
    // The list holds the databases the caller can see; a database it cannot see is simply absent.
    handle: ({ params, store, url, caller }) => {
      const q = url.searchParams.get('q');
      const visible = store
        .databases(params.organization)
        .filter((db) => caller.sees(db.name))
        .filter((db) => !q || db.name.includes(q));
      return pageAnswer(visible.map((db) => databaseJson(db, store.branches(db.organization, db.name))), url);
    },
  },
  {
    endpoint: ENDPOINTS.get_database,
    mutates: false,
    handle: ({ params, store }) => {
      const db = store.database(params.organization, params.database);
      return { status: 200, body: databaseJson(db, store.branches(db.organization, db.name)) };
    },
  },
  {
    endpoint: ENDPOINTS.list_branches,
    mutates: false,
    handle: ({ params, store, url, hosts }) => {
      const db = store.database(params.organization, params.database);
      return pageAnswer(store.branches(db.organization, db.name).map((b) => branchJson(b, db.kind, hosts)), url);
    },
  },
  {
    endpoint: ENDPOINTS.get_branch,
    mutates: false,
    handle: ({ params, store, hosts }) => {
      const db = store.database(params.organization, params.database);
      return { status: 200, body: branchJson(store.branch(db.organization, db.name, params.branch), db.kind, hosts) };
    },
  },
];
