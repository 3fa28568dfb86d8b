import * as ipaddr from 'ipaddr.js';

export type CidrResult =
  | { readonly ok: true; readonly cidr: string; readonly family: 'ipv4' | 'ipv6' }
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
 * Normalizes an IP address or CIDR range: a bare address becomes /32 or /128, IPv6 is written in its canonical
 * short form. A range with host bits set (10.0.0.1/8) is refused, naming the network that was probably meant.
 */
export function normalizeCidr(input: string): CidrResult {
  const text = input.trim();
  const [addressText, prefixText, ...rest] = text.split('/');
  const address = parseAddress(addressText);
  if (!address || rest.length > 0) {
    return { ok: false, reason: `"${input}" is not an IPv4/IPv6 address or CIDR range` };
  }
  const family = address.kind();
  const maxPrefix = family === 'ipv4' ? 32 : 128;
  if (prefixText === undefined) return { ok: true, cidr: `${format(address)}/${maxPrefix}`, family };
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > maxPrefix) {
    return { ok: false, reason: `"${input}" has an invalid prefix length (0-${maxPrefix} for ${family === 'ipv4' ? 'IPv4' : 'IPv6'})` };
  }
  const prefix = Number(prefixText);
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
