import { Construct } from 'constructs';
import { DatabasePassword } from './database-password';
import { invalidProp } from './validation';
import { normalizeCidr } from '../spec/cidr';

export interface IpRestrictionProps {
  /** The password whose connections are restricted (MySQL/Vitess). */
  readonly password: DatabasePassword;
  /**
   * Allowed IPv4/IPv6 addresses or CIDR ranges. Bare addresses become /32 or /128; duplicates are dropped.
   * Several restrictions on one password allow the union of their ranges.
   */
  readonly cidrs: string[];
}

/**
 * Restricts where a password may be used from. Changes patch the password in place (same secret); removing the last
 * restriction of a password makes it usable from any address again.
 */
export class IpRestriction extends Construct {
  /** The normalized CIDRs this restriction allows. */
  readonly cidrs: string[];

  constructor(scope: Construct, id: string, props: IpRestrictionProps) {
    super(scope, id);
    if (!(props.password instanceof DatabasePassword)) {
      throw invalidProp(this, 'password', 'must be a DatabasePassword of this stack');
    }
    if (!Array.isArray(props.cidrs) || props.cidrs.length === 0) {
      throw invalidProp(this, 'cidrs', 'must list at least one address or range (remove the IpRestriction to allow all addresses)');
    }
    const normalized = props.cidrs.map((cidr, index) => {
      const result = typeof cidr === 'string' ? normalizeCidr(cidr) : { ok: false as const, reason: `${JSON.stringify(cidr)} is not a string` };
      if (!result.ok) throw invalidProp(this, `cidrs[${index}]`, result.reason);
      return result.cidr;
    });
    this.cidrs = [...new Set(normalized)];
    props.password.allow(this.cidrs);
  }
}
