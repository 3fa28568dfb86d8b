import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

/**
 * A temporary app that installs this package the way a user's app does, offline: from the packed tarball and npm's
 * cache. npm resolves version ranges from registry metadata, which an offline install may not have, so the app gets a
 * lockfile too: the subtree of this repository's lockfile its dependencies reach (the versions this repository is
 * tested with, whose tarballs this repository's `npm ci` put in the cache), with tarball URLs, plus the tarball.
 */
const ROOT = resolve(__dirname, '..', '..');

interface LockEntry {
  readonly version?: string;
  readonly inBundle?: boolean;
  readonly optional?: boolean;
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  readonly [key: string]: unknown;
}

function repositoryLock(): Record<string, LockEntry> {
  return (JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> }).packages;
}

/** The version this repository's lockfile installs for a top-level package (e.g. cdktn). */
export function lockedVersion(name: string): string {
  const version = repositoryLock()[`node_modules/${name}`]?.version;
  if (!version) throw new Error(`${name} is not in package-lock.json`);
  return version;
}

/** Packs the package as npm would publish it (lib from tsc, the bundles in assets/), into `directory`. */
export function packPackage(directory: string): string {
  const stage = join(directory, 'stage');
  mkdirSync(stage, { recursive: true });
  for (const file of ['package.json', '.npmignore', 'README.md', 'LICENSE']) cpSync(join(ROOT, file), join(stage, file));
  cpSync(join(ROOT, 'assets'), join(stage, 'assets'), { recursive: true });
  execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', join(ROOT, 'tsconfig.json'), '--outDir', join(stage, 'lib')], { cwd: ROOT, stdio: 'pipe' });
  const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', directory], { cwd: stage, encoding: 'utf8' }).trim().split('\n').pop()!;
  rmSync(stage, { recursive: true, force: true });
  return join(directory, name);
}

/**
 * Writes package.json and package-lock.json for an app depending on `dependencies` (names present at the top of this
 * repository's lockfile, at its versions) and on the packed tarball under each of `tarballNames` (an npm alias per
 * extra name gives a second copy of the package, as npm nests one under a dependent that asks for another range),
 * then installs it with `npm ci --offline`.
 */
export function installOfflineApp(app: string, tarball: string, dependencies: string[], tarballNames: string[]): void {
  const lock = repositoryLock();
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, any>;
  mkdirSync(app, { recursive: true });
  const localTarball = join(app, basename(tarball));
  cpSync(tarball, localTarball);
  const integrity = `sha512-${createHash('sha512').update(readFileSync(localTarball)).digest('base64')}`;

  const packages: Record<string, LockEntry> = {};
  const include = (path: string): void => {
    if (packages[path]) return;
    // The flags say what the package is to this repository (a dev dependency, a peer); to the app it is a dependency.
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = lock[path] as LockEntry & Record<'dev' | 'devOptional' | 'peer', unknown>;
    packages[path] = { ...entry, resolved: tarballUrl(registry, path, entry) };
    const optionalPeers = Object.entries(entry.peerDependenciesMeta ?? {}).filter(([, meta]) => meta.optional).map(([name]) => name);
    const wanted = [
      ...Object.keys(entry.dependencies ?? {}),
      ...Object.keys(entry.optionalDependencies ?? {}),
      ...Object.keys(entry.peerDependencies ?? {}).filter((name) => !optionalPeers.includes(name)),
    ];
    for (const name of wanted) {
      const found = resolveInLock(lock, path, name);
      if (found) include(found);
      else if (!entry.optionalDependencies?.[name]) throw new Error(`${path} needs ${name}, which package-lock.json does not hold`);
    }
    for (const bundled of Object.keys(lock).filter((p) => p.startsWith(`${path}/node_modules/`) && lock[p].inBundle)) packages[bundled] = lock[bundled];
  };
  const registry = execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).trim().replace(/\/$/, '');

  const rootDependencies: Record<string, string> = {};
  for (const name of dependencies) {
    rootDependencies[name] = lockedVersion(name);
    include(`node_modules/${name}`);
  }
  for (const name of tarballNames) {
    rootDependencies[name] = `file:${basename(tarball)}`;
    packages[`node_modules/${name}`] = {
      ...(name === manifest.name ? {} : { name: manifest.name }),
      version: manifest.version,
      resolved: `file:${basename(tarball)}`,
      integrity,
      license: manifest.license,
      dependencies: manifest.dependencies,
      peerDependencies: manifest.peerDependencies,
      peerDependenciesMeta: manifest.peerDependenciesMeta,
      bin: manifest.bin,
      engines: manifest.engines,
    };
    for (const dependency of Object.keys(manifest.dependencies ?? {})) include(resolveInLock(lock, '', dependency)!);
  }
  const pkg = { name: 'offline-app', version: '1.0.0', private: true, dependencies: rootDependencies };
  writeFileSync(join(app, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  const lockfile = { name: pkg.name, version: pkg.version, lockfileVersion: 3, requires: true, packages: { '': { name: pkg.name, version: pkg.version, dependencies: rootDependencies }, ...packages } };
  writeFileSync(join(app, 'package-lock.json'), `${JSON.stringify(lockfile, null, 2)}\n`);
  // No install scripts: nothing here needs one (cdktf-cli's node-pty ships prebuilt), and none may reach a network.
  execFileSync('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: app, stdio: 'pipe' });
  if (!existsSync(join(app, 'node_modules', manifest.name))) throw new Error('the package was not installed');
}

/**
 * The registry URL of a locked package's tarball. This repository's lockfile leaves it out (npm's
 * omit-lockfile-registry-resolved), and without it npm asks the registry for the package's metadata to find the
 * tarball, which an offline install may not have; with it, the tarball comes straight from the cache.
 */
function tarballUrl(registry: string, path: string, entry: LockEntry): string {
  const name = (entry.name as string | undefined) ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
  return `${registry}/${name}/-/${name.split('/').pop()}-${entry.version}.tgz`;
}

/** Where Node would find `name` from the package at lock path `from` ('' for the root): nearest node_modules up. */
function resolveInLock(lock: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`;
    if (lock[candidate]) return candidate;
    if (dir === '') return undefined;
    dir = dir.slice(0, dir.lastIndexOf('node_modules/')).replace(/\/$/, '');
  }
}
