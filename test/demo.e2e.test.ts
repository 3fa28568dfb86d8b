import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * The README's demo command, run as a new user would (`npm run demo` is `ts-node scripts/demo.ts`): it must finish, and
 * its last part must show real connections whose outcomes match the credentials (the demo itself fails when a server
 * disagrees; here, that the part ran at all, and that it printed no secret).
 */

const ROOT = resolve(__dirname, '..');

function runDemo(): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [resolve(ROOT, 'node_modules', 'ts-node', 'dist', 'bin.js'), '--transpile-only', 'scripts/demo.ts'], { cwd: ROOT });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => done({ code: code ?? 1, output }));
  });
}

test('npm run demo deploys, edits, heals drift, connects to real servers as the credentials promise, destroys, and leaks nothing', async () => {
  const { code, output } = await runDemo();
  expect([code, output.slice(-2000)]).toEqual([0, expect.stringContaining('(0 leaks)')]);
  expect(output).toContain('with real database servers on 127.');
  expect(output).toMatch(/access\/app \(office only\) +refused/);
  expect(output).toMatch(/access\/analytics +connected, current_user = \S+/);
  expect(output).toMatch(/access\/reporting \(Postgres\) +connected, current_user = \S+/);
  expect(output).toMatch(/access\/app \(\+127\.0\.0\.0\/8\) +connected, current_user = \S+/);
  expect(output).toMatch(/access\/app \(rotated away\) +refused/);
  expect(output).toMatch(/access\/app \(new secret\) +connected/);
  expect(output).toContain('left owned by the stack: 0 passwords, 0 roles, 0 service tokens, 0 IP rules');
  expect(output).not.toMatch(/pscale_(pw|tkn)_[A-Za-z0-9_]{20,}/);
}, 300_000);
