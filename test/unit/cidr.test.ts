import { aggregateCidrs, collapseCidrs, compareCidrs, normalizeCidr, sameAddresses } from '../../src/model/cidr';

describe('normalizeCidr', () => {
  test.each([
    ['10.0.0.1', '10.0.0.1/32', 'ipv4'],
    [' 10.0.0.1 ', '10.0.0.1/32', 'ipv4'],
    ['192.168.1.0/24', '192.168.1.0/24', 'ipv4'],
    ['0.0.0.0/0', '0.0.0.0/0', 'ipv4'],
    ['2001:db8::1', '2001:db8::1/128', 'ipv6'],
    ['::1', '::1/128', 'ipv6'],
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1/128', 'ipv6'],
    ['2001:db8:0:0::/64', '2001:db8::/64', 'ipv6'],
    ['2001:DB8::/32 ', '2001:db8::/32', 'ipv6'],
    ['::/0', '::/0', 'ipv6'],
  ])('accepts %j as %s (a bare address is one host, IPv6 in its canonical short form)', (input, cidr, family) => {
    expect(normalizeCidr(input)).toEqual({ ok: true, cidr, family });
  });

  test.each([
    ['10.0.0.1/8', '"10.0.0.1/8" has host bits set; did you mean 10.0.0.0/8?'],
    ['192.168.1.77/24', '"192.168.1.77/24" has host bits set; did you mean 192.168.1.0/24?'],
    ['2001:db8::1/64', '"2001:db8::1/64" has host bits set; did you mean 2001:db8::/64?'],
  ])('refuses %j because host bits are set, suggesting the network it probably meant', (input, reason) => {
    expect(normalizeCidr(input)).toEqual({ ok: false, reason });
  });

  test.each([
    ['fe80::1%eth0', '"fe80::1%eth0" has an IPv6 zone id (%eth0), which only names an interface on one host; write fe80::1'],
    ['fe80::1%eth0/64', '"fe80::1%eth0/64" has an IPv6 zone id (%eth0), which only names an interface on one host; write fe80::1/64'],
    ['10.0.0.1%eth0', '"10.0.0.1%eth0" has a zone id (%eth0), which only names an interface on one host; write 10.0.0.1'],
  ])('refuses %j because a zone id names an interface of one host, and says what to write', (input, reason) => {
    expect(normalizeCidr(input)).toEqual({ ok: false, reason });
  });

  test.each([
    ['::ffff:10.0.0.1', '"::ffff:10.0.0.1" is an IPv4 address written as IPv6 (IPv4-mapped); write the IPv4 range, probably 10.0.0.1/32'],
    ['::ffff:0a00:0001', '"::ffff:0a00:0001" is an IPv4 address written as IPv6 (IPv4-mapped); write the IPv4 range, probably 10.0.0.1/32'],
    ['::ffff:10.0.0.0/120', '"::ffff:10.0.0.0/120" is an IPv4 address written as IPv6 (IPv4-mapped); write the IPv4 range, probably 10.0.0.0/24'],
    ['::ffff:10.1.2.3/104', '"::ffff:10.1.2.3/104" is an IPv4 address written as IPv6 (IPv4-mapped); write the IPv4 range, probably 10.0.0.0/8'],
  ])('refuses the IPv4-mapped address %j and hints at the IPv4 range it stands for', (input, reason) => {
    expect(normalizeCidr(input)).toEqual({ ok: false, reason });
  });

  test.each([
    ['::ffff:10.0.0.0/100', '"::ffff:10.0.0.0/100" is an IPv4 address written as IPv6 (IPv4-mapped); write the IPv4 range'],
    ['::ffff:0.0.0.0/96', '"::ffff:0.0.0.0/96" is an IPv4 address written as IPv6 (IPv4-mapped); write the IPv4 range'],
  ])('refuses the IPv4-mapped range %j without a hint, since the IPv4 range would be wider than a /8', (input, reason) => {
    expect(normalizeCidr(input)).toEqual({ ok: false, reason });
  });

  test.each([
    ['10.0.0.0/33', '"10.0.0.0/33" has an invalid prefix length (0-32 for IPv4)'],
    ['2001:db8::/129', '"2001:db8::/129" has an invalid prefix length (0-128 for IPv6)'],
    ['10.0.0.0/', '"10.0.0.0/" has an invalid prefix length (0-32 for IPv4)'],
    ['10.0.0.0/abc', '"10.0.0.0/abc" has an invalid prefix length (0-32 for IPv4)'],
    ['10.0.0.0/-1', '"10.0.0.0/-1" has an invalid prefix length (0-32 for IPv4)'],
    ['10.0.0.0/1000', '"10.0.0.0/1000" has an invalid prefix length (0-32 for IPv4)'],
  ])('refuses %j because its prefix length is out of range or not a number', (input, reason) => {
    expect(normalizeCidr(input)).toEqual({ ok: false, reason });
  });

  test.each([
    ['example.com'],
    [''],
    ['10.0.0'],
    ['010.0.0.1'],
    ['10.0.0.256'],
    ['10.0.0.0/8/8'],
    ['2001:db8:::1'],
  ])('refuses %j as neither an address nor a CIDR range', (input) => {
    expect(normalizeCidr(input)).toEqual({ ok: false, reason: `"${input}" is not an IPv4/IPv6 address or CIDR range` });
  });
});

describe('collapseCidrs', () => {
  test.each([
    [['10.0.0.0/8', '10.0.0.0/8'], ['10.0.0.0/8']],
    [['10.1.0.0/16', '10.0.0.0/8'], ['10.0.0.0/8']],
    [['10.0.0.0/8', '10.1.0.0/16', '10.1.2.3/32'], ['10.0.0.0/8']],
    [['2001:db8:1::/48', '2001:db8::/32'], ['2001:db8::/32']],
    [['192.168.0.0/24', '10.0.0.0/8', '1.2.3.4/32'], ['1.2.3.4/32', '10.0.0.0/8', '192.168.0.0/24']],
    [['2001:db8::/32', '10.0.0.0/8'], ['10.0.0.0/8', '2001:db8::/32']],
    [['10.0.0.0/25', '10.0.0.128/25'], ['10.0.0.0/25', '10.0.0.128/25']],
    [['::/0', '0.0.0.0/0', '10.0.0.0/8', '2001:db8::/32'], ['0.0.0.0/0', '::/0']],
    [[], []],
  ])('collapses %j to %j: duplicates and ranges inside another go, IPv4 sorts before IPv6, adjacent ranges stay', (input, expected) => {
    expect(collapseCidrs(input)).toEqual(expected);
  });
});

describe('aggregateCidrs', () => {
  test.each([
    [['10.0.0.0/25', '10.0.0.128/25'], ['10.0.0.0/24']],
    [['10.0.0.128/25', '10.0.0.0/25', '10.0.1.0/24'], ['10.0.0.0/23']],
    [['10.0.0.0/24', '10.0.2.0/24'], ['10.0.0.0/24', '10.0.2.0/24']],
    [['2001:db8:8000::/33', '2001:db8::/33', '10.0.0.0/8'], ['10.0.0.0/8', '2001:db8::/32']],
    [['10.0.0.0/8', '10.1.0.0/16'], ['10.0.0.0/8']],
    [[], []],
  ])('aggregates %j to %j: the fewest ranges covering exactly the same addresses', (input, expected) => {
    expect(aggregateCidrs(input)).toEqual(expected);
  });
});

describe('sameAddresses', () => {
  test.each([
    [['10.0.0.0/25', '10.0.0.128/25'], ['10.0.0.0/24'], true],
    [['10.0.0.0/8', '10.1.0.0/16'], ['10.0.0.0/8'], true],
    [['2001:db8::/32', '10.0.0.0/8'], ['10.0.0.0/8', '2001:db8::/32'], true],
    [[], [], true],
    [['10.0.0.0/24'], ['10.0.0.0/23'], false],
    [['10.0.0.0/24'], [], false],
    [['10.0.0.0/24'], ['2001:db8::/32'], false],
  ])('%j and %j allow the same addresses: %s (however each list is written)', (a, b, expected) => {
    expect(sameAddresses(a, b)).toBe(expected);
    expect(sameAddresses(b, a)).toBe(expected);
  });
});

describe('compareCidrs', () => {
  test.each([
    ['255.255.255.255/32', '::/0', -1],
    ['::/0', '255.255.255.255/32', 1],
    ['9.0.0.0/8', '10.0.0.0/8', -1],
    ['10.0.0.0/8', '9.0.0.0/8', 1],
    ['10.0.0.0/8', '10.0.0.0/16', -1],
    ['10.0.0.0/16', '10.0.0.0/8', 1],
    ['2001:db8::/32', '2001:db8::/48', -1],
    ['2001:db8::/32', '2001:db9::/32', -1],
    ['10.0.0.0/8', '10.0.0.0/8', 0],
  ])('orders %s against %s as %i: IPv4 before IPv6, then by address, then widest first', (a, b, sign) => {
    expect(Math.sign(compareCidrs(a, b))).toBe(sign);
  });

  test('sorting with it gives a stable, readable order', () => {
    expect(['2001:db8::/48', '10.0.0.0/16', '2001:db8::/32', '10.0.0.0/8', '1.0.0.0/8'].sort(compareCidrs)).toEqual([
      '1.0.0.0/8',
      '10.0.0.0/8',
      '10.0.0.0/16',
      '2001:db8::/32',
      '2001:db8::/48',
    ]);
  });
});
