import { Construct } from 'constructs';
import { Lazy, NullResource, TerraformResource, type ITerraformDependable } from '../cdktf';
import type { PlanetScale } from './planetscale';
import { checkResourceSpec, type ResourceSpec } from '../spec/resource-specs';

/** Which Terraform resource carries a custom resource. */
export enum CustomResourceType {
  /** Terraform's built-in `terraform_data` (Terraform >= 1.4): no provider download, works offline. */
  TERRAFORM_DATA = 'terraform_data',
  /** `null_resource` from the hashicorp/null provider (via @cdktf/provider-null). */
  NULL_RESOURCE = 'null_resource',
}

export interface CustomResourceProps {
  /** The stack's PlanetScale construct: resource type, handler asset and settings. */
  readonly planetscale: PlanetScale;
  /** The desired state; evaluated at synth, so it may depend on constructs added later. */
  readonly spec: () => ResourceSpec;
  /** Extra handler input for the create step, evaluated at synth. Never a secret. */
  readonly createEnvironment?: () => Record<string, string>;
  /** Whether the handler also runs when the resource is destroyed. */
  readonly runOnDestroy: boolean;
  readonly dependsOn?: ITerraformDependable[];
}

/** Terraform templates treat `${` and `%{` specially; literal text must escape them as `$${` and `%%{`. */
function literal(text: string): string {
  // A replacer function, because in a replacement string `$$` would itself mean one `$`.
  return text.replace(/([$%])\{/g, (_match, sign: string) => `${sign}${sign}{`);
}

/** Escapes every string in a JSON value so Terraform reads it literally. */
function literalDeep(value: unknown): unknown {
  if (typeof value === 'string') return literal(value);
  if (Array.isArray(value)) return value.map(literalDeep);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, literalDeep(v)]));
  return value;
}

/** terraform_data with `triggers_replace` as a readable map of the spec. */
class TerraformData extends TerraformResource {
  constructor(scope: Construct, id: string, private readonly triggers: unknown, config: ConstructorParameters<typeof TerraformResource>[2]) {
    super(scope, id, config);
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    return { triggers_replace: this.triggers };
  }
}

/** null_resource triggers are strings only: each field rendered readably, plus the whole spec as JSON for the handler. */
function stringTriggers(spec: ResourceSpec): Record<string, string> {
  const readable: Record<string, string> = {};
  for (const [key, value] of Object.entries(spec)) {
    readable[key] = typeof value === 'string' ? value : Array.isArray(value) ? value.join(', ') : JSON.stringify(value);
  }
  return escapeValues({ ...readable, spec: JSON.stringify(spec) });
}

/**
 * One managed object as a Terraform resource whose triggers hold its desired state (so `cdktf diff` shows
 * field-level changes) and whose local-exec provisioners run the bundled handler at create and, optionally, at
 * destroy. The handler gets its input through the environment only; the command line holds no data.
 * Replacements create the new object before the old one is removed (create_before_destroy).
 */
export class CustomResource extends Construct {
  readonly resource: TerraformResource;

  constructor(scope: Construct, id: string, props: CustomResourceProps) {
    super(scope, id);
    const { planetscale } = props;
    const checkedSpec = () => checkResourceSpec(props.spec());
    const isNull = planetscale.resourceType === CustomResourceType.NULL_RESOURCE;
    // Destroy provisioners may only reference `self`, so both steps read the spec back from the resource itself.
    const specReference = isNull ? '${self.triggers.spec}' : '${jsonencode(self.triggers_replace)}';
    const environment = (extra?: () => Record<string, string>) =>
      Lazy.anyValue({
        produce: () => ({
          PLANETSCALE_CDKTF_SPEC: specReference,
          PLANETSCALE_CDKTF_SETTINGS: literal(JSON.stringify(planetscale.handlerSettings)),
          ...escapeValues(extra?.() ?? {}),
        }),
      }) as unknown as Record<string, string>;
    const command = (action: 'create' | 'destroy') => `node ${planetscale.handlerAsset.path} ${action}`;
    const provisioners = [
      { type: 'local-exec' as const, command: command('create'), environment: environment(props.createEnvironment) },
      ...(props.runOnDestroy
        ? [{ type: 'local-exec' as const, when: 'destroy' as const, command: command('destroy'), environment: environment() }]
        : []),
    ];
    const config = { lifecycle: { createBeforeDestroy: true }, provisioners, dependsOn: props.dependsOn };
    this.resource = isNull
      ? new NullResource(this, 'Resource', { ...config, triggers: Lazy.anyValue({ produce: () => stringTriggers(checkedSpec()) }) as never })
      : new TerraformData(this, 'Resource', Lazy.anyValue({ produce: () => literalDeep(checkedSpec()) }), {
        terraformResourceType: 'terraform_data',
        ...config,
      });
  }
}

function escapeValues(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, literal(value)]));
}
