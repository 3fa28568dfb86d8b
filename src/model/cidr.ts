import { IPv4CidrRange, IPv6CidrRange, Pool } from 'ip-num';
import * as ipaddr from 'ipaddr.js';

/**
 * CIDR rules shared by the constructs (synth), the engine (comparing with what the API returns) and the emulator
 * (what the API does with a list): one module, so the three agree.
 */

export type CidrFamily = 'ipv4' | 'ipv6';

export type CidrResult =
  | { readonly ok: true; readonly cidr: string; readonly family: CidrFamily }
  | { readonly ok: false; readonly reason: string };

function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (text.includes(':') && ipaddr.IPv6.isValid(text)) return ipaddr.IPv6.parse(text);
  return undefined;
}

function format(address: ipaddr.IPv4 | ipaddr.IPv6): string {
  return address.kind() === 'ipv6' ? (address as ipaddr.IPv6).toRFC5952String() : address.toString();
}

/**
 * Normalizes an IP address or CIDR range: a bare address becomes /32 or /128 (as the API returns it), IPv6 is written
 * in its canonical short form. Refused, each with what was probably meant: host bits set (10.0.0.1/8), an IPv6 zone
 * id (fe80::1%eth0: it names an interface of one host), and an IPv4-mapped IPv6 address (::ffff:10.0.0.1, which is
 * an IPv4 address written as IPv6, and would otherwise become an IPv6 /128 that no IPv4 client ever matches).
 */
export function normalizeCidr(input: string): CidrResult {
  const text = input.trim();
  const [addressText, prefixText, ...rest] = text.split('/');
  const zone = /%(.*)$/.exec(addressText);
  if (zone && rest.length === 0) {
    const bare = addressText.slice(0, zone.index);
    const parsed = parseAddress(bare);
    if (parsed) {
      const what = parsed.kind() === 'ipv6' ? 'an IPv6 zone id' : 'a zone id';
      return { ok: false, reason: `"${input}" has ${what} (%${zone[1]}), which only names an interface on one host; write ${bare}${prefixText === undefined ? '' : `/${prefixText}`}` };
    }
  }
  const address = zone ? undefined : parseAddress(addressText);
  if (!address || rest.length > 0) {
    return { ok: false, reason: `"${input}" is not an IPv4/IPv6 address or CIDR range` };
  }
  const family = address.kind();
  const maxPrefix = family === 'ipv4' ? 32 : 128;
  if (prefixText !== undefined && (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > maxPrefix)) {
    return { ok: false, reason: `"${input}" has an invalid prefix length (0-${maxPrefix} for ${family === 'ipv4' ? 'IPv4' : 'IPv6'})` };
  }
  const prefix = prefixText === undefined ? maxPrefix : Number(prefixText);
  if (family === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
    const ipv4 = (address as ipaddr.IPv6).toIPv4Address();
    // A prefix shorter than /104 would be wider than an IPv4 /8: no range is suggested then, never one that opens a
    // password to most of the internet.
    const ipv4Prefix = prefix - 96;
    const hint = ipv4Prefix >= 8 ? `, probably ${ipaddr.IPv4.networkAddressFromCIDR(`${ipv4.toString()}/${ipv4Prefix}`).toString()}/${ipv4Prefix}` : '';
    return { ok: false, reason: `"${input}" is an IPv4 address written as IPv6 (IPv4-mapped); write the IPv4 range${hint}` };
  }
  if (prefixText === undefined) return { ok: true, cidr: `${format(address)}/${maxPrefix}`, family };
  const network =
    family === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(`${address.toString()}/${prefix}`)
      : ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${prefix}`);
  const canonical = `${format(network)}/${prefix}`;
  if (format(network) !== format(address)) {
    return { ok: false, reason: `"${input}" has host bits set; did you mean ${canonical}?` };
  }
  return { ok: true, cidr: canonical, family };
}

/** The family of a normalized CIDR. */
export function cidrFamily(cidr: string): CidrFamily {
  return cidr.includes(':') ? 'ipv6' : 'ipv4';
}

type Range = IPv4CidrRange | IPv6CidrRange;

function range(cidr: string): Range {
  return cidrFamily(cidr) === 'ipv6' ? IPv6CidrRange.fromCidr(cidr) : IPv4CidrRange.fromCidr(cidr);
}

/** IPv4 before IPv6, then by address, then widest first: a stable, readable order. */
export function compareCidrs(a: string, b: string): number {
  const [ra, rb] = [range(a), range(b)];
  if (cidrFamily(a) !== cidrFamily(b)) return cidrFamily(a) === 'ipv4' ? -1 : 1;
  const first = ra.getFirst().getValue() - rb.getFirst().getValue();
  if (first !== 0n) return first < 0n ? -1 : 1;
  return Number(ra.cidrPrefix.getValue() - rb.cidrPrefix.getValue());
}

/**
 * What PlanetScale does with a password's list: duplicates and ranges inside another range are dropped ("the API will
 * accept the overlapping ranges and de-duplicate them, it will return a list with the overlaps removed",
 * planetscale/terraform-provider-planetscale commit 36daa29). Input must be normalized; output is sorted.
 */
export function collapseCidrs(cidrs: readonly string[]): string[] {
  const unique = [...new Set(cidrs)];
  const kept = unique.filter((cidr) => {
    const own = range(cidr);
    return !unique.some((other) => other !== cidr && cidrFamily(other) === cidrFamily(cidr) && own.inside(range(other) as never));
  });
  return kept.sort(compareCidrs);
}

/** The smallest list of ranges covering exactly the same addresses (adjacent ranges joined too). */
export function aggregateCidrs(cidrs: readonly string[]): string[] {
  const out: string[] = [];
  for (const family of ['ipv4', 'ipv6'] as const) {
    const ranges = cidrs.filter((c) => cidrFamily(c) === family).map(range);
    if (ranges.length === 0) continue;
    const pool = Pool.fromCidrRanges(ranges as never);
    for (const merged of pool.aggregate().getRanges()) {
      const result = normalizeCidr(merged.toCidrRange().toCidrString());
      if (result.ok) out.push(result.cidr);
    }
  }
  return out.sort(compareCidrs);
}

/**
 * Whether two lists allow exactly the same addresses, however each is written: the engine compares what it declared
 * with what the API returned this way, so an API that merges more (or differently) than expected never causes a
 * patch on every apply.
 */
export function sameAddresses(a: readonly string[], b: readonly string[]): boolean {
  const [x, y] = [aggregateCidrs(a), aggregateCidrs(b)];
  return x.length === y.length && x.every((cidr, i) => cidr === y[i]);
}
