import { HandlerError, type HandlerContext } from './context';
import { passwordsNamed } from './lookup';
import type { PasswordCidrsSpec } from '../spec/resource-specs';

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join() === [...b].sort().join();
}

/** Makes the password's allow-list exactly the declared CIDRs, in place: same password, same secret. */
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
    if (sameSet(current, spec.cidrs)) {
      log(`CIDRs of ${spec.password} (${password.id}) already match`);
      continue;
    }
    await client.updatePassword(spec.database, spec.branch, password.id, { cidrs: spec.cidrs });
    const wanted = spec.cidrs.length > 0 ? spec.cidrs.join(', ') : 'none (any address may connect)';
    log(`set CIDRs of ${spec.password} (${password.id}) to ${wanted}; was ${current.length > 0 ? current.join(', ') : 'none'}`);
  }
}
