import { parseTtl } from '../../src/model/ttl';

const NOT_A_DURATION = "is not a duration: use whole seconds (3600) or a number with a unit s, m, h, d or w ('90d', '12h', '30m')";

describe('parseTtl', () => {
  test.each([
    [3600, 3600],
    [1, 1],
    [31536000, 31536000],
    ['45s', 45],
    ['30m', 1800],
    ['12h', 43200],
    ['90d', 7776000],
    ['2w', 1209600],
    ['1 d', 86400],
    [' 7d ', 604800],
    ['365d', 31536000],
    ['52w', 31449600],
  ])('reads %j as %i seconds', (value, seconds) => {
    expect(parseTtl(value)).toEqual({ seconds });
  });

  test.each([
    ['90', `"90" ${NOT_A_DURATION}`],
    ['90D', `"90D" ${NOT_A_DURATION}`],
    ['1y', `"1y" ${NOT_A_DURATION}`],
    ['10ms', `"10ms" ${NOT_A_DURATION}`],
    ['1.5d', `"1.5d" ${NOT_A_DURATION}`],
    ['1d2h', `"1d2h" ${NOT_A_DURATION}`],
    ['-1d', `"-1d" ${NOT_A_DURATION}`],
    ['abc', `"abc" ${NOT_A_DURATION}`],
    ['', `"" ${NOT_A_DURATION}`],
  ])('refuses the string %j, saying which forms are allowed', (value, error) => {
    expect(parseTtl(value)).toEqual({ error });
  });

  test.each([
    [1.5, '1.5 is not a whole number of seconds'],
    [Number.NaN, 'NaN is not a whole number of seconds'],
    [Number.POSITIVE_INFINITY, 'Infinity is not a whole number of seconds'],
  ])('refuses %p seconds because it is not a whole number', (value, error) => {
    expect(parseTtl(value)).toEqual({ error });
  });

  test.each([
    [0, '0 must be positive (omit ttl for a credential that does not expire)'],
    [-5, '-5 must be positive (omit ttl for a credential that does not expire)'],
    ['0d', '"0d" must be positive (omit ttl for a credential that does not expire)'],
    ['0s', '"0s" must be positive (omit ttl for a credential that does not expire)'],
  ])('refuses %j because a TTL must be positive, pointing at omitting it instead', (value, error) => {
    expect(parseTtl(value)).toEqual({ error });
  });

  test.each([
    [31536001, '31536001 is longer than the maximum of 365d'],
    ['366d', '"366d" is longer than the maximum of 365d'],
    ['53w', '"53w" is longer than the maximum of 365d'],
    ['8761h', '"8761h" is longer than the maximum of 365d'],
  ])('refuses %j because it is longer than 365 days', (value, error) => {
    expect(parseTtl(value)).toEqual({ error });
  });
});
