import type { PlanetScaleClient } from '../../src/api/client';
import type { ServiceTokenGrant } from '../../src/api/types';
import {
  additionsOf,
  declaredGrants,
  describeGrants,
  describeResource,
  grantDifference,
  lacking,
  readGrants,
  type GrantMap,
} from '../../src/engine/grants';

/** A grant map from a literal: resource ('' for the organization) to accesses. */
function grants(literal: Record<string, string[]>): GrantMap {
  return new Map(Object.entries(literal).map(([resource, accesses]) => [resource, new Set(accesses)]));
}

describe('declaredGrants', () => {
  test('per-database accesses are keyed by database and organization accesses by the empty string', () => {
    expect(declaredGrants({ databases: { shop: ['create_branch', 'read_branch'], analytics: ['read_branch'] }, organization_accesses: ['read_databases'] })).toEqual(
      grants({ 'shop': ['create_branch', 'read_branch'], 'analytics': ['read_branch'], '': ['read_databases'] }),
    );
  });

  test('no organization accesses means no organization entry', () => {
    const map = declaredGrants({ databases: { shop: ['read_branch'] }, organization_accesses: [] });
    expect([...map.keys()]).toEqual(['shop']);
  });

  test('a token with no grants declares an empty map', () => {
    expect(declaredGrants({ databases: {}, organization_accesses: [] }).size).toBe(0);
  });
});

describe('grantDifference', () => {
  test.each([
    ['nothing to do when both are the same', { shop: ['read_branch'] }, { shop: ['read_branch'] }, []],
    ['a missing access is added', { shop: ['create_branch', 'read_branch'] }, { shop: ['read_branch'] }, [{ resource: 'shop', add: ['create_branch'], remove: [] }]],
    ['an access not declared is removed', { shop: ['read_branch'] }, { shop: ['delete_branch', 'read_branch'] }, [{ resource: 'shop', add: [], remove: ['delete_branch'] }]],
    ['a database no longer declared loses every access', {}, { shop: ['read_branch', 'create_branch'] }, [{ resource: 'shop', add: [], remove: ['create_branch', 'read_branch'] }]],
    ['a newly declared database gets every access', { shop: ['read_branch', 'create_branch'] }, {}, [{ resource: 'shop', add: ['create_branch', 'read_branch'], remove: [] }]],
    [
      'the organization is a resource like any other, sorted first',
      { 'shop': ['read_branch'], '': ['read_databases'] },
      { 'shop': ['read_branch'], '': ['delete_databases'] },
      [{ resource: '', add: ['read_databases'], remove: ['delete_databases'] }],
    ],
    [
      'steps come sorted by resource, with sorted accesses',
      { zoo: ['b', 'a'], shop: ['d', 'c'] },
      { shop: ['e'] },
      [
        { resource: 'shop', add: ['c', 'd'], remove: ['e'] },
        { resource: 'zoo', add: ['a', 'b'], remove: [] },
      ],
    ],
  ])('%s', (_, desired, current, steps) => {
    expect(grantDifference(grants(desired), grants(current))).toEqual(steps);
  });
});

describe('lacking', () => {
  test.each([
    ['a credential holding every wanted access lacks nothing', { shop: ['read_branch'] }, { shop: ['read_branch'] }, {}],
    ['an organization-level access covers every database', { '': ['read_branch'] }, { shop: ['read_branch'], analytics: ['read_branch'] }, {}],
    ['an organization-level access covers the organization', { '': ['read_databases'] }, { '': ['read_databases'] }, {}],
    ['of the wanted accesses, only those not held are lacking', { shop: ['read_branch'] }, { shop: ['read_branch', 'create_branch'] }, { shop: ['create_branch'] }],
    ['an access on one database does not cover another', { shop: ['read_branch'] }, { analytics: ['read_branch'] }, { analytics: ['read_branch'] }],
    ['an access on a database does not cover the organization', { shop: ['read_databases'] }, { '': ['read_databases'] }, { '': ['read_databases'] }],
    ['a credential holding nothing lacks everything', {}, { 'shop': ['read_branch'], '': ['read_databases'] }, { 'shop': ['read_branch'], '': ['read_databases'] }],
    ['wanting nothing lacks nothing', {}, {}, {}],
  ])('%s', (_, held, wanted, missing) => {
    expect(lacking(grants(held), grants(wanted))).toEqual(grants(missing));
  });
});

describe('additionsOf', () => {
  test('keeps only what the steps add, per resource', () => {
    expect(
      additionsOf([
        { resource: '', add: ['read_databases'], remove: [] },
        { resource: 'shop', add: ['create_branch'], remove: ['delete_branch'] },
        { resource: 'analytics', add: [], remove: ['read_branch'] },
      ]),
    ).toEqual(grants({ '': ['read_databases'], 'shop': ['create_branch'] }));
  });

  test('steps that only remove add nothing', () => {
    expect(additionsOf([{ resource: 'shop', add: [], remove: ['read_branch'] }]).size).toBe(0);
  });
});

describe('describeResource and describeGrants', () => {
  test.each([
    ['', 'the organization'],
    ['shop', 'database shop'],
  ])('resource %j reads as %j', (resource, text) => {
    expect(describeResource(resource)).toBe(text);
  });

  test.each([
    [{ shop: ['read_branch', 'create_branch'] }, 'create_branch, read_branch on database shop'],
    [{ 'shop': ['read_branch'], '': ['read_databases'] }, 'read_branch on database shop; read_databases on the organization'],
    [{ '': ['read_databases'], 'analytics': ['read_branch'] }, 'read_databases on the organization; read_branch on database analytics'],
    [{}, 'none'],
  ])('%j reads as %j: accesses sorted, resources in their order', (map, text) => {
    expect(describeGrants(grants(map))).toBe(text);
  });
});

describe('readGrants', () => {
  const grant = (id: string, type: string, name: string, accesses: string[]): ServiceTokenGrant => ({
    id,
    resource_type: type,
    resource_name: name,
    resource_id: `id-${name}`,
    accesses: accesses.map((access) => ({ access, description: `can ${access}` })),
  });

  function clientAnswering(answer: ServiceTokenGrant[]) {
    const asked: string[] = [];
    const client = {
      getServiceTokenGrants: async (id: string) => {
        asked.push(id);
        return answer;
      },
    } as unknown as PlanetScaleClient;
    return { client, asked };
  }

  test('reads the grants of that token, database grants by database name', async () => {
    const { client, asked } = clientAnswering([grant('g1', 'Database', 'shop', ['read_branch', 'create_branch']), grant('g2', 'Database', 'analytics', ['read_branch'])]);
    expect(await readGrants(client, 'tok123456789')).toEqual(grants({ shop: ['read_branch', 'create_branch'], analytics: ['read_branch'] }));
    expect(asked).toEqual(['tok123456789']);
  });

  test.each([['Organization'], ['organization'], ['Branch']])('a grant on a resource of type %j is read as the organization', async (type) => {
    const { client } = clientAnswering([grant('g1', type, 'acme', ['read_databases'])]);
    expect(await readGrants(client, 'tok123456789')).toEqual(grants({ '': ['read_databases'] }));
  });

  test('several grant items on one resource are merged', async () => {
    const { client } = clientAnswering([grant('g1', 'Database', 'shop', ['read_branch']), grant('g2', 'Database', 'shop', ['create_branch', 'read_branch'])]);
    expect(await readGrants(client, 'tok123456789')).toEqual(grants({ shop: ['read_branch', 'create_branch'] }));
  });

  test('a token without grants reads as an empty map', async () => {
    const { client } = clientAnswering([]);
    expect((await readGrants(client, 'tok123456789')).size).toBe(0);
  });
});
