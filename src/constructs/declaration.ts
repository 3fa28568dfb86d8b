import type { IConstruct } from 'constructs';
import { CustomResourceType } from './resource-type';
import { nullResource, terraformData, type TerraformElement } from '../framework';
import { canonicalJson } from '../model/canonical-json';

/** What a declaration needs of its stack's PlanetScale construct. */
export interface DeclaringStack {
  readonly resourceType: CustomResourceType;
  /** The stack's reconciler (see declareReconciler). */
  readonly reconciler: TerraformElement;
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

/** terraform_data attributes, every string escaped so Terraform reads it literally. */
function literalAttributes(attributes: Record<string, unknown>): Record<string, unknown> {
  return literalDeep(attributes) as Record<string, unknown>;
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
export function declareObject(scope: IConstruct, stack: DeclaringStack, fields: () => DeclaredFields): TerraformElement {
  // After the run: Terraform records a declaration as applied only once the run has made it so, and a failed run
  // leaves them unapplied, so the next `terraform plan` still shows them. (The run also starts at once: Terraform
  // starts ready resources in no particular order, and none is ready beside it.)
  const dependsOn = [stack.reconciler];
  if (stack.resourceType === CustomResourceType.NULL_RESOURCE) {
    return nullResource(scope, 'Resource', () => stringTriggers({ ...fields().replace, ...fields().inPlace }), { dependsOn });
  }
  return terraformData(
    scope,
    'Resource',
    () => {
      const { replace, inPlace } = fields();
      return literalAttributes({ triggers_replace: canonicalJson(withoutDefaults(replace)), input: canonicalJson(withoutDefaults(inPlace)) });
    },
    { dependsOn },
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
 * which would make a destroy after a failed apply delete nothing; the destroyer does that. It waits for the destroyer,
 * so the destroyer exists before the engine can have created anything.
 */
export function declareReconciler(
  scope: IConstruct,
  resourceType: CustomResourceType,
  triggers: () => Record<string, unknown>,
  handler: HandlerInvocation,
  destroyer: TerraformElement,
): TerraformElement {
  const isNull = resourceType === CustomResourceType.NULL_RESOURCE;
  const environment = { [handler.variable]: isNull ? '${jsonencode(self.triggers)}' : '${jsonencode(self.triggers_replace)}' };
  const config = { provisioners: [{ type: 'local-exec' as const, command: handler.command('apply'), environment }], dependsOn: [destroyer] };
  if (isNull) {
    return nullResource(scope, 'Reconciler', () => stringTriggers(triggers()), config);
  }
  return terraformData(scope, 'Reconciler', () => literalAttributes({ triggers_replace: triggers() }), config);
}

/**
 * The stack's destroyer: a resource whose only provisioner runs at destroy and deletes everything the stack owns.
 * It runs nothing at creation, so it is never tainted, and a destroy always reaches it, even after a failed apply.
 * It carries what a destroy needs (the stack's identity, and where its objects live), read back from `self` at
 * destroy, since a destroy provisioner may reference nothing else.
 *
 * Nothing but a destroy may run its destroy step: it is created before the old one goes when replaced (a
 * null_resource, whose triggers always replace; `terraform apply -replace`), and Terraform runs no destroy
 * provisioner for a replaced (deposed) object. As terraform_data, what it carries changes in place.
 */
export function declareDestroyer(
  scope: IConstruct,
  resourceType: CustomResourceType,
  description: () => Record<string, unknown>,
  handler: HandlerInvocation,
): TerraformElement {
  const isNull = resourceType === CustomResourceType.NULL_RESOURCE;
  const environment = { [handler.variable]: isNull ? '${jsonencode(self.triggers)}' : '${jsonencode(self.input)}' };
  const config = {
    provisioners: [{ type: 'local-exec' as const, when: 'destroy' as const, command: handler.command('destroy'), environment }],
    lifecycle: { createBeforeDestroy: true },
  };
  if (isNull) {
    // Strings stay as they are; anything else as JSON, which the handler reads back.
    const triggers = () => Object.fromEntries(Object.entries(description()).map(([k, v]) => [k, literal(typeof v === 'string' ? v : JSON.stringify(v))]));
    return nullResource(scope, 'Destroyer', triggers, config);
  }
  return terraformData(scope, 'Destroyer', () => literalAttributes({ input: description() }), config);
}
