import { FakeClient, type FakeAnswers } from './support/fake-client';
import { LIVE_PASSWORD, LIVE_ROLE, LIVE_RULE, LIVE_TOKEN } from './support/fake-live';
import { NAMES, apiError, fakePassword, fakeRole, fakeRule, fakeToken } from './support/fake-objects';
import { ConnectionError, OutcomeUnknownError } from '../../src/api/errors';
import { deleteTarget, describeSuccessor, describeTarget } from '../../src/engine/deletion';
import type { DeleteTarget } from '../../src/engine/plan';

const NEEDS = 'THE-ACCESS-IT-NEEDS';
const NOT_FOUND = apiError(404, 'delete failed with HTTP 404 (not_found)');

/**
 * For each kind: the target, how it is described, the delete and lookup calls it makes, the access asked of
 * describeNeeds, and lookup answers that show it (`present`) and that no longer show it (`absent`).
 */
const KINDS: {
  /** "a password", "an IP rule": for test names. */
  kind: string;
  target: DeleteTarget;
  what: string;
  remove: string;
  lookup: string;
  needs: string;
  present: FakeAnswers;
  absent: FakeAnswers;
}[] = [
  {
    kind: 'a password',
    target: { kind: 'password', live: LIVE_PASSWORD },
    what: `password ${NAMES.app} (pw1) on shop/main`,
    remove: 'deletePassword shop/main pw1',
    lookup: `listPasswords shop/main q=${NAMES.app}`,
    needs: 'describeNeeds delete_password {"database":"shop","kind":"production"}',
    present: { passwords: { 'shop/main': [fakePassword('pw0', `${NAMES.app}x`), fakePassword('pw1', NAMES.app)] } },
    absent: { passwords: { 'shop/main': [fakePassword('pw2', NAMES.app)] } },
  },
  {
    kind: 'a role',
    target: { kind: 'role', live: LIVE_ROLE, successor: { role: 'postgres' } },
    what: `role ${NAMES.app} (r1) on analytics/dev, its objects to the default role postgres`,
    remove: 'deleteRole analytics/dev r1 successor=postgres',
    lookup: `listRoles analytics/dev q=${NAMES.app}`,
    needs: 'describeNeeds delete_role {"database":"analytics","kind":"development"}',
    present: { roles: { 'analytics/dev': [fakeRole('r1', NAMES.app)] } },
    absent: { roles: { 'analytics/dev': [fakeRole('r2', NAMES.app)] } },
  },
  {
    kind: 'a service token',
    target: { kind: 'service token', live: LIVE_TOKEN },
    what: `service token ${NAMES.ci} (tok1)`,
    remove: 'deleteServiceToken tok1',
    lookup: 'listServiceTokens',
    needs: 'describeNeeds delete_service_token {}',
    present: { tokens: [fakeToken('tok1', NAMES.ci)] },
    absent: { tokens: [fakeToken('tok2', NAMES.ci)] },
  },
  {
    kind: 'an IP rule',
    target: { kind: 'IP rule', live: LIVE_RULE },
    what: 'IP rule rule1 (warehouse) on analytics',
    remove: 'deletePostgresIpRule analytics rule1',
    lookup: 'listPostgresIpRules analytics',
    needs: 'describeNeeds delete_database_postgres_cidr {"database":"analytics"}',
    present: { rules: { analytics: [fakeRule('rule1', null)] } },
    absent: { rules: { analytics: [] } },
  },
];

const apiCalls = (fake: FakeClient) => fake.calls.filter((c) => !c.startsWith('describeNeeds'));

describe('deleteTarget', () => {
  test.each(KINDS)('$kind the API deletes (204) is deleted, without a lookup', async ({ target, remove }) => {
    const fake = new FakeClient();
    await expect(deleteTarget(fake.client, target)).resolves.toBe('deleted');
    expect(apiCalls(fake)).toEqual([remove]);
  });

  test.each(KINDS)('$kind answered 404 is already gone once a lookup that would show it no longer does', async ({ target, remove, lookup, absent }) => {
    const fake = new FakeClient({ ...absent, deleteErrors: { [target.live.value.id]: NOT_FOUND } });
    await expect(deleteTarget(fake.client, target)).resolves.toBe('already gone');
    expect(apiCalls(fake)).toEqual([remove, lookup]);
  });

  test.each(KINDS)('$kind answered 404 that the lookup still shows is not gone: the error names the access its delete needs', async (kind) => {
    const fake = new FakeClient({ ...kind.present, deleteErrors: { [kind.target.live.value.id]: NOT_FOUND }, needs: NEEDS });
    await expect(deleteTarget(fake.client, kind.target)).rejects.toThrow(
      `could not delete ${kind.what}: the API answered 404 Not Found but the object still exists, so the service token lacks the access to delete it: ` +
        `it needs ${NEEDS}`,
    );
    expect(fake.calls).toContain(kind.needs);
  });

  test.each(KINDS)('$kind answered 404 whose lookup fails too may still exist, and the error says so', async (kind) => {
    const lookupError = apiError(503, 'lookup failed with HTTP 503');
    const failing = new FakeClient({
      passwords: { 'shop/main': lookupError },
      roles: { 'analytics/dev': lookupError },
      tokens: lookupError,
      rules: { analytics: lookupError },
      deleteErrors: { [kind.target.live.value.id]: NOT_FOUND },
      needs: NEEDS,
    });
    await expect(deleteTarget(failing.client, kind.target)).rejects.toThrow(
      `could not delete ${kind.what}: the API answered 404 Not Found, and looking the object up again failed too (lookup failed with HTTP 503); ` +
        `it may still exist: the service token needs ${NEEDS}. If its database or branch was deleted, the object went with it`,
    );
    expect(apiCalls(failing)).toEqual([kind.remove, kind.lookup]);
  });

  test('the error names the OAuth access token when that is the credential', async () => {
    const fake = new FakeClient({ ...KINDS[0].present, usesAccessToken: true, deleteErrors: { pw1: NOT_FOUND }, needs: 'the scope delete_branch_password' });
    await expect(deleteTarget(fake.client, KINDS[0].target)).rejects.toThrow(
      'so the OAuth access token lacks the access to delete it: it needs the scope delete_branch_password',
    );
  });

  test.each([
    ['an error status other than 404', apiError(500, 'delete password failed with HTTP 500')],
    ['a 403', apiError(403, 'delete password failed with HTTP 403')],
    ['a connection error', new ConnectionError({ operation: 'delete password pw1', organization: 'acme' }, 'ECONNREFUSED')],
    ['an unknown outcome', new OutcomeUnknownError({ operation: 'delete password pw1', organization: 'acme' }, 'UND_ERR_SOCKET')],
  ])('%s propagates as it is, without a lookup', async (_, error) => {
    const fake = new FakeClient({ ...KINDS[0].present, deleteErrors: { pw1: error } });
    await expect(deleteTarget(fake.client, KINDS[0].target)).rejects.toBe(error);
    expect(apiCalls(fake)).toEqual(['deletePassword shop/main pw1']);
  });

  test.each([
    [{ role: 'postgres' }, 'deleteRole analytics/dev r1 successor=postgres'],
    [{ role: 'r-new-generation' }, 'deleteRole analytics/dev r1 successor=r-new-generation'],
  ])("a role's delete sends its successor %j", async (successor, call) => {
    const fake = new FakeClient();
    await deleteTarget(fake.client, { kind: 'role', live: LIVE_ROLE, successor });
    expect(apiCalls(fake)).toEqual([call]);
  });

  test('a role whose successor is still the role of a construct path (not created) is refused without calling the API', async () => {
    const fake = new FakeClient();
    await expect(async () => deleteTarget(fake.client, { kind: 'role', live: LIVE_ROLE, successor: { path: 'access/app' } })).rejects.toThrow(
      `role ${NAMES.app} (r1) on analytics/dev, its objects to the role of access/app: the new role of access/app does not exist, so its objects have nowhere to go`,
    );
    expect(apiCalls(fake)).toEqual([]);
  });
});

describe('describeTarget', () => {
  test.each([
    ...KINDS.map((k) => [k.kind, k.target, k.what] as const),
    ['a role with a successor path', { kind: 'role', live: LIVE_ROLE, successor: { path: 'access/app' } }, `role ${NAMES.app} (r1) on analytics/dev, its objects to the role of access/app`],
    ['an unnamed service token', { kind: 'service token', live: { ...LIVE_TOKEN, value: fakeToken('tok9', null) } }, 'service token (unnamed) (tok9)'],
  ] as [string, DeleteTarget, string][])('describes %s by name, id and place', (_, target, text) => {
    expect(describeTarget(target)).toBe(text);
  });
});

describe('describeSuccessor', () => {
  test.each([
    [null, 'the default role postgres'],
    [{ role: 'postgres' }, 'the default role postgres'],
    [{ role: 'r-new-generation' }, 'role r-new-generation'],
    [{ role: 'pscale_api_abc' }, 'role pscale_api_abc'],
    [{ path: 'access/app' }, 'the role of access/app'],
  ])('describes the successor %j as %j', (successor, text) => {
    expect(describeSuccessor(successor)).toBe(text);
  });
});
