/**
 * The command as a user installs it: bin/, the bundle in dist/bundle/ and the WebAssembly core,
 * with no node_modules at all — the package's dependencies are bundled, and its development
 * dependencies (tsx among them) are not installed. Every pool must start its workers there.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

/** A copy of what `npm install brickproof` leaves for the command, and nothing else. */
function installed(): string {
  const dir = mkdtempSync(join(tmpdir(), 'brickproof-installed-'));
  cpSync(join(root, 'bin'), join(dir, 'bin'), { recursive: true });
  cpSync(join(root, 'dist/bundle'), join(dir, 'dist/bundle'), { recursive: true });
  mkdirSync(join(dir, 'build'));
  copyFileSync(join(root, 'build/brickproof.wasm'), join(dir, 'build/brickproof.wasm'));
  copyFileSync(join(root, 'package.json'), join(dir, 'package.json'));
  return dir;
}

const brickproof = (dir: string, args: string[]) => run(process.execPath, [join(dir, 'bin/brickproof.js'), ...args], { cwd: dir });

describe('brickproof installed without development dependencies', () => {
  const dir = installed();

  it('runs a campaign on two worker threads', async () => {
    // A double plan without the memo is long enough for the pool to start its worker.
    const { stdout } = await brickproof(dir, ['campaign', '--device', 'k64f', '--strategy', 'swap-scratch', '--upgrade', 'perm', '--plan', 'double', '--sample', '20', '--no-memo', '--workers', '2', '--json']);
    const report = JSON.parse(stdout);
    expect(report.summary[0]).toMatchObject({ strategy: 'swap-scratch', failed: 0 });
    expect(report.summary[0].scenarios).toBeGreaterThan(10_000);
  });

  it('runs a lifecycle campaign on two worker threads', async () => {
    const { stdout } = await brickproof(dir, ['campaign', '--plan', 'lifecycle', '--lives', '4', '--workers', '2', '--json']);
    const report = JSON.parse(stdout);
    expect(report.summary.reduce((n: number, s: { lives: number }) => n + s.lives, 0)).toBe(4);
    expect(report.summary.every((s: { failed: number }) => s.failed === 0)).toBe(true);
  });

  it('runs a fleet on two worker threads', async () => {
    const fleet = JSON.parse(readFileSync(join(root, 'examples/fleet.json'), 'utf8'));
    writeFileSync(join(dir, 'fleet.json'), JSON.stringify({ ...fleet, devices: 40, days: 2 }));
    const { stdout } = await brickproof(dir, ['fleet', 'fleet.json', '--workers', '2', '--json']);
    const report = JSON.parse(stdout);
    expect(report.days).toBe(2);
    expect(report.totals).toMatchObject({ devices: 40, bricked: 0 });
  });
});
