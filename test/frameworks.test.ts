import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { temporaryDirectory } from './support/env';
import type { DesiredState } from '../src/model/desired-state';

/**
 * The library binds to whichever framework the app uses (cdktf or cdktn), loads nothing synth does not need, and
 * works when an app holds two copies of it. Each case runs in a fresh Node process: the module cache is what is under
 * test, and jest's own module registry would hide it.
 */
const ROOT = resolve(__dirname, '..');

/** Runs `script` (CommonJS, with TypeScript sources loadable) in a fresh Node process; returns its last line as JSON. */
function probe(script: string): any {
  const wrapped = `const preloaded = new Set(Object.keys(require.cache)); ${script}`;
  const result = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', wrapped], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' } });
  if (result.status !== 0) throw new Error(`probe failed (${result.status}):\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop()!);
}

/** The packages (under node_modules) and own files a script has loaded (beyond ts-node), and whether Node's HTTP server was. */
const REPORT_LOADED = `
  const loaded = Object.keys(require.cache).filter((f) => !preloaded.has(f));
  const packageOf = (f) => { const p = f.split('/node_modules/').pop().split('/'); return p[0].startsWith('@') ? p[0] + '/' + p[1] : p[0]; };
  const report = {
    packages: [...new Set(loaded.filter((f) => f.includes('/node_modules/')).map(packageOf))].sort(),
    ownFiles: loaded.filter((f) => !f.includes('/node_modules/')).length,
    httpServer: process.moduleLoadList.includes('NativeModule _http_server'),
  };
`;

/** A stack with one object of each kind, built with the framework package `framework`, synthesized into `outdir`. */
const buildStack = (framework: string, outdir: string, library = './src') => `
  const { App, TerraformStack } = require('${framework}');
  const { DatabasePassword, IpRestriction, PlanetScale, ServiceToken } = require('${library}');
  const app = new App({ outdir: ${JSON.stringify(outdir)} });
  const stack = new TerraformStack(app, 'access');
  new PlanetScale(stack, 'planetscale', { organization: 'acme' });
  const password = new DatabasePassword(stack, 'app', { database: 'shop', role: 'readwriter' });
  new IpRestriction(stack, 'office', { password, cidrs: ['203.0.113.0/24'] });
  const role = new DatabasePassword(stack, 'reporting', { database: 'analytics', inheritedRoles: ['pg_read_all_data'] });
  new IpRestriction(stack, 'bi', { database: 'analytics', role, cidrs: ['10.20.0.0/16'] });
  new ServiceToken(stack, 'ci').grant('shop', ['read_branch']);
  app.synth();
`;

test('the main entry loads the constructs and what synth needs: no undici, no HTTP server, no framework of its own', () => {
  const report = probe(`require('./src'); ${REPORT_LOADED} console.log(JSON.stringify(report));`);
  // Exactly the runtime dependencies (and theirs): ajv checks the desired state, ipaddr.js and ip-num the CIDRs, ms
  // the durations; constructs is the peer every construct library shares. cdktf/cdktn load only once a stack needs one.
  expect(report.packages).toEqual(['ajv', 'constructs', 'fast-deep-equal', 'fast-uri', 'ip-num', 'ipaddr.js', 'json-schema-traverse', 'ms']);
  expect(report.httpServer).toBe(false);
});

test.each([
  ['cdktn', 'cdktf'],
  ['cdktf', 'cdktn'],
])('an app on %s synthesizes with it and never loads %s; both synthesize the same resources', (framework, other) => {
  const dir = temporaryDirectory('framework');
  try {
    const report = probe(`${buildStack(framework, join(dir.path, framework))} ${REPORT_LOADED} console.log(JSON.stringify(report));`);
    expect(report.packages).toContain(framework);
    expect(report.packages).not.toContain(other);
    expect(report.packages).not.toContain('undici');
    expect(report.httpServer).toBe(false);
    probe(`${buildStack(other, join(dir.path, other))} console.log('{}');`);
    const resources = (name: string) => JSON.parse(readFileSync(join(dir.path, name, 'stacks', 'access', 'cdk.tf.json'), 'utf8')).resource;
    expect(resources(framework)).toEqual(resources(other));
    expect(Object.keys(resources(framework).terraform_data)).toHaveLength(6);
  } finally {
    dir.remove();
  }
});

test('two copies of the library in one app recognize each other: brands, not instanceof or module-level maps', () => {
  const dir = temporaryDirectory('copies');
  try {
    // A second copy of the library, as npm nests one under a dependent that asks for another range: its own files,
    // resolving the app's framework and constructs.
    cpSync(join(ROOT, 'src'), join(dir.path, 'copy', 'src'), { recursive: true });
    for (const shared of ['node_modules', 'assets']) symlinkSync(join(ROOT, shared), join(dir.path, 'copy', shared));
    const outdir = join(dir.path, 'out');
    const result = probe(`
      const a = require('./src');
      const b = require(${JSON.stringify(join(dir.path, 'copy', 'src'))});
      if (a.DatabasePassword === b.DatabasePassword) throw new Error('not two copies');
      const { App, TerraformStack } = require('cdktn');
      const app = new App({ outdir: ${JSON.stringify(outdir)} });
      const stack = new TerraformStack(app, 'access');
      new a.PlanetScale(stack, 'planetscale', { organization: 'acme' });
      const heir = new b.DatabasePassword(stack, 'heir', { database: 'analytics' });
      const api = new a.DatabasePassword(stack, 'api', { database: 'analytics', successor: heir });
      new b.IpRestriction(stack, 'bi', { database: 'analytics', role: api, cidrs: ['10.0.0.0/8'] });
      const shop = new b.DatabasePassword(stack, 'shop', { database: 'shop' });
      new a.IpRestriction(stack, 'office', { password: shop, cidrs: ['203.0.113.0/24'] });
      app.synth();
      // The other copy's rules see this copy's constructs too: a second PlanetScale and a conflicting use.
      const broken = new TerraformStack(app, 'broken');
      new b.PlanetScale(broken, 'planetscale', { organization: 'acme' });
      new a.PlanetScale(broken, 'again', { organization: 'acme', owner: 'again' });
      new b.IpRestriction(broken, 'bi', { database: 'shop', cidrs: ['10.0.0.0/8'] });
      new a.DatabasePassword(broken, 'replica', { database: 'shop', replica: true });
      let error = '';
      try { app.synth(); } catch (e) { error = e.message; }
      console.log(JSON.stringify({ isPassword: [a.DatabasePassword.isDatabasePassword(heir), b.DatabasePassword.isDatabasePassword(api)], error }));
    `);
    expect(result.isPassword).toEqual([true, true]);
    const state = JSON.parse(readFileSync(join(outdir, 'stacks', 'access', 'planetscale-desired-state.json'), 'utf8')) as DesiredState;
    expect(state.passwords.map((p) => [p.path, p.successor, p.cidrs])).toEqual([
      ['access/api', { path: 'access/heir' }, []],
      ['access/heir', null, []],
      ['access/shop', null, ['203.0.113.0/24']],
    ]);
    expect(state.ip_rules.map((r) => [r.path, r.role_path])).toEqual([['access/bi', 'access/api']]);
    expect(result.error).toContain('[broken/again] is a second PlanetScale construct in stack broken (the first is broken/planetscale)');
    expect(result.error).toContain('[broken/replica] database "shop" cannot be both a MySQL/Vitess database (DatabasePassword broken/replica sets replica)');
  } finally {
    dir.remove();
  }
});
