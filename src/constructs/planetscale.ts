import { isAbsolute, relative, resolve } from 'node:path';
import { Construct, type IConstruct } from 'constructs';
import { App, AssetType, Lazy, NullProvider, TerraformAsset, TerraformStack, type TerraformResource } from '../cdktf';
import { CustomResource, CustomResourceType } from './custom-resource';
import { handlerBundlePath } from './handler-bundle';
import { checkConstructPath, checkResourceName, invalidProp, shown } from './validation';
import { formatManagedName, generationHash, objectHash, OWNER_PATTERN, ownerFromStackName } from '../spec/naming';
import type { HandlerSettings } from '../spec/resource-specs';

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

/** Kinds of managed objects the stack reconciler keeps track of. */
export type ManagedKind = 'passwords' | 'service_tokens' | 'ip_rules';

const instances = new WeakMap<TerraformStack, PlanetScale>();
const PLANETSCALE_BRAND = Symbol.for('cdktf-planetscale-credentials.PlanetScale');

/**
 * Per-stack PlanetScale settings, the handler asset, and the stack reconciler that deletes owned objects which are
 * no longer declared. Exactly one per stack, declared before the constructs that use it.
 */
export class PlanetScale extends Construct {
  /** The stack's PlanetScale construct; a clear error when there is none. */
  static of(construct: IConstruct): PlanetScale {
    const stack = TerraformStack.of(construct);
    const found = instances.get(stack);
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
  /** What every handler run receives (no secrets). */
  readonly handlerSettings: HandlerSettings;
  /** @internal */
  readonly handlerAsset: TerraformAsset;
  private readonly declared: Record<ManagedKind, string[]> = { passwords: [], service_tokens: [], ip_rules: [] };
  /** What each database is known to be, from the constructs using it, to refuse mixing MySQL and Postgres uses. */
  private readonly databaseKinds = new Map<string, { kind: 'mysql' | 'postgresql'; by: string }>();
  /** Resources the reconciler runs after (it must see every create, and on destroy go first). */
  private readonly managedResources: TerraformResource[] = [];

  constructor(scope: Construct, id: string, props: PlanetScaleProps) {
    super(scope, id);
    Object.defineProperty(this, PLANETSCALE_BRAND, { value: true });
    const stack = TerraformStack.of(this);
    const existing = instances.get(stack);
    if (existing) {
      throw invalidProp(this, 'scope', `is a second PlanetScale construct in stack ${stack.node.id} (the first is ${existing.node.path}); declare exactly one per stack`);
    }
    this.organization = checkResourceName(this, 'organization', props.organization);
    if (props.apiUrl !== undefined && !/^https?:\/\/[^/\s]+(\/\S*)?$/.test(props.apiUrl)) {
      throw invalidProp(this, 'apiUrl', `${JSON.stringify(props.apiUrl)} is not an http(s) URL`);
    }
    this.owner = props.owner ?? ownerFromStackName(stack.node.id);
    if (typeof this.owner !== 'string' || !OWNER_PATTERN.test(this.owner)) {
      throw invalidProp(this, 'owner', `${shown(JSON.stringify(this.owner))} is not valid: use 1-32 lowercase letters, digits or '-', starting with a letter or digit`);
    }
    // Two stacks with one owner in one organization would each delete the other's objects as "no longer declared".
    const sharing = App.of(this)
      .node.findAll()
      .find((c) => c !== this && PlanetScale.isPlanetScale(c) && c.owner === this.owner && c.organization === this.organization);
    if (sharing) {
      throw invalidProp(
        this,
        'owner',
        `"${this.owner}" is already the owner of ${sharing.node.path} in organization ${this.organization}; each stack needs its own owner (set \`owner\` on one of them)`,
      );
    }
    if (props.resourceType !== undefined && !Object.values(CustomResourceType).includes(props.resourceType)) {
      throw invalidProp(this, 'resourceType', `${JSON.stringify(props.resourceType)} is not one of ${Object.values(CustomResourceType).join(', ')}`);
    }
    this.resourceType = props.resourceType ?? CustomResourceType.TERRAFORM_DATA;
    if (props.outputsFile !== undefined && props.outputsFile.trim() === '') throw invalidProp(this, 'outputsFile', 'must not be empty');
    if (props.sink !== undefined && (!Array.isArray(props.sink) || props.sink.length === 0 || !props.sink.every((a) => typeof a === 'string' && a !== ''))) {
      throw invalidProp(this, 'sink', 'must be a command as a non-empty list of program and arguments, e.g. [\'/usr/local/bin/store-secret\', \'--vault\', \'prod\']');
    }

    // The handler runs in the stack directory; point it at the outputs file from there, without absolute paths.
    // cdktf runs the app in the directory holding cdktf.json: relative outputs paths start there.
    const projectDirectory = process.cwd();
    const outputs = props.outputsFile ?? 'planetscale-outputs.json';
    const stackDirectory = resolve(projectDirectory, App.of(this).outdir, 'stacks', stack.node.id);
    this.handlerSettings = {
      stack: stack.node.id,
      outputs_file: isAbsolute(outputs) ? outputs : relative(stackDirectory, resolve(projectDirectory, outputs)),
      ...(props.apiUrl ? { api_url: props.apiUrl } : {}),
      ...(props.sink ? { sink: [...props.sink] } : {}),
    };
    this.handlerAsset = new TerraformAsset(this, 'Handler', { path: handlerBundlePath(), type: AssetType.FILE });
    if (this.resourceType === CustomResourceType.NULL_RESOURCE) new NullProvider(this, 'NullProvider');
    instances.set(stack, this);

    const reconciler = new CustomResource(this, 'Reconciler', {
      planetscale: this,
      spec: () => ({
        kind: 'reconciler',
        organization: this.organization,
        owner: this.owner,
        passwords: [...this.declared.passwords].sort(),
        service_tokens: [...this.declared.service_tokens].sort(),
        ip_rules: [...this.declared.ip_rules].sort(),
      }),
      runOnDestroy: true,
    });
    reconciler.resource.addOverride(
      'depends_on',
      Lazy.listValue({ produce: () => this.managedResources.map((r) => `${r.terraformResourceType}.${r.friendlyUniqueId}`) }),
    );
  }

  /**
   * The ownership fields every spec of `construct` carries: organization, owner, and its construct path.
   * @internal
   */
  ownership(construct: IConstruct): { organization: string; owner: string; path: string } {
    checkConstructPath(construct);
    return { organization: this.organization, owner: this.owner, path: construct.node.path };
  }

  /**
   * The managed name of `construct`'s object (see spec/naming.ts): `fixed` holds the fields whose change makes a new
   * object.
   * @internal
   */
  managedName(construct: IConstruct, display: string, fixed: Record<string, unknown>): string {
    return formatManagedName({ display, owner: this.owner, object: objectHash(construct.node.path), generation: generationHash(fixed) });
  }

  /**
   * Records a managed object so the reconciler keeps it, and runs after its resources.
   * @internal
   */
  register(kind: ManagedKind, name: string, resources: CustomResource[]): void {
    this.declared[kind].push(name);
    this.managedResources.push(...resources.map((r) => r.resource));
  }

  /**
   * Records what kind of database a construct needs, refusing a database used both as MySQL/Vitess (passwords) and
   * as Postgres (database IP rules) in this stack.
   * @internal
   */
  declareDatabase(construct: IConstruct, database: string, kind: 'mysql' | 'postgresql'): void {
    const known = this.databaseKinds.get(database);
    if (known && known.kind !== kind) {
      const mysqlUse = kind === 'mysql' ? construct.node.path : known.by;
      const postgresUse = kind === 'mysql' ? known.by : construct.node.path;
      throw invalidProp(
        construct,
        'database',
        `"${database}" cannot be both a MySQL/Vitess database (DatabasePassword ${mysqlUse}) and a Postgres database ` +
          `(database IP rule ${postgresUse}); for MySQL/Vitess, restrict a password with IpRestriction({ password })`,
      );
    }
    if (!known) this.databaseKinds.set(database, { kind, by: construct.node.path });
  }
}
