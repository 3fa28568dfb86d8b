import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, TerraformStack, Testing } from 'cdktf';
import { ConstructValidationError, CustomResourceType, DatabasePassword, IpRestriction, PlanetScale, ServiceToken, type PlanetScaleProps } from '../src';
import { canonicalJson } from '../src/model/canonical-json';
import { digestOf, type DesiredState } from '../src/model/desired-state';
import { formatManagedName, generationHash, objectHash } from '../src/model/naming';

/** Synth-time behaviour: what each prop becomes in the synthesized JSON, and every validation error. */

interface Synthesized {
  resource: Record<string, Record<string, any>>;
  provider?: Record<string, unknown>;
  terraform?: Record<string, any>;
}

/** A project directory laid out as the cdktf CLI runs apps: cwd holds cdktf.json, the app synthesizes to cdktf.out. */
let projectDirectory: string;
beforeEach(() => {
  projectDirectory = mkdtempSync(join(tmpdir(), 'psc-synth-'));
  jest.spyOn(process, 'cwd').mockReturnValue(projectDirectory);
});
afterEach(() => {
  jest.restoreAllMocks();
  rmSync(projectDirectory, { recursive: true, force: true });
});

let lastPlanetScale: PlanetScale;

function build(define: (stack: TerraformStack) => void, props: Partial<PlanetScaleProps> = {}): Synthesized {
  const app = new App({ outdir: join(projectDirectory, 'cdktf.out') });
  const stack = new TerraformStack(app, 'access');
  lastPlanetScale = new PlanetScale(stack, 'planetscale', { organization: 'acme', ...props });
  define(stack);
  // The whole app, as `cdktf synth` does it: the frameworks prepare every stack (computing resource attributes), then
  // run its validations (the cross-construct rules), then write it.
  app.synth();
  const synthesized = JSON.parse(readFileSync(join(projectDirectory, 'cdktf.out', 'stacks', 'access', 'cdk.tf.json'), 'utf8'));
  // What the framework adds to every stack: its default local backend (an absolute state path) and metadata.
  delete synthesized.terraform?.backend;
  for (const resources of Object.values(synthesized.resource ?? {}) as Record<string, Record<string, unknown>>[]) {
    for (const resource of Object.values(resources)) delete resource['//'];
  }
  return synthesized as Synthesized;
}

/** The desired state of the last stack built: what the desired-state file holds. */
function desired(): DesiredState {
  return lastPlanetScale.desiredState();
}

function resourceOf(synth: Synthesized, prefix: string): any {
  return Object.entries(synth.resource.terraform_data).find(([id]) => id.startsWith(prefix))![1];
}

/** The fields fixed at creation of the object whose logical id starts with `prefix` (a JSON string: fields at their default left out). */
function triggers(synth: Synthesized, prefix: string): any {
  return JSON.parse(resourceOf(synth, prefix).triggers_replace);
}

/** Its fields changed in place. */
function input(synth: Synthesized, prefix: string): any {
  return JSON.parse(resourceOf(synth, prefix).input);
}

/** The error a stack fails with: a prop refused at construction, or the framework's list of failed validations. */
function errorOf(define: (stack: TerraformStack) => void, props: Partial<PlanetScaleProps> = {}): string {
  try {
    build(define, props);
  } catch (error) {
    if (!(error instanceof ConstructValidationError)) expect((error as Error).message).toMatch(/^Validation failed with the following errors:\n {2}\[/);
    return (error as Error).message;
  }
  throw new Error('expected a validation error');
}

describe('DatabasePassword', () => {
  test('each prop lands in the declaration: fixed fields in triggers_replace, in-place ones in input; defaults reader, main, no TTL', () => {
    const synth = build((stack) => {
      new DatabasePassword(stack, 'app', { database: 'shop' });
      new DatabasePassword(stack, 'full', {
        database: 'inventory',
        branch: 'dev',
        role: 'admin',
        ttl: '90d',
        renewBefore: '7d',
        replica: true,
        directVtgate: true,
        name: 'billing-worker',
        rotation: '2026-11',
      });
    });
    // One JSON string per map, keys sorted, fields at their default left out; nothing else: no provisioner, nothing
    // runs per object, the stack reconciler does the work.
    expect(resourceOf(synth, 'app_')).toEqual({
      triggers_replace: '{"branch":"main","database":"shop","role":"reader"}',
      input: '{"name":"app"}',
      depends_on: [expect.stringContaining('planetscale_Reconciler')],
    });
    expect(triggers(synth, 'full_')).toEqual({ database: 'inventory', branch: 'dev', role: 'admin', ttl_seconds: 90 * 86400, replica: true, direct_vtgate: true, rotation: '2026-11' });
    expect(input(synth, 'full_')).toEqual({ name: 'billing-worker', renew_before_seconds: 7 * 86400 });
    const fixed = { database: 'inventory', branch: 'dev', role: 'admin', ttl_seconds: 7776000, replica: true, direct_vtgate: true, rotation: '2026-11' };
    const full = desired().passwords.find((p) => p.path === 'access/full')!;
    expect(full).toEqual({
      kind: 'password',
      path: 'access/full',
      display: 'billing-worker',
      object: objectHash('access/full'),
      generation: generationHash(fixed),
      ...fixed,
      inherited_roles: null,
      successor: null,
      cidrs: [],
      renew_before_seconds: 604800,
    });
    expect(formatManagedName({ display: 'billing-worker', owner: 'access', object: full.object, generation: full.generation })).toMatch(/^billing-worker\.access\.[0-9a-f]{8}\.[0-9a-f]{8}$/);
  });

  test('TTL accepts seconds and s/m/h/d/w units', () => {
    const cases: [number | string, number][] = [[3600, 3600], ['45s', 45], ['30m', 1800], ['12h', 43200], ['2w', 1209600]];
    build((stack) => cases.forEach(([ttl], i) => new DatabasePassword(stack, `p${i}`, { database: 'shop', ttl })));
    cases.forEach(([, seconds], i) => expect(desired().passwords.find((p) => p.path === `access/p${i}`)!.ttl_seconds).toBe(seconds));
  });

  test('fixed fields change the generation (a new password); the allow-list, the renewal window and the name do not', () => {
    const generation = (props: object, cidrs: string[] = []) => {
      build((stack) => {
        const p = new DatabasePassword(stack, 'app', { database: 'shop', ttl: '30d', ...props });
        if (cidrs.length > 0) new IpRestriction(stack, 'ip', { password: p, cidrs });
      });
      return desired().passwords[0].generation;
    };
    const base = generation({});
    expect(generation({}, ['10.0.0.0/8'])).toBe(base);
    expect(generation({ renewBefore: '1d', name: 'other' })).toBe(base);
    for (const change of [{ role: 'admin' }, { ttl: 60 }, { replica: true }, { directVtgate: true }, { branch: 'dev' }, { rotation: 'x' }]) {
      expect(generation(change)).not.toBe(base);
    }
  });

  test('objects have no provisioner; the reconciler runs the handler at apply, the destroyer at destroy; no absolute path', () => {
    const synth = build((stack) => {
      const app = new DatabasePassword(stack, 'app', { database: 'shop' });
      new IpRestriction(stack, 'office', { password: app, cidrs: ['203.0.113.0/24'] });
    });
    const withProvisioners = Object.entries(synth.resource.terraform_data).filter(([, r]) => r.provisioner);
    expect(withProvisioners.map(([id]) => id).sort()).toEqual([expect.stringMatching(/^planetscale_Destroyer_/), expect.stringMatching(/^planetscale_Reconciler_/)]);
    const reconciler = resourceOf(synth, 'planetscale_Reconciler');
    expect(reconciler.lifecycle).toBeUndefined();
    expect(reconciler.depends_on).toEqual([expect.stringContaining('terraform_data.planetscale_Destroyer')]);
    expect(reconciler.provisioner).toHaveLength(1);
    const apply = reconciler.provisioner[0]['local-exec'];
    expect(apply.command).toMatch(/^node assets\/planetscale_Handler_[0-9A-F]+\/[0-9A-F]+\/index\.js apply$/);
    expect(apply.when).toBeUndefined();
    expect(apply.environment).toEqual({ PLANETSCALE_CDKTF_RUN: '${jsonencode(self.triggers_replace)}' });
    // A failed apply taints the reconciler, and Terraform skips destroy steps of tainted resources: the destroyer,
    // which runs nothing at creation, is never tainted. What it carries changes in place; a replacement creates the new
    // one first (no destroy step runs for the old one); it exists before the first run.
    const destroyer = resourceOf(synth, 'planetscale_Destroyer');
    expect(destroyer.provisioner).toEqual([
      {
        'local-exec': {
          when: 'destroy',
          command: expect.stringMatching(/^node assets\/planetscale_Handler_[0-9A-F]+\/[0-9A-F]+\/index\.js destroy$/),
          environment: { PLANETSCALE_CDKTF_RUN: '${jsonencode(self.input)}' },
        },
      },
    ]);
    expect(destroyer.triggers_replace).toBeUndefined();
    expect(destroyer.lifecycle).toEqual({ create_before_destroy: true });
    expect(destroyer.input).toEqual({
      stack: 'access',
      organization: 'acme',
      owner: 'access',
      settings: { outputs_file: '../../../planetscale-outputs.json' },
      // Where a destroy must be able to look.
      branches: ['shop/main'],
      rule_databases: [],
      service_tokens: false,
    });
    // Declarations are recorded as applied only once the run has made them so.
    expect(resourceOf(synth, 'app_').depends_on).toEqual([expect.stringContaining('terraform_data.planetscale_Reconciler')]);
    // Relative to the stack directory (cdktf.out/stacks/access), so the synthesized stack can move.
    expect(reconciler.triggers_replace).toEqual({
      digest: digestOf(desired()),
      state_file: 'planetscale-desired-state.json',
      stack: 'access',
      organization: 'acme',
      owner: 'access',
      settings: { outputs_file: '../../../planetscale-outputs.json' },
    });
    const json = JSON.stringify(synth);
    expect(json).not.toContain(projectDirectory);
    expect(json).not.toMatch(/"\/(work|root|tmp|home)\//);
  });

  test('cdktf synth writes the desired state beside the stack, and the reconciler\'s digest is its digest', () => {
    const app = new App({ outdir: join(projectDirectory, 'cdktf.out') });
    const stack = new TerraformStack(app, 'access');
    new PlanetScale(stack, 'planetscale', { organization: 'acme' });
    const password = new DatabasePassword(stack, 'app', { database: 'shop' });
    new IpRestriction(stack, 'office', { password, cidrs: ['203.0.113.0/24'] });
    app.synth();
    const directory = join(projectDirectory, 'cdktf.out', 'stacks', 'access');
    const text = readFileSync(join(directory, 'planetscale-desired-state.json'), 'utf8');
    const state = JSON.parse(text) as DesiredState;
    expect(text).toBe(`${canonicalJson(state)}\n`);
    expect(state.passwords.map((p) => [p.path, p.cidrs])).toEqual([['access/app', ['203.0.113.0/24']]]);
    const config = JSON.parse(readFileSync(join(directory, 'cdk.tf.json'), 'utf8'));
    const reconciler = Object.entries(config.resource.terraform_data).find(([id]) => id.startsWith('planetscale_Reconciler'))![1] as any;
    expect(reconciler.triggers_replace.digest).toBe(digestOf(state));
    expect(text).not.toContain(projectDirectory);
  });

});

describe('IpRestriction', () => {
  test('several restrictions allow the union: normalized, bare addresses widened, duplicates and covered ranges removed, sorted', () => {
    const synth = build((stack) => {
      const app = new DatabasePassword(stack, 'app', { database: 'shop' });
      new IpRestriction(stack, 'office', { password: app, cidrs: ['203.0.113.0/24', '2001:DB8:0:0::/48', '198.51.100.7'] });
      new IpRestriction(stack, 'vpn', { password: app, cidrs: ['203.0.113.0/24', '2001:db8::1', ' 192.0.2.0/25 '] });
    });
    // 2001:db8::1/128 lies inside 2001:db8::/48: dropped, as the API drops it (so the declared list is what it returns).
    const expected = ['192.0.2.0/25', '198.51.100.7/32', '203.0.113.0/24', '2001:db8::/48'];
    expect(input(synth, 'app_').cidrs).toEqual(expected);
    expect(desired().passwords[0].cidrs).toEqual(expected);
  });

  test('overlapping restrictions collapse to the list PlanetScale keeps: a range inside another is dropped', () => {
    build((stack) => {
      const app = new DatabasePassword(stack, 'app', { database: 'shop' });
      new IpRestriction(stack, 'office', { password: app, cidrs: ['10.1.0.0/16', '192.0.2.0/25'] });
      new IpRestriction(stack, 'vpn', { password: app, cidrs: ['10.0.0.0/8', '192.0.2.128/25', '10.1.2.3'] });
    });
    expect(desired().passwords[0].cidrs).toEqual(['10.0.0.0/8', '192.0.2.0/25', '192.0.2.128/25']);
  });

  test('a password without restrictions is open (empty list; left out of the declaration, as a default)', () => {
    const synth = build((stack) => {
      new DatabasePassword(stack, 'app', { database: 'shop' });
    });
    expect(input(synth, 'app_').cidrs).toBeUndefined();
    expect(desired().passwords[0].cidrs).toEqual([]);
  });
});

describe('PlanetScale', () => {
  test('the desired state holds every object, sorted by path, with the stack\'s identity and settings', () => {
    build((stack) => {
      new DatabasePassword(stack, 'b', { database: 'shop', branch: 'dev' });
      new DatabasePassword(stack, 'a', { database: 'shop' });
      new ServiceToken(stack, 'ci');
    });
    const state = desired();
    expect(state).toMatchObject({ version: 1, stack: 'access', organization: 'acme', owner: 'access', settings: { outputs_file: '../../../planetscale-outputs.json' } });
    expect(state.passwords.map((p) => p.path)).toEqual(['access/a', 'access/b']);
    expect(state.service_tokens.map((t) => t.path)).toEqual(['access/ci']);
    expect(state.ip_rules).toEqual([]);
  });

  test('owner, apiUrl and outputsFile reach the settings', () => {
    const synth = build((stack) => new DatabasePassword(stack, 'app', { database: 'shop' }), {
      owner: 'payments-prod',
      apiUrl: 'https://planetscale.internal.example/v1',
      outputsFile: 'secrets/ps.json',
    });
    expect(desired().owner).toBe('payments-prod');
    expect(resourceOf(synth, 'planetscale_Reconciler').triggers_replace.owner).toBe('payments-prod');
    expect(resourceOf(synth, 'planetscale_Reconciler').triggers_replace.settings).toEqual({
      api_url: 'https://planetscale.internal.example/v1',
      outputs_file: '../../../secrets/ps.json',
    });
  });

  test('the default owner is the stack name when it is a valid key, else a slug plus a hash: distinct names never share one', () => {
    const app = Testing.app();
    const owner = (name: string) => new PlanetScale(new TerraformStack(app, name), 'ps', { organization: 'acme' }).owner;
    const long = 'a-very-long-stack-name-that-goes-on-and-on';
    const names = ['team-a', 'team_a', 'Team-A', 'prod', 'Prod', 'Заказы', '工作', `${long}-1`, `${long}-2`, 'payments-prod'];
    const owners = names.map(owner);
    expect(owners[0]).toBe('team-a');
    expect(owners[3]).toBe('prod');
    expect(owners[1]).toMatch(/^team-a-[0-9a-f]{8}$/);
    expect(owners[5]).toMatch(/^stack-[0-9a-f]{8}$/);
    expect(owners[7]).toMatch(/^a-very-long-stack-name-[0-9a-f]{8}$/);
    expect(new Set(owners).size).toBe(names.length);
    for (const key of owners) expect(key).toMatch(/^[a-z0-9][a-z0-9-]{0,31}$/);
  });

  test('two PlanetScale constructs of one app may not share an owner', () => {
    const app = Testing.app();
    const stacks = ['team-a', 'team_a', 'other', 'elsewhere'].map((id) => new TerraformStack(app, id));
    new PlanetScale(stacks[0], 'ps', { organization: 'acme' });
    new PlanetScale(stacks[1], 'ps', { organization: 'acme' });
    new PlanetScale(stacks[2], 'ps', { organization: 'acme', owner: 'team-a' });
    // In another organization the same owner cannot collide.
    new PlanetScale(stacks[3], 'ps', { organization: 'globex', owner: 'team-a' });
    // Reported by the one declared later, when its stack is synthesized.
    const owner = 'owner "team-a" is already the owner of team-a/ps in organization acme; each stack needs its own owner (set `owner` on one of them)';
    expect(() => Testing.synth(stacks[2], true)).toThrow(`[other/ps] ${owner}`);
    for (const ok of [stacks[0], stacks[1], stacks[3]]) expect(() => Testing.synth(ok, true)).not.toThrow();
    // Skipping validations does not skip this one: the desired state is not written.
    const unchecked = new App({ outdir: join(projectDirectory, 'unchecked'), skipValidation: true });
    new PlanetScale(new TerraformStack(unchecked, 'team-a'), 'ps', { organization: 'acme' });
    new PlanetScale(new TerraformStack(unchecked, 'other'), 'ps', { organization: 'acme', owner: 'team-a' });
    expect(() => unchecked.synth()).toThrow(`other/ps: ${owner}`);
  });

  test('an IpRestriction may not name a password of another stack, as its allow-list or as a rule\'s role', () => {
    const app = Testing.app();
    const [home, away] = ['home', 'away'].map((id) => new TerraformStack(app, id));
    for (const stack of [home, away]) new PlanetScale(stack, 'ps', { organization: 'acme' });
    const mysql = new DatabasePassword(away, 'app', { database: 'shop' });
    const postgres = new DatabasePassword(away, 'api', { database: 'analytics' });
    expect(() => new IpRestriction(home, 'office', { password: mysql, cidrs: ['10.0.0.0/8'] })).toThrow(
      'IpRestriction home/office: password must be a DatabasePassword of this stack; away/app is in stack away',
    );
    expect(() => new IpRestriction(home, 'rule', { database: 'analytics', role: postgres, cidrs: ['10.0.0.0/8'] })).toThrow(
      'IpRestriction home/rule: role must be a DatabasePassword of this stack; away/api is in stack away',
    );
  });

  test('null_resource base: string triggers only (every change shows as a replacement); the reconciler reads self.triggers', () => {
    const synth = build((stack) => {
      const app = new DatabasePassword(stack, 'app', { database: 'shop', ttl: '1h' });
      new IpRestriction(stack, 'office', { password: app, cidrs: ['203.0.113.0/24', '198.51.100.0/24'] });
    }, { resourceType: CustomResourceType.NULL_RESOURCE });
    expect(synth.resource.terraform_data).toBeUndefined();
    expect(synth.provider).toHaveProperty('null');
    // "null" is Terraform's short form of hashicorp/null.
    expect(synth.terraform!.required_providers.null).toMatchObject({ source: expect.stringMatching(/^(hashicorp\/)?null$/) });
    const resources = synth.resource.null_resource;
    const [, password] = Object.entries(resources).find(([id]) => id.startsWith('app_'))!;
    // Exactly these keys: a key added for another engine (successor, role_path) would replace every existing object.
    expect(password.triggers).toEqual({
      database: 'shop',
      branch: 'main',
      role: 'reader',
      ttl_seconds: '3600',
      replica: 'false',
      direct_vtgate: 'false',
      rotation: '',
      cidrs: '198.51.100.0/24, 203.0.113.0/24',
      name: 'app',
      renew_before_seconds: 'null',
    });
    expect(password.provisioner).toBeUndefined();
    const [, reconciler] = Object.entries(resources).find(([id]) => id.startsWith('planetscale_Reconciler'))!;
    expect(reconciler.provisioner[0]['local-exec'].environment.PLANETSCALE_CDKTF_RUN).toBe('${jsonencode(self.triggers)}');
    expect(JSON.parse(reconciler.triggers.settings)).toEqual({ outputs_file: '../../../planetscale-outputs.json' });
    expect(reconciler.triggers.digest).toBe(digestOf(desired()));
    expect(reconciler.provisioner).toHaveLength(1);
    // The destroyer's triggers always replace it: created before the old one goes, whose destroy step then never runs.
    const [, destroyer] = Object.entries(resources).find(([id]) => id.startsWith('planetscale_Destroyer'))!;
    expect(destroyer.lifecycle).toEqual({ create_before_destroy: true });
    expect(destroyer.triggers.digest).toBeUndefined();
    expect(destroyer.triggers.branches).toBe('["shop/main"]');
    expect(destroyer.provisioner[0]['local-exec']).toMatchObject({ when: 'destroy', environment: { PLANETSCALE_CDKTF_RUN: '${jsonencode(self.triggers)}' } });
  });
});

describe('validation errors name the construct, the field and what is allowed', () => {
  const password = (props: object) => (stack: TerraformStack) => new DatabasePassword(stack, 'app', { database: 'shop', ...props });

  test.each<[string, (stack: TerraformStack) => void, string]>([
    ['unknown role', password({ role: 'owner' }), 'DatabasePassword access/app: role "owner" is not a password role: use one of reader, writer, readwriter, admin'],
    ['TTL format', password({ ttl: '90 days' }), 'DatabasePassword access/app: ttl "90 days" is not a duration: use whole seconds (3600) or a number with a unit s, m, h, d or w'],
    ['TTL zero', password({ ttl: 0 }), 'DatabasePassword access/app: ttl 0 must be positive (omit ttl for a credential that does not expire)'],
    ['TTL fraction', password({ ttl: 1.5 }), 'DatabasePassword access/app: ttl 1.5 is not a whole number of seconds'],
    ['TTL too long', password({ ttl: '400d' }), 'DatabasePassword access/app: ttl "400d" is longer than the maximum of 365d'],
    ['empty name', password({ name: '' }), 'DatabasePassword access/app: name "" is not valid: use 1-32 letters, digits'],
    ['over-long name', password({ name: 'x'.repeat(33) }), `DatabasePassword access/app: name "${'x'.repeat(33)}" is not valid: use 1-32 letters`],
    ['name with a dot', password({ name: 'a.b' }), 'DatabasePassword access/app: name "a.b" is not valid'],
    ['database name', password({ database: 'Shop DB' }), 'DatabasePassword access/app: database "Shop DB" is not a valid name'],
    ['branch name', password({ branch: '' }), 'DatabasePassword access/app: branch "" is not a valid name'],
    ['rotation label', password({ rotation: 'a b' }), 'DatabasePassword access/app: rotation "a b" is not valid'],
    ['renewBefore without ttl', password({ renewBefore: '7d' }), 'DatabasePassword access/app: renewBefore needs a `ttl`: a password without one never expires'],
    ['renewBefore not shorter than ttl', password({ ttl: '7d', renewBefore: '7d' }), 'DatabasePassword access/app: renewBefore (604800s) must be shorter than the ttl (604800s), or every apply would renew it'],
    ['renewBefore format', password({ ttl: '7d', renewBefore: 'a week' }), 'DatabasePassword access/app: renewBefore "a week" is not a duration'],
    ['replica type', password({ replica: 'yes' }), 'DatabasePassword access/app: replica must be true or false'],
    [
      'unusable construct id',
      (stack) => new DatabasePassword(stack, 'my app', { database: 'shop' }),
      'DatabasePassword access/my app: name the construct id "my app" cannot be used as a name; set `name`',
    ],
  ])('%s', (_name, define, message) => {
    expect(errorOf(define)).toContain(message);
  });

  test.each<[string, string[], string]>([
    ['malformed CIDR', ['10.0.0.0/8', 'ten.0.0.0/8'], 'IpRestriction access/office: cidrs[1] "ten.0.0.0/8" is not an IPv4/IPv6 address or CIDR range'],
    ['IPv6 zone id', ['fe80::1%eth0'], 'IpRestriction access/office: cidrs[0] "fe80::1%eth0" has an IPv6 zone id (%eth0), which only names an interface on one host; write fe80::1'],
    ['IPv4-mapped IPv6', ['::ffff:10.0.0.1'], 'IpRestriction access/office: cidrs[0] "::ffff:10.0.0.1" is an IPv4 address written as IPv6 (IPv4-mapped); write the IPv4 range, probably 10.0.0.1/32'],
    ['IPv4-mapped range', ['::ffff:10.0.0.0/104'], 'cidrs[0] "::ffff:10.0.0.0/104" is an IPv4 address written as IPv6 (IPv4-mapped); write the IPv4 range, probably 10.0.0.0/8'],
    ['IPv4-mapped, wide', ['::ffff:0:0/96'], 'cidrs[0] "::ffff:0:0/96" is an IPv4 address written as IPv6 (IPv4-mapped); write the IPv4 range'],
    ['zone id on IPv4', ['10.0.0.1%eth0'], 'cidrs[0] "10.0.0.1%eth0" has a zone id (%eth0), which only names an interface on one host; write 10.0.0.1'],
    ['host bits set', ['10.0.0.1/8'], 'IpRestriction access/office: cidrs[0] "10.0.0.1/8" has host bits set; did you mean 10.0.0.0/8?'],
    ['IPv6 host bits', ['2001:db8::1/32'], 'cidrs[0] "2001:db8::1/32" has host bits set; did you mean 2001:db8::/32?'],
    ['prefix out of range', ['10.0.0.0/33'], 'cidrs[0] "10.0.0.0/33" has an invalid prefix length (0-32 for IPv4)'],
    ['empty list', [], 'IpRestriction access/office: cidrs must list at least one address or range'],
  ])('%s', (_name, cidrs, message) => {
    expect(errorOf((stack) => new IpRestriction(stack, 'office', { password: new DatabasePassword(stack, 'app', { database: 'shop' }), cidrs }))).toContain(message);
  });

  test('an IPv4-mapped range wider than a /8 gets no suggested range (never one that opens a password to the internet)', () => {
    const message = errorOf((stack) => new IpRestriction(stack, 'office', { password: new DatabasePassword(stack, 'app', { database: 'shop' }), cidrs: ['::ffff:0:0/96'] }));
    expect(message).toMatch(/write the IPv4 range$/);
  });

  test('a 3000-character construct id: one line naming the construct and the field, no stack of schema errors', () => {
    const id = 'x'.repeat(3000);
    const withoutName = errorOf((stack) => new DatabasePassword(stack, id, { database: 'shop' }));
    expect(withoutName).toBe(`DatabasePassword access/${'x'.repeat(73)}… (3007 characters): id makes a construct path of 3007 characters; the limit is 1024 (use shorter construct ids)`);
    const withName = errorOf((stack) => new ServiceToken(stack, id, { name: 'ci' }));
    expect(withName).toContain('ServiceToken access/xxx');
    expect(withName).toContain('id makes a construct path of 3007 characters; the limit is 1024');
    expect(withName.length).toBeLessThan(250);
  });

  test('a construct in a stack without PlanetScale', () => {
    const stack = new TerraformStack(Testing.app(), 'bare');
    expect(() => new DatabasePassword(stack, 'app', { database: 'shop' })).toThrow(
      "DatabasePassword bare/app: scope has no PlanetScale construct in stack bare: declare `new PlanetScale(stack, 'planetscale', { organization: '...' })` first",
    );
  });

  test('a second PlanetScale in a stack', () => {
    const problems = errorOf((stack) => new PlanetScale(stack, 'again', { organization: 'acme' })).split('\n').filter((line) => line.startsWith('  ['));
    expect(problems).toEqual(['  [access/again] is a second PlanetScale construct in stack access (the first is access/planetscale); declare exactly one per stack']);
  });

  test.each<[string, Partial<PlanetScaleProps>, string]>([
    ['organization', { organization: 'Acme Corp' }, 'PlanetScale access/planetscale: organization "Acme Corp" is not a valid name'],
    ['owner', { owner: 'Team.A' }, 'PlanetScale access/planetscale: owner "Team.A" is not valid'],
    ['apiUrl', { apiUrl: 'api.planetscale.com' }, 'PlanetScale access/planetscale: apiUrl "api.planetscale.com" is not an http(s) URL'],
    ['outputsFile', { outputsFile: ' ' }, 'PlanetScale access/planetscale: outputsFile must not be empty'],
    ['resourceType', { resourceType: 'aws_instance' as CustomResourceType }, 'PlanetScale access/planetscale: resourceType "aws_instance" is not one of terraform_data, null_resource'],
  ])('PlanetScale %s', (_name, props, message) => {
    expect(errorOf(() => undefined, props)).toContain(message);
  });

  test('each stack of an app has its own PlanetScale construct and owner', () => {
    const app = new App({ outdir: Testing.app().outdir });
    const a = new PlanetScale(new TerraformStack(app, 'team-a'), 'ps', { organization: 'acme' });
    const b = new PlanetScale(new TerraformStack(app, 'team-b'), 'ps', { organization: 'acme' });
    expect([a.owner, b.owner]).toEqual(['team-a', 'team-b']);
  });
});

describe('ServiceToken', () => {
  test('the token and its grants: readable per-database lists, organization grants apart, merged across calls', () => {
    const synth = build((stack) => {
      new ServiceToken(stack, 'ci', { ttl: '30d' })
        .grant('shop', ['read_branch', 'create_deploy_request'])
        .grant('inventory', ['read_branch'])
        .grant('shop', ['create_branch', 'read_branch'])
        .grantOrganization(['read_databases']);
      new ServiceToken(stack, 'bare');
    });
    expect(triggers(synth, 'ci_')).toEqual({ name: 'ci', ttl_seconds: 30 * 86400 });
    // Grants change in place: the plan says "update in-place", the token (and its value) stays.
    expect(input(synth, 'ci_')).toEqual({
      databases: { inventory: ['read_branch'], shop: ['create_branch', 'create_deploy_request', 'read_branch'] },
      organization_accesses: ['read_databases'],
    });
    expect(input(synth, 'bare_')).toEqual({});
    expect(triggers(synth, 'bare_')).toEqual({ name: 'bare' });
    const ci = desired().service_tokens.find((t) => t.path === 'access/ci')!;
    expect(ci).toMatchObject({ display: 'ci', ttl_seconds: 2592000, organization_accesses: ['read_databases'] });
    expect(desired().service_tokens.map((t) => t.path)).toEqual(['access/bare', 'access/ci']);
  });

  test('TTL and rotation make a new token; grants do not', () => {
    const generation = (props: object, grants: string[] = ['read_branch']) => {
      build((stack) => new ServiceToken(stack, 'ci', props).grant('shop', grants));
      return desired().service_tokens[0].generation;
    };
    const base = generation({});
    expect(generation({}, ['read_branch', 'create_branch'])).toBe(base);
    expect(generation({ ttl: 60 })).not.toBe(base);
    expect(generation({ rotation: 'q4' })).not.toBe(base);
  });

  test.each<[string, (t: ServiceToken) => void, string]>([
    ['misspelt access', (t) => t.grant('shop', ['read_brnch']), 'ServiceToken access/ci: grant(\'shop\') "read_brnch" is not a service token access PlanetScale documents; did you mean "read_branch"?'],
    ['unknown access', (t) => t.grant('shop', ['launch_rockets']), 'ServiceToken access/ci: grant(\'shop\') "launch_rockets" is not a service token access PlanetScale documents; the documented names are exported as DATABASE_ACCESSES'],
    ['organization access on a database', (t) => t.grant('shop', ['read_databases']), 'ServiceToken access/ci: grant(\'shop\') read_databases is an organization access: grant it with grantOrganization()'],
    ['misspelt organization access', (t) => t.grantOrganization(['read_databses']), 'ServiceToken access/ci: grantOrganization() "read_databses" is not a service token access PlanetScale documents; did you mean "read_databases"?'],
    ['no accesses', (t) => t.grant('shop', []), 'ServiceToken access/ci: grant(\'shop\') needs at least one access'],
    ['bad database name', (t) => t.grant('Shop!', ['read_branch']), 'ServiceToken access/ci: grant database "Shop!" is not a valid name'],
  ])('%s', (_name, call, message) => {
    expect(errorOf((stack) => call(new ServiceToken(stack, 'ci')))).toContain(message);
  });

  test.each<[string, object, string]>([
    ['TTL', { ttl: '1 month' }, 'ServiceToken access/ci: ttl "1 month" is not a duration'],
    ['name', { name: 'ci.bot' }, 'ServiceToken access/ci: name "ci.bot" is not valid'],
    ['rotation', { rotation: 'no spaces' }, 'ServiceToken access/ci: rotation "no spaces" is not valid'],
  ])('ServiceToken %s', (_name, props, message) => {
    expect(errorOf((stack) => new ServiceToken(stack, 'ci', props))).toContain(message);
  });
});

describe('DatabasePassword on a Postgres database', () => {
  test('inherited roles are declared sorted and fixed at creation; without them the generation is what it always was', () => {
    const synth = build((stack) => {
      new DatabasePassword(stack, 'unknown', { database: 'reports' });
      new DatabasePassword(stack, 'api', { database: 'analytics', role: 'readwriter' });
      new IpRestriction(stack, 'bi', { database: 'analytics', cidrs: ['10.0.0.0/8'] });
      new DatabasePassword(stack, 'monitor', { database: 'metrics', inheritedRoles: ['pg_read_all_stats', 'pg_monitor'] });
    });
    const byPath = (path: string) => desired().passwords.find((p) => p.path === path)!;
    expect([byPath('access/unknown').inherited_roles, byPath('access/api').inherited_roles]).toEqual([null, null]);
    expect(byPath('access/monitor').inherited_roles).toEqual(['pg_monitor', 'pg_read_all_stats']);
    expect(triggers(synth, 'monitor_').inherited_roles).toEqual(['pg_monitor', 'pg_read_all_stats']);
    expect(byPath('access/api').generation).toBe(
      generationHash({ database: 'analytics', branch: 'main', role: 'readwriter', ttl_seconds: null, replica: false, direct_vtgate: false, rotation: '' }),
    );
  });

  test('a successor and a rule on the role of a password are declared by path, and change in place', () => {
    const synth = build((stack) => {
      const owner = new DatabasePassword(stack, 'migrations', { database: 'analytics', role: 'admin' });
      const api = new DatabasePassword(stack, 'api', { database: 'analytics', successor: owner });
      new DatabasePassword(stack, 'batch', { database: 'analytics', successor: 'pscale_api_abc123def456' });
      new IpRestriction(stack, 'api-office', { database: 'analytics', role: api, cidrs: ['203.0.113.0/24'] });
    });
    const state = desired();
    expect(state.passwords.find((p) => p.path === 'access/api')!.successor).toEqual({ path: 'access/migrations' });
    expect(state.passwords.find((p) => p.path === 'access/batch')!.successor).toEqual({ role: 'pscale_api_abc123def456' });
    expect(state.ip_rules[0]).toMatchObject({ role: '', role_path: 'access/api', database: 'analytics' });
    expect(input(synth, 'api_').successor).toEqual({ path: 'access/migrations' });
    expect(triggers(synth, 'api_').successor).toBeUndefined();
    expect(input(synth, 'api-office_').role_path).toBe('access/api');
  });
});

describe('IpRestriction on a Postgres database', () => {
  test('a database IP rule with its schema, role, description and IPv4 CIDRs: all in place but the database', () => {
    const synth = build((stack) => {
      new IpRestriction(stack, 'bi', { database: 'analytics', cidrs: ['10.0.0.0/8', '192.0.2.7'], schema: 'reporting', role: 'bi_reader', description: 'BI tools' });
      new IpRestriction(stack, 'vpn', { database: 'analytics', cidrs: ['172.16.0.0/12'] });
    });
    expect(triggers(synth, 'bi_')).toEqual({ database: 'analytics' });
    expect(input(synth, 'bi_')).toEqual({ name: 'bi', schema: 'reporting', role: 'bi_reader', cidrs: ['10.0.0.0/8', '192.0.2.7/32'], description: 'BI tools' });
    expect(input(synth, 'vpn_')).toEqual({ name: 'vpn', cidrs: ['172.16.0.0/12'] });
    expect(desired().ip_rules.map((r) => [r.path, r.display, r.object])).toEqual([
      ['access/bi', 'bi', objectHash('access/bi')],
      ['access/vpn', 'vpn', objectHash('access/vpn')],
    ]);
  });

  test('text that looks like a Terraform template is escaped, so Terraform reads it literally', () => {
    const synth = build((stack) => new IpRestriction(stack, 'bi', { database: 'analytics', cidrs: ['10.0.0.0/8'], description: 'costs ${budget} at 100%{x}' }), {
      sink: ['/bin/store', '--label=${LABEL}'],
    });
    expect(resourceOf(synth, 'bi_').input).toContain('"description":"costs $${budget} at 100%%{x}"');
    const reconciler = resourceOf(synth, 'planetscale_Reconciler');
    expect(reconciler.triggers_replace.settings.sink).toEqual(['/bin/store', '--label=$${LABEL}']);
    // The handler's own input reference stays a reference.
    expect(reconciler.provisioner[0]['local-exec'].environment.PLANETSCALE_CDKTF_RUN).toBe('${jsonencode(self.triggers_replace)}');
    // The desired state holds the text as written.
    expect(desired().ip_rules[0].description).toBe('costs ${budget} at 100%{x}');
  });

  test('the rule\'s identity stays the same whatever is edited (rules are updated in place)', () => {
    const identity = (props: object) => {
      const synth = build((stack) => new IpRestriction(stack, 'bi', { database: 'analytics', cidrs: ['10.0.0.0/8'], ...props }));
      return [desired().ip_rules[0].object, JSON.stringify(triggers(synth, 'bi_'))];
    };
    const base = identity({});
    expect(identity({ cidrs: ['10.1.0.0/16'], schema: 's', role: 'r', description: 'd', name: 'other' })).toEqual(base);
  });

  test.each<[string, (stack: TerraformStack) => void, string]>([
    ['IPv6', (stack) => new IpRestriction(stack, 'bi', { database: 'analytics', cidrs: ['10.0.0.0/8', '2001:db8::/48'] }), 'IpRestriction access/bi: cidrs[1] "2001:db8::/48" is IPv6; Postgres database IP rules accept IPv4 only'],
    ['both targets', (stack) => new IpRestriction(stack, 'bi', { database: 'analytics', password: new DatabasePassword(stack, 'p', { database: 'shop' }), cidrs: ['10.0.0.0/8'] }), 'IpRestriction access/bi: password or `database`: set exactly one'],
    ['no target', (stack) => new IpRestriction(stack, 'bi', { cidrs: ['10.0.0.0/8'] }), 'IpRestriction access/bi: password or `database`: set exactly one'],
    ['schema on a password', (stack) => new IpRestriction(stack, 'bi', { password: new DatabasePassword(stack, 'p', { database: 'shop' }), cidrs: ['10.0.0.0/8'], schema: 'x' }), 'IpRestriction access/bi: schema applies to Postgres database rules only'],
    ['bad role', (stack) => new IpRestriction(stack, 'bi', { database: 'analytics', cidrs: ['10.0.0.0/8'], role: 'bi-reader' }), 'IpRestriction access/bi: role "bi-reader" is not a PostgreSQL identifier'],
    ['long description', (stack) => new IpRestriction(stack, 'bi', { database: 'analytics', cidrs: ['10.0.0.0/8'], description: 'x'.repeat(101) }), 'IpRestriction access/bi: description must be one line of at most 100 characters'],
    [
      'a MySQL database (known from a replica password) used for a Postgres rule',
      (stack) => {
        new DatabasePassword(stack, 'app', { database: 'shop', replica: true });
        new IpRestriction(stack, 'bi', { database: 'shop', cidrs: ['10.0.0.0/8'] });
      },
      '[access/bi] database "shop" cannot be both a MySQL/Vitess database (DatabasePassword access/app sets replica) ' +
        'and a Postgres database (IpRestriction access/bi is a database IP rule) in one stack',
    ],
    [
      'a Postgres database (known from a rule) given a password allow-list',
      (stack) => {
        new IpRestriction(stack, 'bi', { database: 'analytics', cidrs: ['10.0.0.0/8'] });
        const app = new DatabasePassword(stack, 'app', { database: 'analytics' });
        new IpRestriction(stack, 'office', { password: app, cidrs: ['203.0.113.0/24'] });
      },
      '[access/office] database "analytics" cannot be both a MySQL/Vitess database (IpRestriction access/office restricts password access/app; ' +
        'for a Postgres role use IpRestriction({ database, role: password })) and a Postgres database (IpRestriction access/bi is a database IP rule) in one stack',
    ],
    [
      'a Postgres-only prop on a password of a database a replica password makes MySQL',
      (stack) => {
        new DatabasePassword(stack, 'replica', { database: 'shop', replica: true });
        new DatabasePassword(stack, 'app', { database: 'shop', inheritedRoles: ['pg_read_all_data'] });
      },
      '[access/app] database "shop" cannot be both a MySQL/Vitess database (DatabasePassword access/replica sets replica) and a Postgres database',
    ],
    [
      'MySQL-only and Postgres-only props on one password',
      (stack) => new DatabasePassword(stack, 'app', { database: 'analytics', directVtgate: true, successor: 'postgres' }),
      'DatabasePassword access/app: successor is for Postgres roles and directVtgate for MySQL/Vitess passwords: a password has one engine',
    ],
    [
      'a misspelt inherited role',
      (stack) => new DatabasePassword(stack, 'app', { database: 'analytics', inheritedRoles: ['pg_read_all_data', 'pg_write_al_data' as never] }),
      'DatabasePassword access/app: inheritedRoles[1] "pg_write_al_data" is not a role PlanetScale lets a role inherit; did you mean "pg_write_all_data"?',
    ],
    [
      'role and inheritedRoles together',
      (stack) => new DatabasePassword(stack, 'app', { database: 'analytics', role: 'admin', inheritedRoles: ['pg_monitor'] }),
      'DatabasePassword access/app: inheritedRoles and `role` both say what the role may do: set one of them',
    ],
    [
      'a successor on another branch',
      (stack) => {
        const heir = new DatabasePassword(stack, 'heir', { database: 'analytics', branch: 'dev' });
        new DatabasePassword(stack, 'app', { database: 'analytics', successor: heir });
      },
      '[access/app] successor access/heir is on analytics/dev, not analytics/main: objects stay on their branch',
    ],
    [
      'a rule naming the role of a password of another database',
      (stack) => {
        const app = new DatabasePassword(stack, 'app', { database: 'reports' });
        new IpRestriction(stack, 'bi', { database: 'analytics', role: app, cidrs: ['10.0.0.0/8'] });
      },
      '[access/bi] role is password access/app of database reports; a rule on analytics can only name a role of analytics',
    ],
  ])('%s', (_name, define, message) => {
    expect(errorOf(define)).toContain(message);
  });
});

describe('sink', () => {
  test('the sink command reaches the engine as program and arguments', () => {
    build((stack) => new DatabasePassword(stack, 'app', { database: 'shop' }), { sink: ['/usr/local/bin/store-secret', '--vault', 'prod'] });
    expect(desired().settings.sink).toEqual(['/usr/local/bin/store-secret', '--vault', 'prod']);
  });

  test.each([[[]], [['']], ['store-secret --vault prod']])('an invalid sink (%j) is refused', (sink) => {
    expect(errorOf(() => undefined, { sink: sink as string[] })).toContain('PlanetScale access/planetscale: sink must be a command as a non-empty list of program and arguments');
  });
});

describe('cross-construct rules', () => {
  test('are checked at synth, after every construct exists, and every problem is reported at once', () => {
    const message = errorOf((stack) => {
      const app = new DatabasePassword(stack, 'app', { database: 'analytics' });
      new IpRestriction(stack, 'bi', { database: 'analytics', role: app, cidrs: ['10.0.0.0/8'] });
      const heir = new DatabasePassword(stack, 'heir', { database: 'analytics', branch: 'dev' });
      new DatabasePassword(stack, 'api', { database: 'analytics', successor: heir });
      new DatabasePassword(stack, 'replica', { database: 'analytics', replica: true });
      const reports = new DatabasePassword(stack, 'reports', { database: 'reports' });
      new IpRestriction(stack, 'other', { database: 'analytics', role: reports, cidrs: ['10.0.0.0/8'] });
    });
    const lines = message.split('\n').filter((line) => line.startsWith('  ['));
    expect(lines).toEqual([
      '  [access/api] successor access/heir is on analytics/dev, not analytics/main: objects stay on their branch',
      '  [access/replica] database "analytics" cannot be both a MySQL/Vitess database (DatabasePassword access/replica sets replica) and a Postgres database ' +
        '(IpRestriction access/bi is a database IP rule) in one stack',
      '  [access/other] role is password access/reports of database reports; a rule on analytics can only name a role of analytics',
    ]);
  });
});
