import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Another Node version to run a command under: the official binaries npm publishes as `node-<platform>-<arch>`
 * (what the `node` package installs), fetched once through npm and kept under node_modules/.cache. Returns the
 * directory holding its `node`, to put first on PATH: `#!/usr/bin/env node` CLIs, `npx` and Terraform's
 * `local-exec` (which starts the handler with `node`) then all run on it.
 */
export function nodeRuntime(version: string): string {
  const directory = resolve(__dirname, '..', '..', 'node_modules', '.cache', 'psc-node', `${process.platform}-${process.arch}-${version}`);
  const bin = join(directory, 'bin');
  if (existsSync(join(bin, 'node'))) return bin;
  const download = mkdtempSync(join(tmpdir(), 'psc-node-'));
  try {
    const spec = `node-${process.platform}-${process.arch}@${version}`;
    const tarball = execFileSync('npm', ['pack', spec, '--silent', '--pack-destination', download], { encoding: 'utf8' }).trim().split('\n').pop()!;
    mkdirSync(directory, { recursive: true });
    execFileSync('tar', ['-xzf', join(download, tarball), '-C', directory, '--strip-components=1']);
  } finally {
    rmSync(download, { recursive: true, force: true });
  }
  return bin;
}
