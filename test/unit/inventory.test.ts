import { FakeClient, type FakeAnswers } from './support/fake-client';
import {
  NAMES,
  OWNER,
  apiError,
  connectionError,
  fakeBranch,
  fakeDatabase,
  fakePassword,
  fakeRole,
  fakeRule,
  fakeToken,
} from './support/fake-objects';
import { UnexpectedResponseError } from '../../src/api/errors';
import { takeInventory, unlistedAt, type Inventory, type LivePassword, type Unlisted } from '../../src/engine/inventory';

type Request = Parameters<typeof takeInventory>[1];

/** Runs takeInventory against a fake client; `wouldSee` answers from `visible` and records what it was asked. */
async function inventoryOf(answers: FakeAnswers, options: { known?: string[]; listShowsAll?: boolean; visible?: string[] } = {}) {
  const fake = new FakeClient(answers);
  const asked: string[] = [];
  const request: Request = {
    owner: OWNER,
    knownDatabases: options.known ?? [],
    concurrency: 4,
    listShowsAll: options.listShowsAll ?? false,
    wouldSee: async (database) => {
      asked.push(database);
      return (options.visible ?? []).includes(database);
    },
  };
  const inventory = await takeInventory(fake.client, request);
  return { inventory, calls: [...fake.calls].sort(), asked };
}

const byId = (a: { value: { id: string } }, b: { value: { id: string } }) => a.value.id.localeCompare(b.value.id);

/** One MySQL database `shop` (branches main, production, and dev) and no service tokens, to vary from. */
const SHOP: FakeAnswers = {
  databases: [fakeDatabase('shop')],
  branches: { shop: [fakeBranch('main', true), fakeBranch('dev')] },
  passwords: { 'shop/main': [], 'shop/dev': [fakePassword('pw-dev', NAMES.worker)] },
  tokens: [],
};

describe('takeInventory: what the owner owns', () => {
  test('only passwords named as managed names of this owner count, each with its database, branch and branch kind', async () => {
    const { inventory } = await inventoryOf({
      ...SHOP,
      passwords: {
        'shop/main': [
          fakePassword('pw-app', NAMES.app),
          fakePassword('pw-other', NAMES.otherOwner),
          fakePassword('pw-hand', NAMES.handMade),
          fakePassword('pw-almost', NAMES.almost),
        ],
        'shop/dev': [fakePassword('pw-dev', NAMES.worker)],
      },
    });
    const expected: LivePassword[] = [
      {
        value: fakePassword('pw-app', NAMES.app),
        database: 'shop',
        branch: 'main',
        production: true,
        name: { display: 'app', owner: 'access', object: '1a2b3c4d', generation: '5e6f7a8b' },
      },
      {
        value: fakePassword('pw-dev', NAMES.worker),
        database: 'shop',
        branch: 'dev',
        production: false,
        name: { display: 'worker', owner: 'access', object: '2b3c4d5e', generation: '6f7a8b9c' },
      },
    ];
    expect([...inventory.passwords].sort(byId)).toEqual(expected);
    expect([...inventory.databases.keys()]).toEqual(['shop']);
    expect(inventory.branches.get('shop')).toEqual([fakeBranch('main', true), fakeBranch('dev')]);
    expect(inventory.unlisted).toEqual([]);
    expect([...inventory.gone]).toEqual([]);
  });

  test('a Postgres database has its roles and IP rules listed, a MySQL database its passwords, never the other way round', async () => {
    const { calls } = await inventoryOf({
      ...SHOP,
      databases: [fakeDatabase('shop'), fakeDatabase('analytics', 'postgresql')],
      branches: { ...SHOP.branches, analytics: [fakeBranch('main', true, 'postgresql')] },
      roles: { 'analytics/main': [] },
      rules: { analytics: [] },
    });
    expect(calls).toEqual([
      'listBranches analytics',
      'listBranches shop',
      'listDatabases',
      'listPasswords shop/dev',
      'listPasswords shop/main',
      'listPostgresIpRules analytics',
      'listRoles analytics/main',
      'listServiceTokens',
    ]);
  });

  test("roles count when named for this owner and not the branch's default role", async () => {
    const { inventory } = await inventoryOf({
      databases: [fakeDatabase('analytics', 'postgresql')],
      branches: { analytics: [fakeBranch('main', false, 'postgresql')] },
      roles: {
        'analytics/main': [
          fakeRole('r-app', NAMES.app),
          fakeRole('r-default-owned', NAMES.worker, true),
          fakeRole('r-postgres', 'postgres', true),
          fakeRole('r-other', NAMES.otherOwner),
        ],
      },
      rules: { analytics: [] },
      tokens: [],
    });
    expect(inventory.roles).toEqual([
      {
        value: fakeRole('r-app', NAMES.app),
        database: 'analytics',
        branch: 'main',
        production: false,
        name: { display: 'app', owner: 'access', object: '1a2b3c4d', generation: '5e6f7a8b' },
      },
    ]);
  });

  test('IP rules count when their description ends with a marker of this owner', async () => {
    const { inventory } = await inventoryOf({
      databases: [fakeDatabase('analytics', 'postgresql')],
      branches: { analytics: [] },
      rules: {
        analytics: [
          fakeRule('rule-ours', `BI tools [cdktf:${NAMES.warehouse}]`),
          fakeRule('rule-bare', `[cdktf:${NAMES.app}]`),
          fakeRule('rule-other', `BI tools [cdktf:${NAMES.otherOwner}]`),
          fakeRule('rule-untagged', NAMES.warehouse),
          fakeRule('rule-tag-inside', `[cdktf:${NAMES.warehouse}] moved by hand`),
          fakeRule('rule-null', null),
        ],
      },
      tokens: [],
    });
    expect([...inventory.rules].sort(byId)).toEqual([
      { value: fakeRule('rule-bare', `[cdktf:${NAMES.app}]`), database: 'analytics', marker: { display: 'app', owner: 'access', object: '1a2b3c4d', generation: '5e6f7a8b' } },
      {
        value: fakeRule('rule-ours', `BI tools [cdktf:${NAMES.warehouse}]`),
        database: 'analytics',
        marker: { display: 'warehouse', owner: 'access', object: '4d5e6f7a', generation: '91c5253e' },
      },
    ]);
  });

  test('service tokens count when named for this owner; unnamed tokens and other names are left alone', async () => {
    const { inventory } = await inventoryOf({
      databases: [],
      tokens: [fakeToken('tok-ci', NAMES.ci), fakeToken('tok-other', NAMES.otherOwner), fakeToken('tok-null', null), fakeToken('tok-hand', NAMES.handMade)],
    });
    expect(inventory.tokens).toEqual([{ value: fakeToken('tok-ci', NAMES.ci), name: { display: 'ci', owner: 'access', object: '3c4d5e6f', generation: '7a8b9c0d' } }]);
  });
});

describe('takeInventory: listings that cannot be made', () => {
  test.each([
    ['404', true, apiError(404, 'list passwords failed with HTTP 404 (not_found)')],
    ['403', true, apiError(403, 'list passwords failed with HTTP 403')],
    ['500', false, apiError(500, 'list passwords failed with HTTP 500')],
    ['503', false, apiError(503, 'list passwords failed with HTTP 503')],
    ['a connection error', false, connectionError('list passwords', 'shop')],
  ])('a password listing that fails with %s is recorded as unlisted with refused=%s, and the other branches are still listed', async (_, refused, error) => {
    const { inventory } = await inventoryOf({ ...SHOP, passwords: { ...SHOP.passwords, 'shop/main': error } });
    expect(inventory.unlisted).toEqual([{ what: 'shop/main', database: 'shop', branch: 'main', refused, reason: error.message }]);
    expect(inventory.passwords.map((p) => p.value.id)).toEqual(['pw-dev']);
  });

  test('a refused branch listing is recorded for the whole database, and no passwords are listed there', async () => {
    const error = apiError(404, 'list branches failed with HTTP 404 (not_found)');
    const { inventory, calls } = await inventoryOf({ ...SHOP, branches: { shop: error } });
    expect(inventory.unlisted).toEqual([{ what: 'branches of shop', database: 'shop', branches: true, refused: true, reason: error.message }]);
    expect(inventory.branches.has('shop')).toBe(false);
    expect(calls.filter((c) => c.startsWith('listPasswords'))).toEqual([]);
  });

  test('a refused IP rule listing is recorded as the rules of that database, and its roles are still listed', async () => {
    const error = apiError(404, 'list IP rules failed with HTTP 404 (not_found)');
    const { inventory } = await inventoryOf({
      databases: [fakeDatabase('analytics', 'postgresql')],
      branches: { analytics: [fakeBranch('main', true, 'postgresql')] },
      roles: { 'analytics/main': [fakeRole('r-app', NAMES.app)] },
      rules: { analytics: error },
      tokens: [],
    });
    expect(inventory.unlisted).toEqual([{ what: 'IP rules of analytics', database: 'analytics', rules: true, refused: true, reason: error.message }]);
    expect(inventory.roles.map((r) => r.value.id)).toEqual(['r-app']);
  });

  test('a role listing that fails with 5xx is recorded for the branch as not refused', async () => {
    const error = apiError(502, 'list roles failed with HTTP 502');
    const { inventory } = await inventoryOf({
      databases: [fakeDatabase('analytics', 'postgresql')],
      branches: { analytics: [fakeBranch('main', true, 'postgresql')] },
      roles: { 'analytics/main': error },
      rules: { analytics: [] },
      tokens: [],
    });
    expect(inventory.unlisted).toEqual([{ what: 'analytics/main', database: 'analytics', branch: 'main', refused: false, reason: error.message }]);
  });

  test('an error that is neither an API status nor a connection failure is not recorded: the inventory fails with it', async () => {
    const error = new UnexpectedResponseError('list passwords: the API answered 200 with a body that is not JSON');
    await expect(inventoryOf({ ...SHOP, passwords: { ...SHOP.passwords, 'shop/dev': error } })).rejects.toBe(error);
  });

  test('a failed database list (5xx) is recorded as not refused, and no database is looked up or taken for gone', async () => {
    const error = apiError(500, 'list databases failed with HTTP 500');
    const { inventory, calls, asked } = await inventoryOf({ databases: error, tokens: [] }, { known: ['shop'], listShowsAll: true });
    expect(inventory.unlisted).toEqual([{ what: 'databases', refused: false, reason: error.message }]);
    expect(calls).toEqual(['listDatabases', 'listServiceTokens']);
    expect([...inventory.gone]).toEqual([]);
    expect(asked).toEqual([]);
  });
});

describe('takeInventory: known databases the list did not show', () => {
  test('from a list that shows every database, a known database missing from it is gone, without a lookup', async () => {
    const { inventory, calls, asked } = await inventoryOf(SHOP, { known: ['shop', 'old'], listShowsAll: true });
    expect([...inventory.gone]).toEqual(['old']);
    expect(calls.filter((c) => c.startsWith('getDatabase'))).toEqual([]);
    expect(asked).toEqual([]);
    expect(inventory.unlisted).toEqual([]);
  });

  test('from a partial list (a service token), a known database missing from it is looked up, and listed when found', async () => {
    const { inventory, calls, asked } = await inventoryOf(
      { ...SHOP, lookups: { hidden: fakeDatabase('hidden') }, branches: { ...SHOP.branches, hidden: [] } },
      { known: ['shop', 'hidden'], listShowsAll: false },
    );
    expect(calls.filter((c) => c.startsWith('getDatabase') || c.startsWith('listBranches'))).toEqual(['getDatabase hidden', 'listBranches hidden', 'listBranches shop']);
    expect([...inventory.databases.keys()].sort()).toEqual(['hidden', 'shop']);
    expect([...inventory.gone]).toEqual([]);
    expect(asked).toEqual([]);
  });

  test('from a partial list, a 404 on the lookup is gone when the credential would see that database', async () => {
    const { inventory, asked } = await inventoryOf(
      { ...SHOP, lookups: { old: apiError(404, 'get database failed with HTTP 404 (not_found)') } },
      { known: ['old'], listShowsAll: false, visible: ['old'] },
    );
    expect([...inventory.gone]).toEqual(['old']);
    expect(inventory.unlisted).toEqual([]);
    expect(asked).toEqual(['old']);
  });

  test('from a partial list, a 404 on the lookup is unlisted (refused), not gone, when the credential would not see it', async () => {
    const error = apiError(404, 'get database failed with HTTP 404 (not_found)');
    const { inventory, asked } = await inventoryOf({ ...SHOP, lookups: { hidden: error } }, { known: ['hidden'], listShowsAll: false, visible: ['shop'] });
    expect([...inventory.gone]).toEqual([]);
    expect(inventory.unlisted).toEqual([{ what: 'database hidden', database: 'hidden', refused: true, reason: error.message }]);
    expect(asked).toEqual(['hidden']);
  });

  test.each([
    ['403', true, apiError(403, 'get database failed with HTTP 403')],
    ['500', false, apiError(500, 'get database failed with HTTP 500')],
    ['a connection error', false, connectionError('get database', 'hidden')],
  ])('a lookup failing with %s is unlisted with refused=%s and never gone, whatever the credential would see', async (_, refused, error) => {
    const { inventory, asked } = await inventoryOf({ ...SHOP, lookups: { hidden: error } }, { known: ['hidden'], listShowsAll: false, visible: ['hidden'] });
    expect(inventory.unlisted).toEqual([{ what: 'database hidden', database: 'hidden', refused, reason: error.message }]);
    expect([...inventory.gone]).toEqual([]);
    expect(asked).toEqual([]);
  });

  test('a refused database list leads to lookups of the known databases, even for a credential whose list would show all', async () => {
    const refusal = apiError(404, 'list databases failed with HTTP 404 (not_found)');
    const { inventory, calls } = await inventoryOf(
      { ...SHOP, databases: refusal, lookups: { shop: fakeDatabase('shop'), old: apiError(404, 'get database failed with HTTP 404 (not_found)') } },
      { known: ['shop', 'old'], listShowsAll: true, visible: ['old'] },
    );
    expect(calls.filter((c) => c.startsWith('getDatabase'))).toEqual(['getDatabase old', 'getDatabase shop']);
    expect([...inventory.databases.keys()]).toEqual(['shop']);
    expect(inventory.passwords.map((p) => p.value.id)).toEqual(['pw-dev']);
    expect([...inventory.gone]).toEqual(['old']);
    expect(inventory.unlisted).toEqual([{ what: 'databases', refused: true, reason: refusal.message }]);
  });
});

describe('takeInventory: the service token list', () => {
  const refusal = apiError(404, 'list service tokens (organization acme) failed with HTTP 404 (not_found)');

  test('refused to a service token, it is unlisted with the advice that PlanetScale may refuse service tokens these routes', async () => {
    const { inventory } = await inventoryOf({ databases: [], tokens: refusal, usesAccessToken: false });
    expect(inventory.unlisted).toEqual([
      {
        what: 'service tokens',
        tokens: true,
        refused: true,
        reason:
          'list service tokens (organization acme) failed with HTTP 404 (not_found); or PlanetScale does not let service tokens manage service tokens ' +
          '(PlanetScale has refused service tokens on the service-token routes "so that they cannot modify themselves or others" (planetscale/cli PR #758)): ' +
          'grant the deploy token read_service_tokens, write_service_tokens and delete_service_tokens on the organization, ' +
          'or deploy with an OAuth access token (PLANETSCALE_ACCESS_TOKEN, e.g. from `pscale auth login`)',
      },
    ]);
  });

  test('refused to an OAuth access token, it is unlisted with the API error alone', async () => {
    const { inventory } = await inventoryOf({ databases: [], tokens: refusal, usesAccessToken: true });
    expect(inventory.unlisted).toEqual([{ what: 'service tokens', tokens: true, refused: true, reason: refusal.message }]);
  });

  test('failing with 5xx, it is unlisted as not refused, without the advice', async () => {
    const error = apiError(503, 'list service tokens (organization acme) failed with HTTP 503');
    const { inventory } = await inventoryOf({ databases: [], tokens: error, usesAccessToken: false });
    expect(inventory.unlisted).toEqual([{ what: 'service tokens', tokens: true, refused: false, reason: error.message }]);
  });
});

describe('unlistedAt', () => {
  const entry = (what: string, fields: Omit<Unlisted, 'what' | 'refused' | 'reason'>): Unlisted => ({ what, ...fields, refused: true, reason: `cannot list ${what}` });
  const DATABASE = entry('database hidden', { database: 'hidden' });
  const BRANCHES = entry('branches of shop', { database: 'shop', branches: true });
  const BRANCH = entry('shop/dev', { database: 'shop', branch: 'dev' });
  const RULES = entry('IP rules of analytics', { database: 'analytics', rules: true });
  const LIST = entry('databases', {});
  const TOKENS = entry('service tokens', { tokens: true });

  /** An inventory that saw `shop` and `analytics` (not `hidden`) and could not list `unlisted`. */
  function inventory(unlisted: Unlisted[], gone: string[] = []): Inventory {
    return {
      databases: new Map([
        ['shop', fakeDatabase('shop')],
        ['analytics', fakeDatabase('analytics', 'postgresql')],
      ]),
      branches: new Map(),
      passwords: [],
      roles: [],
      tokens: [],
      rules: [],
      unlisted,
      gone: new Set(gone),
    };
  }

  test.each([
    ['a database-wide entry covers each of its branches', [DATABASE], { database: 'hidden', branch: 'main' }, 'database hidden'],
    ['a database-wide entry covers its IP rules', [DATABASE], { database: 'hidden', rules: true }, 'database hidden'],
    ['an unlisted branch list covers every branch of the database', [BRANCHES], { database: 'shop', branch: 'main' }, 'branches of shop'],
    ['an unlisted branch list says nothing about the IP rules', [BRANCHES], { database: 'shop', rules: true }, undefined],
    ['an unlisted branch covers that branch', [BRANCH], { database: 'shop', branch: 'dev' }, 'shop/dev'],
    ['an unlisted branch does not cover another branch', [BRANCH], { database: 'shop', branch: 'main' }, undefined],
    ['an unlisted branch does not cover the IP rules', [BRANCH], { database: 'shop', rules: true }, undefined],
    ['unlisted IP rules cover the IP rules of that database', [RULES], { database: 'analytics', rules: true }, 'IP rules of analytics'],
    ['unlisted IP rules do not cover its branches', [RULES], { database: 'analytics', branch: 'main' }, undefined],
    ['unlisted IP rules do not cover another database', [RULES], { database: 'shop', rules: true }, undefined],
    ['the database list covers a database it would have shown and nothing showed', [LIST], { database: 'hidden', branch: 'main' }, 'databases'],
    ['the database list covers the IP rules of a database nothing showed', [LIST], { database: 'hidden', rules: true }, 'databases'],
    ['the database list does not cover a database found by its lookup', [LIST], { database: 'shop', branch: 'main' }, undefined],
    ["a database's own entry wins over the database list", [LIST, DATABASE], { database: 'hidden', branch: 'main' }, 'database hidden'],
    ['the token list covers no database', [TOKENS], { database: 'shop', branch: 'main' }, undefined],
    ['the token list covers the tokens', [LIST, DATABASE, TOKENS], { tokens: true }, 'service tokens'],
    ['nothing but the token list covers the tokens', [LIST, DATABASE, BRANCHES], { tokens: true }, undefined],
    ['an inventory that listed everything has nothing unlisted', [], { database: 'shop', branch: 'main' }, undefined],
  ])('%s', (_, unlisted, location, what) => {
    expect(unlistedAt(inventory(unlisted), location)?.what).toBe(what);
  });

  // A database proven gone (a 404 on its lookup where the credential would see it) is not hidden by a refused
  // database list: nothing of the stack's can live there (Inventory.gone), and its outputs entries are stale.
  test('a database proven gone is not covered by a refused database list', () => {
    expect(unlistedAt(inventory([LIST], ['old']), { database: 'old', branch: 'main' })).toBeUndefined();
  });
});
