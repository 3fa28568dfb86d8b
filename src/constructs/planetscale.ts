import { mkdirSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { Construct, type IConstruct } from 'constructs';
import { declareDestroyer, declareReconciler } from './declaration';
import { handlerBundlePath } from './handler-bundle';
import { CustomResourceType } from './resource-type';
import { checkConstructPath, checkResourceName, ConstructValidationError, deferredCheck, invalidProp, shown } from './validation';
import { appOutdir, fileAsset, nullProvider, onStackSynthesis, stackOf, type TerraformElement } from '../framework';
import { canonicalJson } from '../model/canonical-json';
import { DEFAULT_OUTPUTS_FILE, DESIRED_STATE_FILE, RUN_VARIABLE, OWNER_PATTERN } from '../model/contract';
import { checkDesiredState, digestOf, placesOf, type Declaration, type DesiredState, type DestroyDescription, type RunDescription, type StackIdentity, type StackSettings } from '../model/desired-state';
import { generationHash, objectHash, ownerFromStackName } from '../model/naming';

export interface PlanetScaleProps {
  /** The PlanetScale organization every object of this stack lives in. */
  readonly organization: string;
  /**
   * API base URL. When unset, the handler uses `PLANETSCALE_API_URL` from the environment Terraform runs in, else the
   * public API.
   * @default - $PLANETSCALE_API_URL at apply time, else https://api.planetscale.com/v1
   */
  readonly apiUrl?: string;
  /**
   * Where generated secrets are written (JSON, mode 0600), relative to the directory cdktf runs in (the one holding
   * cdktf.json) unless absolute. `PLANETSCALE_OUTPUTS_FILE` at apply time overrides it.
   * @default 'planetscale-outputs.json'
   */
  readonly outputsFile?: string;
  /**
   * Ownership key: part of every managed object's name. The stack reconciler deletes undeclared objects carrying this
   * key, and nothing else. Two stacks that deploy to the same organization must use different keys; stack names are
   * unique within one app, and two PlanetScale constructs of one app may not share an owner. Set it explicitly when
   * another project might deploy a stack of the same name to the same organization. Changing it re-creates every
   * object.
   * @default - the stack name when it is a valid key (1-32 lowercase letters, digits or '-'); otherwise a slug of it
   *   plus a hash of the exact name, so distinct stack names never share a key
   */
  readonly owner?: string;
  /**
   * The Terraform resource that carries each managed object.
   * @default CustomResourceType.TERRAFORM_DATA
   */
  readonly resourceType?: CustomResourceType;
  /**
   * A command that receives each new secret (password or service token) as one JSON document on its standard input,
   * e.g. to store it in a secret manager: program and arguments, run without a shell, in the stack directory.
   * It gets `{"stack", "path", "entry"}` where `entry` is the outputs-file entry. If it exits non-zero, the object
   * just created is deleted again and the apply fails, so no live credential exists whose secret nobody holds.
   * @default - no sink; secrets go to the outputs file only
   */
  readonly sink?: string[];
}

// Brands, not `instanceof` or module-level maps: two copies of this library in one app (npm's outcome when two
// dependents ask for different ranges) must recognize each other's constructs.
const PLANETSCALE_BRAND = Symbol.for('cdktf-planetscale-credentials.PlanetScale');
/** The property of a stack holding its (first) PlanetScale construct, whichever copy of the library made it. */
const STACK_PLANETSCALE = Symbol.for('cdktf-planetscale-credentials.PlanetScale.of');

/** A use of a database by a construct, to refuse using one database both as MySQL/Vitess and as Postgres. */
interface DatabaseUse {
  readonly kind: 'mysql' | 'postgresql';
  /** How the construct uses it, for messages. */
  readonly by: string;
}

/**
 * Per-stack PlanetScale settings, the stack reconciler (the one resource that runs the engine, once per apply, over
 * the desired state every construct of the stack declares, written beside the synthesized stack as
 * planetscale-desired-state.json) and the stack destroyer (which runs it at destroy). Exactly one per stack, declared
 * before the constructs that use it.
 *
 * It is a DeclaringStack (declaration.ts) structurally, with no `implements` clause: that would name members the
 * published declarations leave out (marked internal), and an app type-checking them would fail.
 */
export class PlanetScale extends Construct {
  /** The stack's PlanetScale construct; a clear error when there is none. */
  static of(construct: IConstruct): PlanetScale {
    const stack = stackOf(construct);
    const found = (stack as { [STACK_PLANETSCALE]?: PlanetScale })[STACK_PLANETSCALE];
    if (!found) {
      throw invalidProp(
        construct,
        'scope',
        `has no PlanetScale construct in stack ${stack.node.id}: declare \`new PlanetScale(stack, 'planetscale', { organization: '...' })\` first`,
      );
    }
    return found;
  }

  /** Whether `x` is a PlanetScale construct (of any copy of this library). */
  static isPlanetScale(x: unknown): x is PlanetScale {
    return typeof x === 'object' && x !== null && PLANETSCALE_BRAND in x;
  }

  readonly organization: string;
  readonly owner: string;
  readonly resourceType: CustomResourceType;
  /** Apply-time settings every run receives (no secrets). */
  readonly settings: StackSettings;
  /** @internal */
  readonly handlerAsset: { readonly path: string };
  /** The resource whose provisioner runs the engine at apply (see declareReconciler). @internal */
  readonly reconciler: TerraformElement;
  /** Every managed object of the stack, by construct path, evaluated at synth. */
  private readonly declarations = new Map<string, () => Declaration>();
  /** The first use of each database by the stack's constructs: every later use must agree with it. */
  private readonly firstUses = new Map<string, DatabaseUse>();

  constructor(scope: Construct, id: string, props: PlanetScaleProps) {
    super(scope, id);
    Object.defineProperty(this, PLANETSCALE_BRAND, { value: true });
    const stack = stackOf(this);
    const first = (stack as { [STACK_PLANETSCALE]?: PlanetScale })[STACK_PLANETSCALE];
    this.organization = checkResourceName(this, 'organization', props.organization);
    if (props.apiUrl !== undefined && !/^https?:\/\/[^/\s]+(\/\S*)?$/.test(props.apiUrl)) {
      throw invalidProp(this, 'apiUrl', `${JSON.stringify(props.apiUrl)} is not an http(s) URL`);
    }
    this.owner = props.owner ?? ownerFromStackName(stack.node.id);
    if (typeof this.owner !== 'string' || !OWNER_PATTERN.test(this.owner)) {
      throw invalidProp(this, 'owner', `${shown(JSON.stringify(this.owner))} is not valid: use 1-32 lowercase letters, digits or '-', starting with a letter or digit`);
    }
    if (props.resourceType !== undefined && !Object.values(CustomResourceType).includes(props.resourceType)) {
      throw invalidProp(this, 'resourceType', `${JSON.stringify(props.resourceType)} is not one of ${Object.values(CustomResourceType).join(', ')}`);
    }
    this.resourceType = props.resourceType ?? CustomResourceType.TERRAFORM_DATA;
    if (props.outputsFile !== undefined && props.outputsFile.trim() === '') throw invalidProp(this, 'outputsFile', 'must not be empty');
    if (props.sink !== undefined && (!Array.isArray(props.sink) || props.sink.length === 0 || !props.sink.every((a) => typeof a === 'string' && a !== ''))) {
      throw invalidProp(this, 'sink', 'must be a command as a non-empty list of program and arguments, e.g. [\'/usr/local/bin/store-secret\', \'--vault\', \'prod\']');
    }

    // The engine runs in the stack directory; point it at the outputs file from there, without absolute paths.
    // cdktf runs the app in the directory holding cdktf.json: relative outputs paths start there.
    const projectDirectory = process.cwd();
    const outputs = props.outputsFile ?? DEFAULT_OUTPUTS_FILE;
    const stackDirectory = resolve(projectDirectory, appOutdir(this), 'stacks', stack.node.id);
    this.settings = {
      outputs_file: isAbsolute(outputs) ? outputs : relative(stackDirectory, resolve(projectDirectory, outputs)),
      ...(props.apiUrl ? { api_url: props.apiUrl } : {}),
      ...(props.sink ? { sink: [...props.sink] } : {}),
    };
    this.handlerAsset = fileAsset(this, 'Handler', handlerBundlePath());
    if (this.resourceType === CustomResourceType.NULL_RESOURCE) nullProvider(this, 'NullProvider');
    if (!first) Object.defineProperty(stack, STACK_PLANETSCALE, { value: this });
    // Reported with the other rules at synth; checked again when the desired state is written, which
    // `skipValidation` does not skip: two PlanetScale constructs sharing objects would delete each other's.
    deferredCheck(this, () => this.ownershipProblems(first));

    const handler = { command: (action: 'apply' | 'destroy') => `node ${this.handlerAsset.path} ${action}`, variable: RUN_VARIABLE };
    const identity = (): StackIdentity => ({ stack: stack.node.id, organization: this.organization, owner: this.owner, settings: this.settings });
    const destroyer = declareDestroyer(
      this,
      this.resourceType,
      (): DestroyDescription & Record<string, unknown> => ({ ...identity(), ...placesOf(this.declaredState()) }),
      handler,
    );
    this.reconciler = declareReconciler(
      this,
      this.resourceType,
      (): RunDescription & Record<string, unknown> => ({ ...identity(), digest: digestOf(this.declaredState()), state_file: DESIRED_STATE_FILE }),
      handler,
      destroyer,
    );
    // The desired state travels beside the stack, so a synthesized cdktf.out moved elsewhere still applies. Written
    // after the stack's validations ran, so a problem they report is reported with the others, not alone from here.
    onStackSynthesis(this, (directory) => {
      const problems = this.ownershipProblems(first);
      if (problems.length > 0) throw new ConstructValidationError(`${this.node.path}: ${problems.join('; ')}`);
      mkdirSync(directory, { recursive: true });
      writeFileSync(join(directory, DESIRED_STATE_FILE), `${canonicalJson(this.desiredState())}\n`);
    });
  }

  /**
   * Everything the stack's constructs declare, checked with the same schema the engine checks it with: what the
   * reconciler's digest covers and the desired-state file holds.
   */
  desiredState(): DesiredState {
    return checkDesiredState(this.declaredState(), `desired state of stack ${stackOf(this).node.id}`);
  }

  /**
   * The desired state as declared, unchecked: what the reconciler's trigger digests. The frameworks compute resource
   * attributes while preparing a stack, before its validations run; checking here would report one problem alone
   * where the validations report them all (the file written at synth is checked).
   */
  private declaredState(): DesiredState {
    const all = [...this.declarations.values()].map((declare) => declare()).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return {
      version: 1,
      stack: stackOf(this).node.id,
      organization: this.organization,
      owner: this.owner,
      settings: this.settings,
      passwords: all.filter((d) => d.kind === 'password'),
      service_tokens: all.filter((d) => d.kind === 'service-token'),
      ip_rules: all.filter((d) => d.kind === 'postgres-ip-rule'),
    };
  }

  /**
   * A second PlanetScale construct in the stack, or an owner another stack's PlanetScale construct in the same
   * organization has already (declared earlier in the app): either would make two runs delete each other's objects as
   * "no longer declared".
   */
  private ownershipProblems(first: PlanetScale | undefined): string[] {
    if (first) return [`is a second PlanetScale construct in stack ${stackOf(this).node.id} (the first is ${first.node.path}); declare exactly one per stack`];
    const all = this.node.root.node.findAll().filter((c) => PlanetScale.isPlanetScale(c));
    const sharing = all.slice(0, all.indexOf(this)).find((c) => c.owner === this.owner && c.organization === this.organization);
    return sharing
      ? [`owner "${this.owner}" is already the owner of ${sharing.node.path} in organization ${this.organization}; each stack needs its own owner (set \`owner\` on one of them)`]
      : [];
  }

  /**
   * The identity parts of `construct`'s managed names: which construct (a hash of its path) and which generation (a
   * hash of the fields fixed at creation; see model/naming.ts).
   * @internal
   */
  identity(construct: IConstruct, fixed: Record<string, unknown>): { path: string; object: string; generation: string } {
    checkConstructPath(construct);
    return { path: construct.node.path, object: objectHash(construct.node.path), generation: generationHash(fixed) };
  }

  /**
   * Adds an object to the desired state; `declare` is evaluated at synth, so it may depend on constructs added later.
   * @internal
   */
  declare(construct: IConstruct, declare: () => Declaration): void {
    this.declarations.set(construct.node.path, declare);
  }

  /**
   * Records what kind of database a construct needs (`use` says how, for messages). A database used both as
   * MySQL/Vitess and as Postgres in this stack is reported at synth by each construct whose use contradicts the first.
   * @internal
   */
  declareDatabase(construct: IConstruct, database: string, kind: DatabaseUse['kind'], use: string): void {
    const known = this.firstUses.get(database) ?? { kind, by: use };
    this.firstUses.set(database, known);
    deferredCheck(construct, () => {
      if (known.kind === kind) return [];
      const [mysqlUse, postgresUse] = kind === 'mysql' ? [use, known.by] : [known.by, use];
      return [`database "${database}" cannot be both a MySQL/Vitess database (${mysqlUse}) and a Postgres database (${postgresUse}) in one stack`];
    });
  }
}
