import { APP_ENTRY, APP_PASSWORD, CI_ENTRY, CI_TOKEN, REPORTS_ROLE, WAREHOUSE_RULE } from './support/fake-declarations';
import { LIVE_PASSWORD, LIVE_ROLE, LIVE_RULE, LIVE_TOKEN } from './support/fake-live';
import type { Change, CreatePassword, Delete, Plan, RenamePassword, UpdateCidrs } from '../../src/engine/plan';
import { describeChange, exitCodeOf, renderJson, renderMarkdown, renderText } from '../../src/engine/report';

const APP = 'app.access.1a2b3c4d.5e6f7a8b';
const RENAMED = 'app2.access.1a2b3c4d.5e6f7a8b';
const EXPIRES = '2025-02-01T00:00:00.000Z';
const ORPHAN_ONE = ' (first deletes the instance left by the interrupted run, whose secret was never recorded)';

const createPassword = (fields: Partial<CreatePassword> = {}): CreatePassword => ({
  kind: 'create-password',
  path: 'access/app',
  declaration: APP_PASSWORD,
  name: APP,
  reason: 'new',
  orphans: [],
  production: true,
  ...fields,
});
const updateCidrs = (from: string[], to: string[]): UpdateCidrs => ({ kind: 'update-cidrs', path: 'access/app', live: LIVE_PASSWORD, from, to });
const ruleSettings = { schema: '', role: 'analyst', cidrs: ['10.0.0.0/8'], description: 'BI tools [cdktf:warehouse.access.4d5e6f7a.91c5253e]' };

describe('describeChange', () => {
  test.each<[string, Change, string]>([
    ['a new password', createPassword(), 'create password access/app on shop/main (readwriter, allowed from 203.0.113.0/24): new; new secret'],
    [
      "a password's new generation",
      createPassword({ reason: 'new generation' }),
      'create password access/app on shop/main (readwriter, allowed from 203.0.113.0/24): new generation, replaces the previous one; new secret',
    ],
    [
      'a password deleted outside code, allowed from any address',
      createPassword({ reason: 'missing', declaration: { ...APP_PASSWORD, cidrs: [] } }),
      'create password access/app on shop/main (readwriter, allowed from any address): missing: deleted outside code; new secret',
    ],
    ['an expired password', createPassword({ reason: 'expired' }), 'create password access/app on shop/main (readwriter, allowed from 203.0.113.0/24): expired: a new one replaces it; new secret'],
    [
      'a password whose create was interrupted, with its orphan',
      createPassword({ reason: 'interrupted', orphans: [LIVE_PASSWORD] }),
      `create password access/app on shop/main (readwriter, allowed from 203.0.113.0/24): its create was interrupted; new secret${ORPHAN_ONE}`,
    ],
    [
      'a password whose create was interrupted twice',
      createPassword({ reason: 'interrupted', orphans: [LIVE_PASSWORD, LIVE_PASSWORD] }),
      'create password access/app on shop/main (readwriter, allowed from 203.0.113.0/24): its create was interrupted; new secret ' +
        '(first deletes 2 instances left by the interrupted run, whose secret was never recorded)',
    ],
    [
      "a Postgres role's new generation",
      {
        kind: 'create-role',
        path: 'access/reports',
        declaration: REPORTS_ROLE,
        name: 'reports.access.5e6f7a8b.5e6f7a8b',
        reason: 'new generation',
        orphans: [],
        inherited: ['pg_read_all_data', 'pg_write_all_data'],
        production: false,
      },
      'create Postgres role access/reports on analytics/dev (inherits pg_read_all_data, pg_write_all_data): ' +
        'new generation, replaces the previous one (which hands it its objects); new secret',
    ],
    ['a role rename', { kind: 'rename-role', path: 'access/reports', live: LIVE_ROLE, to: RENAMED }, `rename role access/reports to ${RENAMED}`],
    ['a role renewal', { kind: 'renew-role', path: 'access/reports', live: LIVE_ROLE, expiresAt: EXPIRES }, `renew role access/reports (expires ${EXPIRES}; same secret)`],
    [
      'a changed successor',
      { kind: 'record-successor', path: 'access/reports', from: null, to: { role: 'r-heir' } },
      'record that the objects of access/reports go to role r-heir when it is removed (was the default role postgres; outputs file only)',
    ],
    [
      'an expired token, with its orphan',
      {
        kind: 'create-token',
        path: 'access/ci',
        declaration: CI_TOKEN,
        name: 'ci.access.3c4d5e6f.7a8b9c0d',
        reason: 'expired',
        orphans: [LIVE_TOKEN],
        grants: new Map([
          ['shop', new Set(['read_branch', 'create_branch'])],
          ['', new Set(['read_databases'])],
        ]),
      },
      `create service token access/ci with create_branch, read_branch on database shop; read_databases on the organization: expired: a new one replaces it; new secret${ORPHAN_ONE}`,
    ],
    [
      'a password delivered again',
      { kind: 'redeliver', path: 'access/app', name: APP, entry: APP_ENTRY },
      'deliver password access/app to the sink again (a run stopped before the sink confirmed it; same secret)',
    ],
    [
      'a token delivered again',
      { kind: 'redeliver', path: 'access/ci', name: CI_ENTRY.name, entry: CI_ENTRY },
      'deliver service token access/ci to the sink again (a run stopped before the sink confirmed it; same secret)',
    ],
    [
      'a new IP rule for a named role',
      { kind: 'create-rule', path: 'access/warehouse', declaration: WAREHOUSE_RULE, marker: 'warehouse.access.4d5e6f7a.91c5253e', settings: { ...ruleSettings, cidrs: WAREHOUSE_RULE.cidrs } },
      'create IP rule access/warehouse on analytics: 10.0.0.0/8, 192.168.0.0/16 for role analyst',
    ],
    [
      'a new IP rule for every role',
      { kind: 'create-rule', path: 'access/warehouse', declaration: WAREHOUSE_RULE, marker: 'm', settings: { ...ruleSettings, role: '' } },
      'create IP rule access/warehouse on analytics: 10.0.0.0/8, 192.168.0.0/16 for role (all)',
    ],
    [
      'a new IP rule for the role a password of this run gets',
      { kind: 'create-rule', path: 'access/warehouse', declaration: WAREHOUSE_RULE, marker: 'm', settings: { ...ruleSettings, role: '' }, rolePath: 'access/reports' },
      'create IP rule access/warehouse on analytics: 10.0.0.0/8, 192.168.0.0/16 for role (the new role of access/reports)',
    ],
    ['a CIDR added', updateCidrs(['10.0.0.0/24'], ['10.0.0.0/24', '192.168.0.0/24']), 'update CIDRs of access/app (same password, same secret): + 192.168.0.0/24'],
    [
      'a CIDR replaced',
      updateCidrs(['10.0.0.0/24', '192.168.0.0/24'], ['10.0.0.0/24', '172.16.0.0/12']),
      'update CIDRs of access/app (same password, same secret): + 172.16.0.0/12, - 192.168.0.0/24',
    ],
    ['the same addresses written otherwise', updateCidrs(['10.0.0.0/25', '10.0.0.128/25'], ['10.0.0.0/24']), 'update CIDRs of access/app (same password, same secret): rewritten'],
    ['every CIDR removed', updateCidrs(['10.0.0.0/24'], []), 'update CIDRs of access/app (same password, same secret): - 10.0.0.0/24 (none left: any address)'],
    ['a password rename', { kind: 'rename-password', path: 'access/app', live: LIVE_PASSWORD, to: RENAMED }, `rename password access/app to ${RENAMED}`],
    ['a password renewal', { kind: 'renew-password', path: 'access/app', live: LIVE_PASSWORD, expiresAt: EXPIRES }, `renew password access/app (expires ${EXPIRES}; same secret)`],
    [
      'grants changed',
      {
        kind: 'update-grants',
        path: 'access/ci',
        live: LIVE_TOKEN,
        steps: [
          { resource: '', add: ['read_databases'], remove: [] },
          { resource: 'shop', add: ['create_branch'], remove: ['delete_branch', 'read_branch'] },
        ],
      },
      'update grants of access/ci (same token): + read_databases on the organization; + create_branch on database shop; - delete_branch, read_branch on database shop',
    ],
    [
      'an IP rule changed',
      { kind: 'update-rule', path: 'access/warehouse', live: LIVE_RULE, from: ruleSettings, to: { ...ruleSettings, schema: 'public', cidrs: ['10.0.0.0/8', '172.16.0.0/12'] } },
      'update IP rule access/warehouse on analytics: 10.0.0.0/8, 172.16.0.0/12 for schema public, role analyst',
    ],
    [
      'an IP rule opened to every schema and role',
      { kind: 'update-rule', path: 'access/warehouse', live: LIVE_RULE, from: ruleSettings, to: { ...ruleSettings, role: '' } },
      'update IP rule access/warehouse on analytics: 10.0.0.0/8 for schema (all), role (all)',
    ],
    [
      'a previous generation deleted once its successor is live',
      { kind: 'delete', path: 'access/app', target: { kind: 'password', live: LIVE_PASSWORD }, reason: 'previous generation', after: 'access/app' },
      `delete password ${APP} (pw1) on shop/main: previous generation (of access/app, once its successor is live)`,
    ],
    [
      'a duplicate deleted (no waiting)',
      { kind: 'delete', path: 'access/reports', target: { kind: 'role', live: LIVE_ROLE, successor: { role: 'postgres' } }, reason: 'duplicate', after: 'access/reports' },
      `delete role ${APP} (r1) on analytics/dev, its objects to the default role postgres: duplicate`,
    ],
    [
      'an undeclared token deleted',
      { kind: 'delete', path: 'ci.access.3c4d5e6f.7a8b9c0d', target: { kind: 'service token', live: LIVE_TOKEN }, reason: 'no longer declared' },
      'delete service token ci.access.3c4d5e6f.7a8b9c0d (tok1): no longer declared',
    ],
    [
      "a destroyed stack's IP rule deleted",
      { kind: 'delete', path: 'access/warehouse', target: { kind: 'IP rule', live: LIVE_RULE }, reason: 'stack destroyed' },
      'delete IP rule rule1 (warehouse) on analytics: stack destroyed',
    ],
  ])('describes %s in one line', (_, change, line) => {
    expect(describeChange(change)).toBe(line);
  });
});

// ---- rendering ------------------------------------------------------------------------------------------------

const HEADER = { stack: 'access', organization: 'acme', owner: 'access' };
const WIDENING = updateCidrs(['10.0.0.0/24'], ['10.0.0.0/24', '192.168.0.0/24']);
const RECREATE = createPassword({ reason: 'missing' });
const REMOVE: Delete = { kind: 'delete', path: APP, target: { kind: 'password', live: LIVE_PASSWORD }, reason: 'no longer declared' };
const RENAME: RenamePassword = { kind: 'rename-password', path: 'access/app', live: LIVE_PASSWORD, to: RENAMED };
const EXPIRING = { path: 'access/ci', kind: 'expiring' as const, message: 'service token ci.access.3c4d5e6f.7a8b9c0d expires 2025-02-01T00:00:00.000Z (in 3 days)' };
const PROBLEM = { path: 'access/bad', message: 'database nope not found | or\nhidden' };

const SMALL: Plan = { changes: [WIDENING, RECREATE, REMOVE], notices: [EXPIRING], problems: [PROBLEM], settled: [] };
const CONVERGED: Plan = { changes: [], notices: [], problems: [], settled: [] };

const plan = (fields: Partial<Plan>): Plan => ({ ...CONVERGED, ...fields });

describe('renderText', () => {
  test('lists problems (x), changes with their sign and any widening, notices (!), then a count', () => {
    expect(renderText(HEADER, SMALL)).toBe(
      [
        'PlanetScale plan for stack access (organization acme, owner access)',
        '  x access/bad: database nope not found | or\nhidden',
        '  ~ update CIDRs of access/app (same password, same secret): + 192.168.0.0/24  [widens access: CIDR added: 192.168.0.0/24]',
        '  + create password access/app on shop/main (readwriter, allowed from 203.0.113.0/24): missing: deleted outside code; new secret',
        `  - delete password ${APP} (pw1) on shop/main: no longer declared`,
        '  ! access/ci: service token ci.access.3c4d5e6f.7a8b9c0d expires 2025-02-01T00:00:00.000Z (in 3 days)',
        '3 change(s) pending, 1 notice(s), 1 problem(s).',
        '',
      ].join('\n'),
    );
  });

  test('a converged plan says so', () => {
    expect(renderText(HEADER, CONVERGED)).toBe('PlanetScale plan for stack access (organization acme, owner access)\nConverged: PlanetScale matches the code.\n');
  });

  test('a notice that needs no action is shown, and the plan is still converged', () => {
    const unlisted = { path: 'databases', kind: 'unlisted' as const, message: 'could not list databases (refused); objects there are left as they are' };
    expect(renderText(HEADER, plan({ notices: [unlisted] }))).toBe(
      'PlanetScale plan for stack access (organization acme, owner access)\n' +
        '  ! databases: could not list databases (refused); objects there are left as they are\n' +
        'Converged: PlanetScale matches the code.\n',
    );
  });
});

describe('renderMarkdown', () => {
  test('puts problems first, then widening changes to review, other changes and notices, escaping table cells', () => {
    expect(renderMarkdown(HEADER, SMALL)).toBe(
      [
        '### PlanetScale plan: stack `access` (organization `acme`)',
        '',
        '**Cannot be applied**',
        '',
        '- `access/bad`: database nope not found \\| or hidden',
        '',
        '**Access widened (1): review these first**',
        '',
        '| object | how | change |',
        '| --- | --- | --- |',
        '| `access/app` | CIDR added: 192.168.0.0/24 | ~ update CIDRs of access/app (same password, same secret): + 192.168.0.0/24 |',
        '',
        '**Other changes (2)**',
        '',
        '| object | change |',
        '| --- | --- |',
        '| `access/app` | + create password access/app on shop/main (readwriter, allowed from 203.0.113.0/24): missing: deleted outside code; new secret |',
        `| \`${APP}\` | - delete password ${APP} (pw1) on shop/main: no longer declared |`,
        '',
        '**Needs attention**',
        '',
        '- `access/ci`: service token ci.access.3c4d5e6f.7a8b9c0d expires 2025-02-01T00:00:00.000Z (in 3 days)',
        '',
        '<sub>planetscale-cdktf plan · owner `access` · no secrets in this report</sub>',
        '',
      ].join('\n'),
    );
  });

  test('a converged plan says so, and leaves out every empty section', () => {
    expect(renderMarkdown(HEADER, CONVERGED)).toBe(
      '### PlanetScale plan: stack `access` (organization `acme`)\n\nConverged: PlanetScale matches the code.\n\n' +
        '<sub>planetscale-cdktf plan · owner `access` · no secrets in this report</sub>\n',
    );
  });

  test('a plan with changes but no widening has no review section', () => {
    expect(renderMarkdown(HEADER, plan({ changes: [RENAME] }))).toBe(
      [
        '### PlanetScale plan: stack `access` (organization `acme`)',
        '',
        '**Other changes (1)**',
        '',
        '| object | change |',
        '| --- | --- |',
        `| \`access/app\` | ~ rename password access/app to ${RENAMED} |`,
        '',
        '<sub>planetscale-cdktf plan · owner `access` · no secrets in this report</sub>',
        '',
      ].join('\n'),
    );
  });
});

describe('renderJson', () => {
  test('gives each change its action, path, description and widening; creates their reason and new secret, deletes their reason and id', () => {
    const text = renderJson(HEADER, SMALL);
    expect(text.endsWith('}\n')).toBe(true);
    expect(JSON.parse(text)).toEqual({
      stack: 'access',
      organization: 'acme',
      owner: 'access',
      status: 'cannot-apply',
      changes: [
        {
          action: 'update-cidrs',
          path: 'access/app',
          description: 'update CIDRs of access/app (same password, same secret): + 192.168.0.0/24',
          widens: ['CIDR added: 192.168.0.0/24'],
        },
        {
          action: 'create-password',
          path: 'access/app',
          description: 'create password access/app on shop/main (readwriter, allowed from 203.0.113.0/24): missing: deleted outside code; new secret',
          widens: [],
          reason: 'missing',
          new_secret: true,
        },
        { action: 'delete', path: APP, description: `delete password ${APP} (pw1) on shop/main: no longer declared`, widens: [], reason: 'no longer declared', id: 'pw1' },
      ],
      notices: [EXPIRING],
      problems: [PROBLEM],
    });
  });

  test.each<[string, string, number, Partial<Plan>]>([
    ['nothing to do', 'converged', 0, {}],
    ['only a notice of something left unlisted', 'converged', 0, { notices: [{ path: 'databases', kind: 'unlisted', message: 'm' }] }],
    ['only unreadable grants of a token with none declared', 'converged', 0, { notices: [{ path: 'access/ci', kind: 'grants-unreadable', message: 'm' }] }],
    ['a change', 'pending', 2, { changes: [RENAME] }],
    ['only a credential about to expire', 'pending', 2, { notices: [EXPIRING] }],
    ['only a secret held nowhere', 'pending', 2, { notices: [{ path: 'access/app', kind: 'secret-held-nowhere', message: 'm' }] }],
    ['a problem, whatever else', 'cannot-apply', 1, { problems: [PROBLEM], changes: [RENAME], notices: [EXPIRING] }],
  ])('a plan with %s has status %s (exit code %i)', (_, status, code, fields) => {
    expect(JSON.parse(renderJson(HEADER, plan(fields))).status).toBe(status);
    expect(exitCodeOf(plan(fields))).toBe(code);
  });
});
