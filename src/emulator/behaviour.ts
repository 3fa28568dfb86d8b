/**
 * The API behaviours PlanetScale's own code and words leave open. Each setting plays one possibility; the default is
 * the one the evidence leans to, and tests run the product against the others (docs/api-fidelity.md).
 */
export interface EmulatorBehaviour {
  /**
   * Whether a service token may call the service-token routes. `allowed`: as the OpenAPI description lists accesses
   * for them. `grants-refused`: the grant routes (`/access`, `/grants`) answer 404 to service tokens. `all-refused`:
   * every service-token route does ("Service tokens do not have access to any of the service token endpoints (so that
   * they cannot modify themselves or others)", planetscale/cli PR #758, 2023; before that change the CLI reported
   * "org does not exist", i.e. a 404). Whether this still holds is not established.
   * @default 'allowed'
   */
  serviceTokenRoutes: 'allowed' | 'grants-refused' | 'all-refused';
  /**
   * IPv6 ranges on passwords. The official provider's IPv6 tests were commented out "when the API supports ipv6"
   * (terraform-provider-planetscale b26291e); whether it does today is not established.
   * @default 'accepted'
   */
  passwordIpv6: 'accepted' | 'refused';
  /**
   * What the API does with overlapping password CIDRs: `overlaps` drops duplicates and ranges inside another
   * (terraform-provider-planetscale 36daa29); `aggregate` also joins adjacent ranges (not observed, played so the
   * product is shown not to depend on the exact merge).
   * @default 'overlaps'
   */
  passwordCidrMerge: 'overlaps' | 'aggregate';
}

export const DEFAULT_BEHAVIOUR: EmulatorBehaviour = {
  serviceTokenRoutes: 'allowed',
  passwordIpv6: 'accepted',
  passwordCidrMerge: 'overlaps',
};

const CHOICES: { [K in keyof EmulatorBehaviour]: readonly EmulatorBehaviour[K][] } = {
  serviceTokenRoutes: ['allowed', 'grants-refused', 'all-refused'],
  passwordIpv6: ['accepted', 'refused'],
  passwordCidrMerge: ['overlaps', 'aggregate'],
};

/** Checks a partial behaviour (from options, the admin route or the command line); the error names the bad key. */
export function checkBehaviour(value: unknown): Partial<EmulatorBehaviour> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('behaviour must be an object');
  for (const [key, setting] of Object.entries(value)) {
    const choices = CHOICES[key as keyof EmulatorBehaviour] as readonly unknown[] | undefined;
    if (!choices) throw new Error(`unknown behaviour ${key} (known: ${Object.keys(CHOICES).join(', ')})`);
    if (!choices.includes(setting)) throw new Error(`behaviour ${key} must be one of ${choices.join(', ')}`);
  }
  return value as Partial<EmulatorBehaviour>;
}
