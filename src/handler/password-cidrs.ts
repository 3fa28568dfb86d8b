import { HandlerError, type HandlerContext } from './context';
import { passwordsNamed } from './lookup';
import { PlanetScaleApiError } from '../api/errors';
import { cidrFamily, sameAddresses } from '../spec/cidr';
import type { PasswordCidrsSpec } from '../spec/resource-specs';

/**
 * A 422 for a list holding IPv6 ranges, as one line: whether PlanetScale accepts IPv6 on passwords is not established
 * (the official provider's IPv6 tests wait "when the API supports ipv6"), so it is allowed here and a refusal is
 * explained rather than shown raw. Undefined for anything else.
 */
export function explainCidrRefusal(error: unknown, password: string, cidrs: readonly string[]): HandlerError | undefined {
  const ipv6 = cidrs.filter((c) => cidrFamily(c) === 'ipv6');
  if (!(error instanceof PlanetScaleApiError) || error.status !== 422 || ipv6.length === 0) return undefined;
  // Only an answer about the CIDRs (or one that says nothing) is put down to IPv6.
  if (error.apiMessage && !/cidr|ipv6|ip address|range/i.test(error.apiMessage)) return undefined;
  return new HandlerError(
    `PlanetScale refused the allow-list of password ${password} (HTTP 422${error.apiMessage ? `: ${error.apiMessage}` : ''}); ` +
      `it holds IPv6 ranges (${ipv6.join(', ')}), which this API may not accept on passwords: remove them, or allow the IPv4 ranges your clients use`,
  );
}

/**
 * Makes the password's allow-list exactly the declared CIDRs, in place: same password, same secret. Compared as the
 * addresses they allow, so a list the API merged differently from what was declared is not patched again.
 */
export async function applyPasswordCidrs(context: HandlerContext, spec: PasswordCidrsSpec): Promise<void> {
  const { client, log } = context;
  const found = await passwordsNamed(client, spec.database, spec.branch, spec.password);
  if (found.length === 0) {
    throw new HandlerError(
      `password ${spec.password} does not exist on ${spec.database}/${spec.branch} (deleted outside Terraform?); ` +
        'change its rotation label to create a new one',
    );
  }
  for (const password of found) {
    const current = password.cidrs ?? [];
    if (sameAddresses(current, spec.cidrs)) {
      log(`CIDRs of ${spec.password} (${password.id}) already match`);
      continue;
    }
    try {
      await client.updatePassword(spec.database, spec.branch, password.id, { cidrs: spec.cidrs });
    } catch (error) {
      throw explainCidrRefusal(error, spec.password, spec.cidrs) ?? error;
    }
    const wanted = spec.cidrs.length > 0 ? spec.cidrs.join(', ') : 'none (any address may connect)';
    log(`set CIDRs of ${spec.password} (${password.id}) to ${wanted}; was ${current.length > 0 ? current.join(', ') : 'none'}`);
  }
}
