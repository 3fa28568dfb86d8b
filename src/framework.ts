import { join, sep } from 'node:path';
// Types only (erased at compile time, and kept out of every emitted declaration): the API cdktf and cdktn share.
import type * as CdktfApi from 'cdktf';
import type { IConstruct } from 'constructs';

/**
 * The only module that touches a CDK for Terraform framework: CDK for Terraform (`cdktf`, archived by HashiCorp on
 * 2025-12-10, last release 0.21.0) or its continuation CDK Terrain (`cdktn`, a drop-in rename). This library works
 * with whichever one the app uses, and with no import of either: elements of one framework cannot live in a stack of
 * the other (cdktn's TerraformStack calls `_resetResolveDiscoveredProviderFeatureUsage` on every element, which
 * cdktf's elements lack), so everything created here comes from the framework that made the stack it is created in,
 * found at synth among the framework modules the app has loaded. Both peer dependencies are optional; the app brings
 * one.
 */
type Framework = typeof CdktfApi;

/** The packages tried, in order; the one whose TerraformStack made the construct's stack wins. */
const FRAMEWORK_PACKAGES = ['cdktn', 'cdktf'] as const;

// The brands both frameworks put on their stacks and apps (cdktn kept cdktf's names), so that finding them needs
// neither `instanceof` nor a framework import.
const STACK_BRAND = Symbol.for('cdktf/TerraformStack');
const APP_BRAND = Symbol.for('cdktf/App');
const CUSTOM_SYNTHESIS = Symbol.for('cdktf/customSynthesis');

/** A Terraform element, as far as this library needs one (`dependsOn` takes anything with a fully qualified name). */
export interface TerraformElement extends IConstruct {
  readonly fqn: string;
}

/** The stack `construct` is in (the nearest scope carrying the stack brand). */
export function stackOf(construct: IConstruct): IConstruct {
  const stack = [...construct.node.scopes].reverse().find((scope) => STACK_BRAND in scope);
  if (!stack) throw new Error(`${construct.node.path || construct.node.id} is not inside a TerraformStack (of cdktf or cdktn): create it in a stack`);
  return stack;
}

/** The directory the app synthesizes into (the App's `outdir`, cdktf.out by default). */
export function appOutdir(construct: IConstruct): string {
  const root = construct.node.root as IConstruct & { readonly outdir?: unknown };
  if (!(APP_BRAND in root) || typeof root.outdir !== 'string') throw new Error(`${construct.node.path} is not inside an App (of cdktf or cdktn)`);
  return root.outdir;
}

// Where the framework found for a stack is remembered (on the stack, so every copy of this library shares it).
const STACK_FRAMEWORK = Symbol.for('cdktf-planetscale-credentials.framework');

/** Whether `framework`'s TerraformStack made `stack`. */
function made(framework: Framework, stack: IConstruct): boolean {
  return Object.prototype.isPrototypeOf.call(framework.TerraformStack.prototype, stack);
}

/** The frameworks' main modules the process has already loaded (wherever they were installed: npm link, nesting). */
function loadedFrameworks(): Framework[] {
  const mains = FRAMEWORK_PACKAGES.map((name) => `${sep}node_modules${sep}${name}${sep}lib${sep}index.js`);
  return Object.entries(require.cache)
    .filter(([path, module]) => module?.loaded && mains.some((main) => path.endsWith(main)))
    .map(([, module]) => module!.exports as Framework);
}

/** The framework packages this library's location resolves to (the app's, when installed in it), loading them. */
function resolvableFrameworks(): { path: string; framework: Framework }[] {
  const found: { path: string; framework: Framework }[] = [];
  for (const name of FRAMEWORK_PACKAGES) {
    let path: string;
    try {
      path = require.resolve(name);
    } catch (error) {
      if ((error as { code?: string }).code === 'MODULE_NOT_FOUND') continue;
      throw error;
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    found.push({ path, framework: require(path) as Framework });
  }
  return found;
}

/**
 * The framework whose TerraformStack made `construct`'s stack: among the frameworks the app has loaded first (so
 * an app on cdktf never loads a cdktn that merely happens to be installed, nor the other way round), else those
 * this library resolves.
 */
function frameworkOf(construct: IConstruct): Framework {
  const stack = stackOf(construct) as IConstruct & { [STACK_FRAMEWORK]?: Framework };
  const known = stack[STACK_FRAMEWORK] ?? loadedFrameworks().find((framework) => made(framework, stack));
  const framework = known ?? resolvableFrameworks().find((candidate) => made(candidate.framework, stack))?.framework;
  if (framework) {
    if (!stack[STACK_FRAMEWORK]) Object.defineProperty(stack, STACK_FRAMEWORK, { value: framework });
    return framework;
  }
  const reachable = resolvableFrameworks().map((candidate) => candidate.path);
  throw new Error(
    `${construct.node.path}: stack ${stack.node.id} was made by a copy of cdktf/cdktn this library cannot reach ` +
      `(${reachable.length > 0 ? `it reaches ${reachable.join(' and ')}` : 'neither cdktf nor cdktn is installed'}); ` +
      'install the framework in the app itself (npm install cdktn, or cdktf) so that the app and this library share one copy',
  );
}

/** Classes derived from one framework's base classes, made once per framework. */
interface FrameworkClasses {
  readonly Attributes: new (scope: IConstruct, id: string, attributes: () => Record<string, unknown>, config: FullResourceConfig) => TerraformElement;
  readonly NullProvider: new (scope: IConstruct, id: string) => TerraformElement;
}

/** What this library configures on a resource (a subset of the frameworks' TerraformResourceConfig). */
export interface ResourceConfig {
  readonly dependsOn?: TerraformElement[];
  readonly lifecycle?: { readonly createBeforeDestroy?: boolean };
  readonly provisioners?: ReadonlyArray<{
    readonly type: 'local-exec';
    readonly command: string;
    readonly when?: 'destroy';
    readonly environment?: Record<string, string>;
  }>;
}
type FullResourceConfig = ResourceConfig & Pick<CdktfApi.TerraformResourceConfig, 'terraformResourceType' | 'terraformGeneratorMetadata'>;

// A cache of derived classes, keyed by the framework module: not an identity check (see the brands above).
const derived = new WeakMap<Framework, FrameworkClasses>();

function classesOf(framework: Framework): FrameworkClasses {
  const known = derived.get(framework);
  if (known) return known;
  /** A resource whose attributes are computed at synth (so they may depend on constructs added later). */
  class Attributes extends framework.TerraformResource {
    constructor(
      scope: IConstruct,
      id: string,
      private readonly attributes: () => Record<string, unknown>,
      config: FullResourceConfig,
    ) {
      super(scope as never, id, config as CdktfApi.TerraformResourceConfig);
    }
    protected synthesizeAttributes(): Record<string, unknown> {
      return this.attributes();
    }
  }
  /** The hashicorp/null provider, declared as @cdktf/provider-null 11 declared it (so synthesized stacks stay the same). */
  class NullProvider extends framework.TerraformProvider {
    constructor(scope: IConstruct, id: string) {
      super(scope as never, id, { terraformResourceType: 'null', terraformGeneratorMetadata: NULL_PROVIDER, terraformProviderSource: 'null' });
    }
    protected synthesizeAttributes(): Record<string, unknown> {
      return {};
    }
  }
  const classes = { Attributes, NullProvider };
  derived.set(framework, classes);
  return classes;
}

const NULL_PROVIDER = { providerName: 'null', providerVersion: '3.2.4', providerVersionConstraint: '~> 3.0' };

/** A `terraform_data` resource (Terraform's built-in) whose attributes are computed at synth. */
export function terraformData(scope: IConstruct, id: string, attributes: () => Record<string, unknown>, config: ResourceConfig): TerraformElement {
  const { Attributes } = classesOf(frameworkOf(scope));
  return new Attributes(scope, id, attributes, { ...config, terraformResourceType: 'terraform_data' });
}

/** A `null_resource` (hashicorp/null provider) whose string triggers are computed at synth. */
export function nullResource(scope: IConstruct, id: string, triggers: () => Record<string, string>, config: ResourceConfig): TerraformElement {
  const { Attributes } = classesOf(frameworkOf(scope));
  return new Attributes(scope, id, () => ({ triggers: triggers() }), { ...config, terraformResourceType: 'null_resource', terraformGeneratorMetadata: NULL_PROVIDER });
}

/** Declares the hashicorp/null provider in the stack (needed once per stack that uses `nullResource`). */
export function nullProvider(scope: IConstruct, id: string): TerraformElement {
  return new (classesOf(frameworkOf(scope)).NullProvider)(scope, id);
}

/**
 * A single file copied beside the synthesized stack; `path` is the reference Terraform expressions use to reach it
 * (relative to the stack directory, so a synthesized cdktf.out moved elsewhere still works).
 */
export function fileAsset(scope: IConstruct, id: string, sourcePath: string): { readonly path: string } {
  const framework = frameworkOf(scope);
  return new framework.TerraformAsset(scope as never, id, { path: sourcePath, type: framework.AssetType.FILE });
}

/** What the framework hands a construct's synthesis hook (the parts used here). */
interface SynthesisSession {
  readonly manifest: { readonly outdir: string; forStack(stack: IConstruct): { readonly synthesizedStackPath: string } };
}

/**
 * Calls `write` with the stack's output directory (cdktf.out/stacks/<stack>) when the stack is synthesized, after its
 * validations ran. This is the hook the frameworks' own TerraformAsset uses to copy files beside the stack: a property
 * under `Symbol.for('cdktf/customSynthesis')` that the stack synthesizer calls (cdktn keeps the same symbol).
 */
export function onStackSynthesis(construct: IConstruct, write: (stackDirectory: string) => void): void {
  Object.defineProperty(construct, CUSTOM_SYNTHESIS, {
    value: {
      onSynthesize: (session: SynthesisSession) => {
        const stackFile = session.manifest.forStack(stackOf(construct)).synthesizedStackPath;
        write(join(session.manifest.outdir, stackFile, '..'));
      },
    },
  });
}
