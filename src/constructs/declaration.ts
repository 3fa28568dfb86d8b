import { Construct } from 'constructs';
import { Lazy, NullResource, TerraformResource } from '../cdktf';
import { CustomResourceType } from './resource-type';
import { canonicalJson } from '../spec/desired-state';

/** What a declaration needs of its stack's PlanetScale construct. */
export interface DeclaringStack {
  readonly resourceType: CustomResourceType;
  /** The stack's destroyer (see declareDestroyer). */
  readonly destroyer: TerraformResource;
}

/** The fields of one managed object, as `cdktf diff` shows them. */
export interface DeclaredFields {
  /** Fields fixed at creation: a change means a new object (for credentials, a new secret). */
  readonly replace: Record<string, unknown>;
  /** Fields changed in place: same object, same secret. */
  readonly inPlace: Record<string, unknown>;
}

/**
 * A map without its fields at their default (false, null, '', empty list or map): Terraform's time grows with the
 * size of what it stores for each resource, and a field that appears when set still reads clearly in a diff
 * (`+ replica = true`).
 */
export function withoutDefaults(fields: Record<string, unknown>): Record<string, unknown> {
  const empty = (v: unknown) =>
    v === null || v === false || v === '' || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0);
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => !empty(v)));
}

/** Terraform templates treat `${` and `%{` specially; literal text must escape them as `$${` and `%%{`. */
export function literal(text: string): string {
  // A replacer function, because in a replacement string `$$` would itself mean one `$`.
  return text.replace(/([$%])\{/g, (_match, sign: string) => `${sign}${sign}{`);
}

/** Escapes every string in a JSON value so Terraform reads it literally. */
export function literalDeep(value: unknown): unknown {
  if (typeof value === 'string') return literal(value);
  if (Array.isArray(value)) return value.map(literalDeep);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, literalDeep(v)]));
  return value;
}

/** terraform_data with its two maps, evaluated at synth (so they may depend on constructs added later). */
class TerraformData extends TerraformResource {
  constructor(
    scope: Construct,
    id: string,
    private readonly attributes: () => Record<string, unknown>,
    config: ConstructorParameters<typeof TerraformResource>[2],
  ) {
    super(scope, id, config);
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    return literalDeep(this.attributes()) as Record<string, unknown>;
  }
}

/** null_resource triggers are strings only: each field rendered readably. */
function stringTriggers(fields: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(fields).map(([key, value]) => [
      key,
      literal(typeof value === 'string' ? value : Array.isArray(value) && value.every((v) => typeof v === 'string') ? value.join(', ') : JSON.stringify(value)),
    ]),
  );
}

/**
 * One managed object as a Terraform resource without provisioners: nothing runs for it; it is there so `terraform
 * plan` and `cdktf diff` tell the truth. With `terraform_data`, `triggers_replace` holds the fields fixed at creation
 * ("must be replaced": a new object, a new secret) and `input` the fields changed in place ("update in-place"). A
 * `null_resource` has only `triggers`, so there every change shows as a replacement (the engine still changes in
 * place what can be).
 *
 * Each map is one JSON string (keys sorted, fields at their default left out), not a Terraform object: Terraform
 * renders a JSON string's change field by field (`~ input = jsonencode({ ~ cidrs = [ + "192.0.2.0/24" ] })`), and
 * its time grows with what it stores: with 500 objects, full maps more than doubled Terraform's own apply time. The
 * organization and owner are the stack's, in the reconciler's trigger (changing either issues every object again).
 */
export function declareObject(scope: Construct, stack: DeclaringStack, fields: () => DeclaredFields): TerraformResource {
  // After the destroyer: at the start of an apply only it and the reconciler are ready, so both start at once. Had the
  // reconciler to wait for the destroyer among hundreds of ready declarations, Terraform (which starts ready resources
  // in no particular order, 10 at a time) could start the run last.
  const dependsOn = [stack.destroyer];
  if (stack.resourceType === CustomResourceType.NULL_RESOURCE) {
    return new NullResource(scope, 'Resource', {
      dependsOn,
      triggers: Lazy.anyValue({ produce: () => stringTriggers({ ...fields().replace, ...fields().inPlace }) }) as never,
    });
  }
  return new TerraformData(
    scope,
    'Resource',
    () => ({ triggers_replace: canonicalJson(withoutDefaults(fields().replace)), input: canonicalJson(withoutDefaults(fields().inPlace)) }),
    { terraformResourceType: 'terraform_data', dependsOn },
  );
}

/** How the handler is started for one action; its input comes from one environment variable set from `self`. */
export interface HandlerInvocation {
  /** The command line for an action (no secrets: Terraform prints it on failure). */
  readonly command: (action: 'apply' | 'destroy') => string;
  /** The environment variable the resource's own attributes reach the handler through. */
  readonly variable: string;
}

/**
 * The stack's reconciler: the one resource whose provisioner runs the engine, once per apply (its trigger is the
 * digest of the whole desired state, so any change replaces it and runs it again). A failed run leaves it tainted,
 * so the next apply runs again. It has no destroy step: Terraform skips destroy provisioners of tainted resources,
 * which would make a destroy after a failed apply delete nothing; the destroyer does that.
 */
export function declareReconciler(
  scope: Construct,
  resourceType: CustomResourceType,
  triggers: () => Record<string, unknown>,
  handler: HandlerInvocation,
): TerraformResource {
  const isNull = resourceType === CustomResourceType.NULL_RESOURCE;
  const environment = { [handler.variable]: isNull ? '${jsonencode(self.triggers)}' : '${jsonencode(self.triggers_replace)}' };
  const provisioners = [{ type: 'local-exec' as const, command: handler.command('apply'), environment }];
  if (isNull) {
    return new NullResource(scope, 'Reconciler', { provisioners, triggers: Lazy.anyValue({ produce: () => stringTriggers(triggers()) }) as never });
  }
  return new TerraformData(scope, 'Reconciler', () => ({ triggers_replace: triggers() }), { terraformResourceType: 'terraform_data', provisioners });
}

/**
 * The stack's destroyer: a resource whose only provisioner runs at destroy and deletes everything the stack owns.
 * It runs nothing at creation, so it is never tainted, and a destroy always reaches it, even after a failed apply.
 * It carries the stack's identity (stack, organization, owner, settings), read back from `self` at destroy, since a
 * destroy provisioner may reference nothing else. A change of identity never destroys it: terraform_data changes its
 * `input` in place; a null_resource, whose triggers always replace, is created before the old one goes, and
 * Terraform runs no destroy provisioner for a replaced (deposed) object.
 *
 * It is created at the very start of the first apply, together with the reconciler (the only other resource that is
 * ready then: the declarations follow it): creating it takes milliseconds, the engine's first create comes after it
 * has listed what exists, and Terraform lets operations under way finish even when interrupted, and goes on with
 * other resources when one fails. So it exists whenever the engine can have created anything. (The reconciler does not
 * wait for it: Terraform would then start the run only after the destroyer, among hundreds of ready declarations.)
 */
export function declareDestroyer(
  scope: Construct,
  resourceType: CustomResourceType,
  identity: () => Record<string, unknown>,
  handler: HandlerInvocation,
): TerraformResource {
  const isNull = resourceType === CustomResourceType.NULL_RESOURCE;
  const environment = { [handler.variable]: isNull ? '${jsonencode(self.triggers)}' : '${jsonencode(self.input)}' };
  const provisioners = [{ type: 'local-exec' as const, when: 'destroy' as const, command: handler.command('destroy'), environment }];
  if (isNull) {
    return new NullResource(scope, 'Destroyer', {
      provisioners,
      lifecycle: { createBeforeDestroy: true },
      triggers: Lazy.anyValue({ produce: () => stringTriggers(identity()) }) as never,
    });
  }
  return new TerraformData(scope, 'Destroyer', () => ({ input: identity() }), { terraformResourceType: 'terraform_data', provisioners });
}
